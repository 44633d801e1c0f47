import { type Insertable, sql, type Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { ControlTable } from '../../db/schema.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import type { Saved } from '../versioned.js'
import { plannedDates } from './occasions.js'
import { insertControl, insertRun, updateControl } from './repository.js'

// A control's occasions are records of their own in the audit log: each one made, moved or dropped is a row.

/** Makes a control with the occasions its frequency gives in the plan's year, each in the log, in the caller's transaction. */
export async function createControl(
  db: Db,
  actor: Actor,
  plan: { id: number; year: number },
  control: Insertable<ControlTable>,
): Promise<number> {
  const id = await audited(db, actor, 'create', { entity: 'control', planId: plan.id }, () =>
    insertControl(db, control),
  )
  for (const [i, planned_date] of plannedDates(control.frequency, plan.year).entries()) {
    await audited(db, actor, 'create', { entity: 'control_run', planId: plan.id }, () =>
      insertRun(db, { control_id: id, occasion: i + 1, planned_date }),
    )
  }
  return id
}

/**
 * Saves an edit of a control made on `baseVersion` (updateVersioned), in the caller's transaction. A new frequency
 * gives the control that frequency's occasions: those not yet reported are planned afresh, those beyond the new
 * count go, reported ones stay as they were (the form refuses a change that would drop one: reportedBeyond).
 */
export async function changeControl(
  db: Db,
  actor: Actor,
  plan: { id: number; year: number },
  id: number,
  baseVersion: number,
  changes: Updateable<ControlTable>,
): Promise<Saved> {
  const before = await db.selectFrom('control').select('frequency').where('id', '=', id).executeTakeFirstOrThrow()
  const saved = await audited(db, actor, 'update', { entity: 'control', id, planId: plan.id }, () =>
    updateControl(db, id, baseVersion, changes),
  )
  const frequency = (saved.written as Updateable<ControlTable>).frequency
  if (frequency === undefined || frequency === before.frequency) return saved
  const dates = plannedDates(frequency, plan.year)
  const runs = await db
    .selectFrom('control_run')
    .select(['id', 'occasion', 'result'])
    .where('control_id', '=', id)
    .execute()
  for (const run of runs) {
    const target = { entity: 'control_run', id: run.id, planId: plan.id } as const
    const date = dates[run.occasion - 1]
    if (date === undefined) {
      await audited(db, actor, 'delete', target, () => db.deleteFrom('control_run').where('id', '=', run.id).execute())
    } else if (run.result === null) {
      await audited(db, actor, 'update', target, () =>
        db
          .updateTable('control_run')
          .set({ planned_date: date, version: sql<number>`version + 1` })
          .where('id', '=', run.id)
          .execute(),
      )
    }
  }
  for (const [i, planned_date] of dates.entries()) {
    if (runs.some((r) => r.occasion === i + 1)) continue
    await audited(db, actor, 'create', { entity: 'control_run', planId: plan.id }, () =>
      insertRun(db, { control_id: id, occasion: i + 1, planned_date }),
    )
  }
  return saved
}
