import type {
  CommitteeKind,
  ControlFrequency,
  ControlMethod,
  DeviationDecision,
  ReportedTo,
  RunResult,
} from '../../db/schema.js'
import {
  controlFrequencies,
  controlMethods,
  deviationDecisions,
  labelOf,
  reportedToLabel,
  runResults,
} from '../vocabulary.js'

/** The method as a person reads it: the committee's own words for an own method, else its label. */
export function methodText(control: { method: ControlMethod; method_own: string }): string {
  const own = control.method === 'own' ? control.method_own.trim() : ''
  return own === '' ? labelOf(controlMethods, control.method) : own
}

/**
 * A control's coded fields as a person reads them: the method (or the committee's own words for it), and so on;
 * whom it is reported to as the committee or company of its plan (`kind`) names it.
 */
export function controlLabels(
  control: {
    method: ControlMethod
    method_own: string
    frequency: ControlFrequency
    reported_to: ReportedTo
  },
  kind: CommitteeKind,
) {
  return {
    methodText: methodText(control),
    frequencyLabel: labelOf(controlFrequencies, control.frequency),
    reportedToLabel: reportedToLabel(control.reported_to, kind),
  }
}

export type RunStateCode = RunResult | 'overdue' | 'not_reported'

/**
 * Where an occasion (tillfälle, neuter) stands: its result once reported; before that "Försenat" once its planned
 * date has passed, else "Ej rapporterat". Every page and the report say it this way.
 */
export function runStateOf(
  run: { result: RunResult | null; planned_date: string },
  today: string,
): { code: RunStateCode; label: string } {
  if (run.result !== null) return { code: run.result, label: labelOf(runResults, run.result) }
  return run.planned_date < today
    ? { code: 'overdue', label: 'Försenat' }
    : { code: 'not_reported', label: 'Ej rapporterat' }
}

/** A deviation not yet decided (Åtgärd krävs or Ingen åtgärd), as every page says it. */
export const undecidedText = 'Inte beslutat'

/** A deviation's decision in words: its label, or undecidedText (with `undecided` set, for a muted look). */
export function decisionOf(deviation: { decision: DeviationDecision | null }) {
  return deviation.decision === null
    ? { decisionLabel: undecidedText, undecided: true }
    : { decisionLabel: labelOf(deviationDecisions, deviation.decision), undecided: false }
}

/** How a measure names the deviation it was decided for: its page, and the workbook's Ursprung column. */
export const deviationOriginText = (d: { controlTitle: string; occasion: number }) =>
  `Avvikelse vid kontrollmoment ${d.controlTitle}, tillfälle ${d.occasion}`
