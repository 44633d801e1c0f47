import { describe, expect, it } from 'vitest'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { aControl, aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { addDays } from '../dates.js'
import { findDueReminders } from './find.js'

/** The demo's people, and a 2027 plan with a measure and a quarterly control, both of Utbildningsområden. */
async function fixture() {
  const db = await openTestDatabase()
  await loadDemoDataIfEmpty(db, new Date('2026-12-01T09:00:00Z'), { currentYear: false })
  const { unit } = await demoPlan(db)
  const planId = await anotherPlan(db, 2027)
  const riskId = await aRisk(db, planId)
  const measureId = await aMeasure(db, riskId, unit('Utbildningsområden'), { dueDate: '2027-03-15' })
  const controlId = await aControl(db, riskId, unit('Utbildningsområden'))
  const run = await db
    .selectFrom('control_run')
    .select(['id', 'planned_date'])
    .where('control_id', '=', controlId)
    .orderBy('occasion')
    .executeTakeFirstOrThrow()
  return { db, unit, controlId, measureId, run }
}

describe('the reminders due on a day', () => {
  it('leave out the runs of a control carried into a later plan, which is followed up there', async () => {
    const { db, unit, controlId, measureId, run } = await fixture()
    // Three days before the first occasion, which is also past the measure's due date.
    const today = addDays(run.planned_date, -3)
    const keys = async () => (await findDueReminders(db, today, undefined)).reminders.map((r) => r.key)
    expect(await keys()).toContain(`run:${run.id}:due:${run.planned_date}:before:3`)

    const laterPlan = await anotherPlan(db, 2028)
    const copy = await aControl(db, await aRisk(db, laterPlan), unit('Utbildningsområden'))
    await db.updateTable('control').set({ previous_control_id: controlId }).where('id', '=', copy).execute()
    const carried = await keys()
    expect(carried.filter((key) => key.startsWith(`run:${run.id}:`))).toEqual([])
    // The plan's other things are reminded of as before.
    expect(carried.some((key) => key.startsWith(`measure:${measureId}:`))).toBe(true)
    await db.destroy()
  })
})
