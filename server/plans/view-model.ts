import type { MeasureStatus, Risk } from '../../db/schema.js'
import { riskSummary } from '../risks/view-model.js'
import { isOverdue, measureStatuses } from '../vocabulary.js'

type MeasureRow = { risk_id: number; status: MeasureStatus; due_date: string | null }

/** The plan page: risks in report order with their measures, and the count of measures per status. */
export function planOverview<M extends MeasureRow>(risks: Risk[], measures: M[], today: string) {
  const shown = measures.map((m) => ({ ...m, overdue: isOverdue(m, today) }))
  return {
    risks: risks.map((risk, index) => ({
      ...riskSummary(risk),
      first: index === 0,
      last: index === risks.length - 1,
      measures: shown.filter((m) => m.risk_id === risk.id),
    })),
    statusCounts: measureStatuses.map((s) => ({
      ...s,
      count: measures.filter((m) => m.status === s.code).length,
    })),
    overdueCount: shown.filter((m) => m.overdue).length,
    measureCount: measures.length,
  }
}
