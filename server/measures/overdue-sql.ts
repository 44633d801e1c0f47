import type { ExpressionBuilder } from 'kysely'
import type { Database, MeasureStatus } from '../../db/schema.js'
import { finishedStatuses } from '../vocabulary.js'

/**
 * Försenad in SQL, for queries that count or filter overdue measures: the same rule as isOverdue (vocabulary.ts),
 * past its due date on `today` and not finished.
 */
export const overdueOn = (today: string) => (eb: ExpressionBuilder<Database, 'measure'>) =>
  eb.and([
    eb('measure.due_date', 'is not', null),
    eb('measure.due_date', '<', today),
    eb('measure.status', 'not in', finishedStatuses),
  ])

/** Rows counted per plan and status (with overdueOn) as the pages read them: counts as numbers, statuses typed. */
export const statusCounts = (
  rows: { planId: number; status: string; count: number | string; overdue: number | string }[],
) =>
  rows.map((r) => ({
    planId: r.planId,
    status: r.status as MeasureStatus,
    count: Number(r.count),
    overdue: Number(r.overdue),
  }))
