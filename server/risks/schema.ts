import { z } from 'zod'
import type { RiskScope } from '../../db/schema.js'
import { baseVersion, oneOf, optionalScaleStep, optionalText, requiredText, text } from '../forms.js'
import { consequenceScale, likelihoodScale, riskScopes, riskTreatments } from '../vocabulary.js'

const isScope = (v: string): v is RiskScope => riskScopes.some((s) => s.code === v)

/**
 * The review type (scope) is asked only of a risk that is reviewed: for any other treatment the form hides it and
 * whatever it sent is ignored (null: the stored value is left as it is, since the column cannot be empty).
 */
export const riskForm = z
  .object({
    title: requiredText('Ange riskens rubrik.'),
    description: optionalText(),
    likelihood: optionalScaleStep('Välj sannolikhet 1–4, eller Ej bedömd.'),
    consequence: optionalScaleStep('Välj konsekvens 1–4, eller Ej bedömd.'),
    treatment: oneOf(riskTreatments, 'Välj hur risken ska hanteras.'),
    scope: text,
    version: baseVersion,
  })
  .superRefine((v, ctx) => {
    if (v.treatment === 'review' && !isScope(v.scope)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'Välj om granskningen är nämndens egen eller kommungemensam.',
      })
    }
  })
  .transform((v) => ({ ...v, scope: v.treatment === 'review' && isScope(v.scope) ? v.scope : null }))

export type RiskForm = z.output<typeof riskForm>

/** A plan's copy of a municipality-wide item: the committee scores it; its words are kommunstyrelsen's. */
export const riskCopyForm = z.object({
  likelihood: optionalScaleStep('Välj sannolikhet 1–4, eller Ej bedömd.'),
  consequence: optionalScaleStep('Välj konsekvens 1–4, eller Ej bedömd.'),
  version: baseVersion,
})

export const riskFormOptions = {
  likelihoodOptions: likelihoodScale.map((label, i) => ({ value: i + 1, label: `${i + 1} – ${label}` })),
  consequenceOptions: consequenceScale.map((label, i) => ({ value: i + 1, label: `${i + 1} – ${label}` })),
  treatmentOptions: riskTreatments.map((t) => ({ value: t.code, label: t.label })),
  scopeOptions: riskScopes.map((s) => ({ value: s.code, label: s.label })),
}
