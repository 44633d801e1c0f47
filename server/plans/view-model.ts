import type { MeasureStatus, Risk } from '../../db/schema.js'
import type { SinceLastYear } from '../next-year/since-last-year.js'
import { withEnds } from '../ordering.js'
import { riskSummary } from '../risks/view-model.js'
import { countByStatus, isOverdue, swedishOrder } from '../vocabulary.js'

/** Plans under their committees, the committees in Swedish order of municipality and name; plans keep their order. */
export function plansByCommittee<P extends { committeeId: number; committeeName: string; municipalityName: string }>(
  plans: readonly P[],
) {
  const committees = [...new Map(plans.map((p) => [p.committeeId, p])).values()].sort(
    (a, b) =>
      swedishOrder.compare(a.municipalityName, b.municipalityName) ||
      swedishOrder.compare(a.committeeName, b.committeeName),
  )
  return committees.map((c) => ({
    id: c.committeeId,
    name: c.committeeName,
    municipality: c.municipalityName,
    plans: plans.filter((p) => p.committeeId === c.committeeId),
  }))
}

type MeasureRow = { risk_id: number; status: MeasureStatus; due_date: string | null }

/**
 * The plan page: risks in report order with their measures and how each stands against last year, and the
 * count of measures per status.
 */
export function planOverview<M extends MeasureRow>(
  risks: Risk[],
  measures: M[],
  today: string,
  since: ReadonlyMap<number, SinceLastYear> = new Map(),
) {
  const shown = measures.map((m) => ({ ...m, overdue: isOverdue(m, today) }))
  return {
    risks: withEnds(risks).map((risk) => ({
      ...riskSummary(risk),
      sinceLastYear: since.get(risk.id),
      measures: withEnds(shown.filter((m) => m.risk_id === risk.id)),
    })),
    statusCounts: countByStatus(measures),
    overdueCount: shown.filter((m) => m.overdue).length,
    measureCount: measures.length,
  }
}
