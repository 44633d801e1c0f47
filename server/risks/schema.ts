import { z } from 'zod'
import { baseVersion, oneOf, optionalScaleStep, optionalText, requiredText } from '../forms.js'
import { consequenceScale, likelihoodScale, riskScopes, riskTreatments } from '../vocabulary.js'

export const riskForm = z.object({
  title: requiredText('Ange riskens rubrik.'),
  description: optionalText(),
  likelihood: optionalScaleStep('Välj sannolikhet 1–4, eller Ej bedömd.'),
  consequence: optionalScaleStep('Välj konsekvens 1–4, eller Ej bedömd.'),
  treatment: oneOf(riskTreatments, 'Välj hur risken ska hanteras.'),
  scope: oneOf(riskScopes, 'Välj om granskningen är nämndens egen eller kommungemensam.'),
  version: baseVersion,
})

export type RiskForm = z.output<typeof riskForm>

export const riskFormOptions = {
  likelihoodOptions: likelihoodScale.map((label, i) => ({ value: i + 1, label: `${i + 1} – ${label}` })),
  consequenceOptions: consequenceScale.map((label, i) => ({ value: i + 1, label: `${i + 1} – ${label}` })),
  treatmentOptions: riskTreatments.map((t) => ({ value: t.code, label: t.label })),
  scopeOptions: riskScopes.map((s) => ({ value: s.code, label: s.label })),
}
