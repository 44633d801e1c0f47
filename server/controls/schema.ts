import { z } from 'zod'
import type { CommitteeKind } from '../../db/schema.js'
import {
  baseVersion,
  chosenId,
  type FieldErrors,
  inOrderOf,
  oneOf,
  optionalText,
  queryParam,
  requiredDate,
  requiredText,
} from '../forms.js'
import { controlFrequencies, controlMethods, reportedToLabel, reportedToOptions } from '../vocabulary.js'
import { type LightCode, lights } from './traffic-light.js'

/** The control list's filter: one traffic light, or all (the roll-up's light counts link here). */
export const controlFilter = z.object({
  ljus: queryParam(
    'Välj ett trafikljus i listan.',
    (v) => v === '' || v in lights,
    (v) => (v === '' ? undefined : (v as LightCode)),
  ),
})

export const lightOptions = Object.values(lights).map((l) => ({ value: l.code, label: l.text }))

/**
 * A control as the secretary plans it. The method's own words are asked only for the method "Egen metod": for any
 * other the form hides the field, and whatever it sent is dropped.
 */
const controlFields = {
  riskId: chosenId('Välj vilken risk kontrollmomentet hör till.'),
  title: requiredText('Ange kontrollmomentets rubrik.'),
  whatIsChecked: optionalText(),
  method: oneOf(controlMethods, 'Välj en kontrollmetod i listan.'),
  methodOwn: optionalText(300),
  frequency: oneOf(controlFrequencies, 'Välj hur ofta kontrollen görs.'),
  ownerUnitId: chosenId('Välj ansvarig enhet.'),
  responsiblePerson: optionalText(200),
  reportedTo: oneOf(reportedToOptions, 'Välj vem kontrollen rapporteras till.'),
  version: baseVersion,
}

export const controlForm = z
  .object(controlFields)
  .superRefine((v, ctx) => {
    if (v.method === 'own' && v.methodOwn === '') {
      ctx.addIssue({ code: 'custom', path: ['methodOwn'], message: 'Beskriv den egna kontrollmetoden.' })
    }
  })
  .transform((v) => ({ ...v, methodOwn: v.method === 'own' ? v.methodOwn : '' }))

export type ControlForm = z.output<typeof controlForm>

/** A refused form's messages in the order of its fields: the own method's comes from a rule checked after the rest. */
export const inFormOrder = (errors: FieldErrors): FieldErrors => inOrderOf(controlFields, errors)

/** The secretary moves one occasion's planned date. */
export const moveDateForm = z.object({
  plannedDate: requiredDate('Ange det nya planerade datumet.'),
  version: baseVersion,
})

export const controlFormOptions = {
  methodOptions: controlMethods.map((m) => ({ value: m.code, label: m.label })),
  frequencyOptions: controlFrequencies.map((f) => ({
    value: f.code,
    label: f.occasions === 1 ? f.label : `${f.label} (${f.occasions} tillfällen)`,
  })),
}

/** Whom a control may be reported to, as the plan's committee or company names them. */
export const reportedToChoices = (kind: CommitteeKind) =>
  reportedToOptions.map((r) => ({ value: r.code, label: reportedToLabel(r.code, kind) }))
