import type { ExpressionBuilder } from 'kysely'
import type { Database } from '../../db/schema.js'
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
