import { z } from 'zod'
import type { RunResult, Severity } from '../../db/schema.js'
import {
  baseVersion,
  type FieldErrors,
  inOrderOf,
  oneOf,
  optionalDate,
  optionalText,
  requiredText,
  text,
} from '../forms.js'
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

/**
 * The fields of a run's report, each read on its own: the form's and the import's (a row of the sheet
 * Kontrolltillfällen), so that both take the same values.
 */
export const reportFields = {
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
}

type ReportField = keyof typeof reportFields
type ReportValues = z.output<z.ZodObject<typeof reportFields>>
type Issue<F extends string> = (field: F, message: string) => void

/** What a control not performed has none of: no day it was done, no sample. */
const performedOnly = [
  'performed_on',
  'population',
  'population_size',
  'sample_size',
  'sampling',
  'checked_count',
  'deviation_count',
] as const satisfies readonly ReportField[]

/**
 * The rules that compare a report's fields, each broken one said at the field to correct: the form's and the
 * import's. The sample's figures of a control not performed are not compared, as they are not kept (settledReport).
 */
export function reportRules(v: ReportValues, issue: Issue<ReportField>): void {
  if (v.result === null) issue('result', 'Välj resultatet av kontrollen.')
  if (v.result === 'not_performed') {
    if (v.not_performed_reason === '') issue('not_performed_reason', 'Ange varför kontrollen inte genomfördes.')
    return
  }
  if (v.performed_on === null) issue('performed_on', 'Ange vilket datum kontrollen genomfördes.')
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
}

/**
 * A report as it is kept: the reason belongs to a control not performed, and the day and sample to one performed.
 * The fields stay on the form whatever the result (so that a result chosen by mistake loses nothing typed), and
 * what does not belong to the result chosen is dropped rather than refused: it would be hidden on the run's page.
 */
function settledReport<V extends ReportValues>(v: V) {
  const notPerformed = v.result === 'not_performed'
  const report = {
    ...v,
    result: v.result as RunResult,
    not_performed_reason: notPerformed ? v.not_performed_reason : '',
  }
  if (notPerformed) {
    Object.assign(report, {
      performed_on: null,
      population: '',
      population_size: null,
      sample_size: null,
      sampling: null,
      checked_count: null,
      deviation_count: null,
    } satisfies Pick<ReportValues, (typeof performedOnly)[number]>)
  }
  return report
}

/** The fields of `v` the report does not keep (settledReport): what a file's row said in vain. */
export const droppedFields = (v: ReportValues): ReportField[] =>
  v.result === 'not_performed'
    ? performedOnly.filter((field) => v[field] !== null && v[field] !== '')
    : v.not_performed_reason === ''
      ? []
      : ['not_performed_reason']

const asIssue =
  <F extends string>(ctx: z.core.$RefinementCtx) =>
  (field: F, message: string) =>
    ctx.addIssue({ code: 'custom', path: [field], message })

/**
 * A run's report with the rules that hold wherever it comes from: an import's row (which brings reports of any
 * year) is read with this; the form adds the bounds of the date.
 */
export const runReport = z
  .object(reportFields)
  .superRefine((v, ctx) => reportRules(v, asIssue(ctx)))
  .transform(settledReport)

/**
 * The report form of a control run of a plan of `year`: performed in that year at the earliest (a mistyped year is
 * caught), and on `today` (the clock's Swedish date) at the latest.
 */
export const reportForm = (today: string, year: number) =>
  z
    .object({ ...reportFields, version: baseVersion })
    .superRefine((v, ctx) => {
      const issue = asIssue<ReportField>(ctx)
      reportRules(v, issue)
      if (v.result === 'not_performed' || v.performed_on === null) return
      if (v.performed_on > today) issue('performed_on', `Datumet kan inte vara senare än i dag, ${today}.`)
      if (v.performed_on < `${year}-01-01`) issue('performed_on', `Datumet kan inte vara före planens år, ${year}.`)
    })
    .transform(settledReport)

export type ReportForm = z.output<ReturnType<typeof reportForm>>

/** The fields of a deviation, the form's and the import's (a row of the sheet Avvikelser). */
export const deviationFields = {
  description: requiredText('Beskriv avvikelsen.', 2000),
  severity: oneOf(severities, 'Välj hur allvarlig avvikelsen är.') as z.ZodType<Severity>,
  decision: optionalOneOf(deviationDecisions, 'Välj ett beslut i listan, eller lämna det obesvarat.'),
  no_measure_reason: optionalText(2000),
}

type DeviationField = keyof typeof deviationFields
type DeviationValues = z.output<z.ZodObject<typeof deviationFields>>

export function deviationRules(v: DeviationValues, issue: Issue<DeviationField>): void {
  if (v.decision === 'no_measure' && v.no_measure_reason === '') {
    issue('no_measure_reason', 'Ange varför ingen åtgärd behövs.')
  }
}

/** Only a decision of no measure has a reason; a hidden field's text is not kept. */
const settledDeviation = <V extends DeviationValues>(v: V) => ({
  ...v,
  no_measure_reason: v.decision === 'no_measure' ? v.no_measure_reason : '',
})

export const deviationForm = z
  .object({ ...deviationFields, version: baseVersion })
  .superRefine((v, ctx) => deviationRules(v, asIssue(ctx)))
  .transform(settledDeviation)

export type DeviationForm = z.output<typeof deviationForm>

/** A deviation as an import's row gives it: the form's fields and rules, without a version. */
export const runDeviation = z
  .object(deviationFields)
  .superRefine((v, ctx) => deviationRules(v, asIssue(ctx)))
  .transform(settledDeviation)

/** A refused form's messages in the order of its fields (see inOrderOf). */
export const inFieldOrder = (errors: FieldErrors, form: 'report' | 'deviation'): FieldErrors =>
  inOrderOf(form === 'report' ? reportFields : deviationFields, errors)

export const resultOptions = runResults.map((r) => ({ value: r.code, label: r.label }))
export const samplingOptions = samplings.map((s) => ({ value: s.code, label: s.label }))
export const severityOptions = severities.map((s) => ({ value: s.code, label: s.label }))
export const decisionOptions = deviationDecisions.map((d) => ({ value: d.code, label: d.label }))
