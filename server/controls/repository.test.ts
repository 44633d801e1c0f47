import { describe, expect, it } from 'vitest'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { aControl, aMeasure, demoPlan } from '../../test/helpers/builders.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { auditCascade, audited, auditedTransaction } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import {
  findControl,
  insertDeviation,
  listControlsOfPlan,
  listRunsDue,
  listRunsOfControl,
  reportedBeyond,
  updateRun,
} from './repository.js'
import { changeControl } from './write.js'

async function setUp() {
  const db = await openTestDatabase()
  await loadDemoDataIfEmpty(db, new Date('2020-01-10T09:00:00Z'), { currentYear: false })
  const demo = await demoPlan(db)
  const riskId = demo.risks[3]?.id as number
  const hr = demo.unit('HR-avdelningen')
  return { db, ...demo, riskId, hr }
}

const actor = { userId: null, userName: 'Test', at: '2020-05-01T08:00:00.000Z' }

const report = (result: 'no_remarks' | 'deviations' | 'not_performed') => ({
  result,
  performed_on: result === 'not_performed' ? null : '2020-03-20',
  reported_on: '2020-03-21',
})

describe('controls', () => {
  it('get the occasions of their frequency in the plan year', async () => {
    const { db, riskId, hr } = await setUp()
    const id = await aControl(db, riskId, hr, { frequency: 'tertial' })
    const runs = await listRunsOfControl(db, id)
    expect(runs.map((r) => [r.occasion, r.planned_date, r.result])).toEqual([
      [1, '2020-04-30', null],
      [2, '2020-08-31', null],
      [3, '2020-12-31', null],
    ])
  })

  it('show green until a run finds deviations, yellow then, and red once a run is missed or overdue', async () => {
    const { db, planId, riskId, hr } = await setUp()
    const id = await aControl(db, riskId, hr)
    const light = async (today: string) => (await findControl(db, planId, id, today))?.light.code
    expect(await light('2020-03-31')).toBe('green')
    const [first, second] = await listRunsOfControl(db, id)
    await updateRun(db, first?.id as number, 1, report('no_remarks'))
    expect(await light('2020-06-30')).toBe('green')
    await updateRun(db, first?.id as number, 2, report('deviations'))
    expect(await light('2020-06-30')).toBe('yellow')
    // The second occasion's planned date has passed without a report.
    expect(await light('2020-07-01')).toBe('red')
    await updateRun(db, second?.id as number, 1, report('not_performed'))
    const control = await findControl(db, planId, id, '2020-07-01')
    expect(control).toMatchObject({ planned: 4, done: 1, withDeviations: 1, missed: 1 })
    expect((await listControlsOfPlan(db, planId, '2020-07-01')).map((c) => c.light.code)).toEqual(['red'])
  })

  it('keep their reported runs when the frequency changes, and plan the others afresh', async () => {
    const { db, planId, riskId, hr } = await setUp()
    const id = await aControl(db, riskId, hr, { frequency: 'monthly' })
    const runs = await listRunsOfControl(db, id)
    await updateRun(db, runs[1]?.id as number, 1, report('no_remarks'))
    await updateRun(db, runs[3]?.id as number, 1, report('no_remarks'))
    // Half-yearly has two occasions: the fourth month's report would be left without one.
    expect((await reportedBeyond(db, id, 'half_yearly', 2020)).map((r) => r.occasion)).toEqual([4])
    expect(await reportedBeyond(db, id, 'quarterly', 2020)).toEqual([])
    await changeControl(db, actor, { id: planId, year: 2020 }, id, 1, { frequency: 'quarterly' })
    const after = await listRunsOfControl(db, id)
    expect(after.map((r) => [r.occasion, r.planned_date, r.result])).toEqual([
      [1, '2020-03-31', null],
      [2, '2020-02-29', 'no_remarks'],
      [3, '2020-09-30', null],
      [4, '2020-04-30', 'no_remarks'],
    ])
    const runEvents = await db.selectFrom('audit_event').select('action').where('entity', '=', 'control_run').execute()
    expect(runEvents.filter((e) => e.action === 'delete')).toHaveLength(8)
    expect((await findControl(db, planId, id, '2020-01-01'))?.frequency).toBe('quarterly')
  })

  it('list the runs due of an owner unit’s controls, overdue first, and of no other unit', async () => {
    const { db, riskId, hr, unit } = await setUp()
    const id = await aControl(db, riskId, hr, { title: 'HR:s kontroll' })
    await aControl(db, riskId, unit('Utbildningsområden'), { title: 'Utbildningsområdenas kontroll' })
    const due = await listRunsDue(db, { ownerUnitIds: [hr] }, '2020-07-15', 10)
    expect(due.map((r) => [r.controlTitle, r.planned_date])).toEqual([
      ['HR:s kontroll', '2020-03-31'],
      ['HR:s kontroll', '2020-06-30'],
    ])
    const first = (await listRunsOfControl(db, id))[0]
    await updateRun(db, first?.id as number, 1, report('no_remarks'))
    expect(await listRunsDue(db, { ownerUnitIds: [hr] }, '2020-07-15', 10)).toHaveLength(1)
    expect(await listRunsDue(db, { ownerUnitIds: [] }, '2020-07-15', 10)).toEqual([])
  })

  it('leave a complete audit log when their risk is deleted with runs, deviations and a measure made from one', async () => {
    const { db, planId, riskId, hr } = await setUp()
    const id = await aControl(db, riskId, hr)
    const run = (await listRunsOfControl(db, id))[0]
    const deviationId = await audited(db, actor, 'create', { entity: 'control_deviation', planId }, () =>
      insertDeviation(db, {
        run_id: run?.id as number,
        description: 'Utdrag saknades för två anställda.',
        severity: 'high',
        decision: 'measure_required',
        no_measure_reason: '',
        position: 1,
      }),
    )
    // Another risk's measure decided for the deviation keeps living, without its origin.
    const otherRisk = (await demoPlan(db)).risks[0]?.id as number
    const measureId = await audited(db, actor, 'create', { entity: 'measure', planId }, () =>
      aMeasure(db, otherRisk, hr),
    )
    await audited(db, actor, 'update', { entity: 'measure', id: measureId, planId }, () =>
      db.updateTable('measure').set({ origin_deviation_id: deviationId }).where('id', '=', measureId).execute(),
    )

    await auditedTransaction(db, actor, 'delete', { entity: 'risk', id: riskId, planId }, async (trx) => {
      await auditCascade(trx, actor, planId, { entity: 'risk', id: riskId })
      await trx.deleteFrom('risk').where('id', '=', riskId).execute()
    })
    const entities = await db
      .selectFrom('audit_event')
      .select(['entity', 'action'])
      .where('entity', 'in', ['control', 'control_run', 'control_deviation'])
      .where('action', '=', 'delete')
      .execute()
    expect(entities.filter((e) => e.entity === 'control_run')).toHaveLength(4)
    expect(entities.filter((e) => e.entity === 'control_deviation')).toHaveLength(1)
    expect(entities.filter((e) => e.entity === 'control')).toHaveLength(1)
    const measure = await db
      .selectFrom('measure')
      .select('origin_deviation_id')
      .where('id', '=', measureId)
      .executeTakeFirst()
    expect(measure?.origin_deviation_id).toBeNull()
    expect(await db.selectFrom('control_run').select('id').execute()).toEqual([])
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })
})
