import { z } from 'zod'
import type { RunResult, Severity } from '../../db/schema.js'
import { baseVersion, type FieldErrors, oneOf, optionalDate, optionalText, requiredText, text } from '../forms.js'
import { deviationDecisions, runResults, samplings, severities } from '../vocabulary.js'

/** A radio group that may be left unanswered: empty is null, anything else must be one of the list's codes. */
const optionalOneOf = <C extends string>(list: readonly { code: C }[], message: string) =>
  text.pipe(
    z
      .string()
      .refine((v) => v === '' || list.some((item) => item.code === v), { message })
      .transform((v) => (v === '' ? null : (v as C))),
  )

/** A count of cases, or empty; "1 200" is read as 1200, the way a Swede may write it. */
const count = text.pipe(
  z
    .string()
    .transform((v) => v.replace(/\s/g, ''))
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), { message: 'Ange ett heltal, 0 eller större.' })
    .transform((v) => (v === '' ? null : Number(v))),
)

const reportFields = {
  // Checked below with the rest, so that an empty form says everything it lacks at once.
  result: optionalOneOf(runResults, 'Välj resultatet av kontrollen.'),
  not_performed_reason: optionalText(2000),
  performed_on: optionalDate,
  performed_by: optionalText(200),
  population: optionalText(300),
  population_size: count,
  sample_size: count,
  sampling: optionalOneOf(samplings, 'Välj hur urvalet gjordes.'),
  checked_count: count,
  deviation_count: count,
  comment: optionalText(),
  version: baseVersion,
}

/**
 * The report of a control run of a plan of `year`: performed in that year at the earliest (a mistyped year is
 * caught), and on `today` (the clock's Swedish date) at the latest.
 */
export const reportForm = (today: string, year: number) =>
  z
    .object(reportFields)
    .superRefine((v, ctx) => {
      const issue = (field: keyof typeof reportFields, message: string) =>
        ctx.addIssue({ code: 'custom', path: [field], message })
      if (v.result === null) issue('result', 'Välj resultatet av kontrollen.')
      if (v.result === 'not_performed' && v.not_performed_reason === '') {
        issue('not_performed_reason', 'Ange varför kontrollen inte genomfördes.')
      }
      if (v.result !== 'not_performed' && v.performed_on === null) {
        issue('performed_on', 'Ange vilket datum kontrollen genomfördes.')
      }
      if (v.performed_on !== null && v.performed_on > today) {
        issue('performed_on', `Datumet kan inte vara senare än i dag, ${today}.`)
      }
      if (v.performed_on !== null && v.performed_on < `${year}-01-01`) {
        issue('performed_on', `Datumet kan inte vara före planens år, ${year}.`)
      }
      // A field that failed its own rule still reaches this check, with a value that is no count.
      const known = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n)
      const atMost = (a: number | null, b: number | null) => !known(a) || !known(b) || a <= b
      if (!atMost(v.sample_size, v.population_size)) {
        issue('sample_size', 'Stickprovet kan inte vara större än populationen.')
      }
      if (!atMost(v.checked_count, v.sample_size)) {
        issue('checked_count', 'Antalet kontrollerade kan inte vara fler än stickprovet.')
      }
      if (!atMost(v.deviation_count, v.checked_count)) {
        issue('deviation_count', 'Antalet med avvikelser kan inte vara fler än antalet kontrollerade.')
      }
      if (v.result === 'deviations' && v.deviation_count === 0) {
        issue(
          'deviation_count',
          'Med avvikelser betyder att minst ett fall hade avvikelser: ange antalet, eller lämna fältet tomt.',
        )
      }
      if (v.result === 'no_remarks' && v.deviation_count !== null && v.deviation_count > 0) {
        issue(
          'deviation_count',
          'Utan anmärkning betyder inga avvikelser: ange 0 eller lämna fältet tomt, eller välj Med avvikelser.',
        )
      }
    })
    .transform((v) => ({ ...v, result: v.result as RunResult }))

export type ReportForm = z.output<ReturnType<typeof reportForm>>

const deviationFields = {
  description: requiredText('Beskriv avvikelsen.', 2000),
  severity: oneOf(severities, 'Välj hur allvarlig avvikelsen är.') as z.ZodType<Severity>,
  decision: optionalOneOf(deviationDecisions, 'Välj ett beslut i listan, eller lämna det obesvarat.'),
  no_measure_reason: optionalText(2000),
  version: baseVersion,
}

export const deviationForm = z.object(deviationFields).superRefine((v, ctx) => {
  if (v.decision === 'no_measure' && v.no_measure_reason === '') {
    ctx.addIssue({ code: 'custom', path: ['no_measure_reason'], message: 'Ange varför ingen åtgärd behövs.' })
  }
})

export type DeviationForm = z.output<typeof deviationForm>

/**
 * The messages in the order of the form's fields: the rules that compare fields run after those of each field,
 * yet the error summary should read top to bottom like the form.
 */
export function inFieldOrder(errors: FieldErrors, form: 'report' | 'deviation'): FieldErrors {
  const order = Object.keys(form === 'report' ? reportFields : deviationFields)
  return Object.fromEntries(Object.entries(errors).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)))
}

export const resultOptions = runResults.map((r) => ({ value: r.code, label: r.label }))
export const samplingOptions = samplings.map((s) => ({ value: s.code, label: s.label }))
export const severityOptions = severities.map((s) => ({ value: s.code, label: s.label }))
export const decisionOptions = deviationDecisions.map((d) => ({ value: d.code, label: d.label }))
