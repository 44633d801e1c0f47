import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyAudit } from '../../server/audit/verify.js'
import { loadViewer } from '../../server/auth/repository.js'
import { loadConfig } from '../../server/config.js'
import { listControlsOfPlan, listRunsDue } from '../../server/controls/repository.js'
import { addDays, swedishDate } from '../../server/dates.js'
import { isFinished, isOverdue, scoreBand } from '../../server/vocabulary.js'
import { planSize } from '../../test/helpers/builders.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { type Db, migrateToLatest, openDatabase } from '../connection.js'
import { loadDemoDataIfEmpty, resetToDemoData } from './demo.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function freshFile() {
  const dir = mkdtempSync(join(tmpdir(), 'ik-seed-'))
  dirs.push(dir)
  const db = openDatabase(join(dir, 'nested', 'ik.sqlite'))
  await migrateToLatest(db)
  return db
}

/** A committee's plan of a year (Grundskolenämnden's unless told). */
const planOf = (db: Db, year: number, committee = 'Grundskolenämnden') =>
  db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .selectAll('plan')
    .where('plan.year', '=', year)
    .where('committee.name', '=', committee)
    .executeTakeFirstOrThrow()

/** What a plan holds, by its year. */
const counts = async (db: Db, year: number) => {
  const plan = await planOf(db, year)
  return {
    ...(await planSize(db, plan.id)),
    reviews: (await db.selectFrom('review').select('id').where('plan_id', '=', plan.id).execute()).length,
  }
}

const organisation = async (db: Db) => ({
  plans: await db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select(['plan.year', 'plan.title', 'committee.name as committee'])
    .orderBy('plan.id')
    .execute(),
  units: (await db.selectFrom('owner_unit').select('name').orderBy('name').execute()).map((u) => u.name),
  inspections: (await db.selectFrom('inspection').select('principal').orderBy('decision_date').execute()).map(
    (i) => i.principal,
  ),
  areas: (await db.selectFrom('development_area').select('id').execute()).length,
})

async function demoInMemory(now: Date) {
  const db = await openTestDatabase()
  await loadDemoDataIfEmpty(db, now)
  return db
}

/** The 2020 plan's records as they are stored. */
async function plan2020(db: Db) {
  const plan = await db.selectFrom('plan').selectAll().where('year', '=', 2020).executeTakeFirstOrThrow()
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', plan.id).orderBy('id').execute()
  const measures = await db
    .selectFrom('measure')
    .selectAll()
    .where(
      'risk_id',
      'in',
      risks.map((r) => r.id),
    )
    .orderBy('id')
    .execute()
  const reviews = await db.selectFrom('review').selectAll().where('plan_id', '=', plan.id).orderBy('id').execute()
  return { plan, risks, measures, reviews }
}

/**
 * A plan's deviations in the order of their controls, each with the measure decided for it (of the same plan,
 * with a title, owner and due date) or none.
 */
async function deviationsWithMeasures(db: Db, planId: number) {
  const rows = await db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk as control_risk', 'control_risk.id', 'control.risk_id')
    .leftJoin('measure', 'measure.origin_deviation_id', 'control_deviation.id')
    .leftJoin('risk', 'risk.id', 'measure.risk_id')
    .select([
      'control.title as controlTitle',
      'control_deviation.decision',
      'control_deviation.no_measure_reason',
      'control_run.result',
      'measure.title',
      'measure.owner_unit_id',
      'measure.due_date',
      'measure.status',
      'risk.plan_id',
    ])
    .where('control_risk.plan_id', '=', planId)
    .orderBy('control_risk.position')
    .orderBy('control.position')
    .execute()
  for (const d of rows.filter((row) => row.decision === 'measure_required')) {
    expect(d).toMatchObject({
      title: expect.stringMatching(/\w/),
      owner_unit_id: expect.any(Number),
      due_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      plan_id: planId,
    })
  }
  return rows
}

describe('demo data', () => {
  it('loads Grundskolenämnden 2020 and the current year, Förskolenämnden and the company, into an empty SQLite file, once', async () => {
    const db = await freshFile()
    const now = new Date()
    const year = Number(swedishDate(now).slice(0, 4))
    expect(await loadDemoDataIfEmpty(db, now)).toBe(true)
    expect(await loadDemoDataIfEmpty(db, now)).toBe(false)
    expect(await organisation(db)).toEqual({
      plans: [
        { year: 2020, title: 'Internkontrollplan 2020', committee: 'Grundskolenämnden' },
        { year, title: `Internkontrollplan ${year}`, committee: 'Grundskolenämnden' },
        { year, title: `Internkontrollplan ${year}`, committee: 'Förskolenämnden' },
        { year, title: `Internkontrollplan ${year}`, committee: 'Malmö Stadsfastigheter AB' },
      ],
      units: [
        'Ekonomi',
        'Ekonomiavdelningen',
        'Förvaltningsavdelningen',
        'Grundskolenämnden',
        'HR-avdelningen',
        'HR-avdelningen',
        'Kansliavdelningen',
        'Upphandling',
        'Utbildningsområden',
        'Verksamhetsstöd och utveckling',
      ],
      inspections: ['Trelleborgs kommun', 'Landskrona kommun', 'Borlänge kommun', 'Perstorps kommun'],
      areas: 7,
    })
    expect(await counts(db, 2020)).toEqual({ risks: 6, measures: 12, reviews: 8 })
    // Every risk is copied, the five unfinished measures are carried and HR's check is added; reviews stay. The
    // municipality-wide review adds its risk, its review row and the committee's measure under it.
    expect(await counts(db, year)).toEqual({ risks: 7, measures: 7, reviews: 1 })
    // Landskrona's finding on grading is linked to Malmö's risk of grades diverging from the national tests, and
    // to its copy in the current year's plan.
    const linked = await db
      .selectFrom('development_area_risk')
      .innerJoin('risk', 'risk.id', 'development_area_risk.risk_id')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .innerJoin('development_area', 'development_area.id', 'development_area_risk.area_id')
      .select(['plan.year', 'risk.title', 'development_area.heading'])
      .orderBy('plan.year')
      .execute()
    const landskrona = {
      title: 'Diskrepans mellan betyg på nationella proven och betyg',
      heading: 'Rättvisande och likvärdiga betyg (Asmundtorps skola)',
    }
    expect(linked).toEqual([
      { year: 2020, ...landskrona },
      { year, ...landskrona },
    ])
    const { journal_mode } = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0] ?? {}
    expect(journal_mode).toBe('wal')
    await db.destroy()
  })

  it("carries the 2020 plan into the Swedish calendar's current year, scored, with work overdue and due soon", async () => {
    // Half past midnight on New Year's Day in Stockholm, still the old year in UTC.
    const now = new Date('2025-12-31T23:30:00Z')
    const db = await demoInMemory(now)
    const plan = await planOf(db, 2026)
    expect(plan.title).toBe('Internkontrollplan 2026')

    // The committee's own risks: the municipality-wide review's copy is kommunstyrelsen's (see below).
    const risks = await db
      .selectFrom('risk')
      .selectAll()
      .where('plan_id', '=', plan.id)
      .where('municipal_item_id', 'is', null)
      .orderBy('position')
      .execute()
    const { risks: originals } = await plan2020(db)
    expect(risks.map((r) => [r.title, r.previous_risk_id])).toEqual(originals.map((r) => [r.title, r.id]))
    const bands = risks.map((r) => {
      expect(r.likelihood).not.toBeNull()
      expect(r.consequence).not.toBeNull()
      return scoreBand((r.likelihood as number) * (r.consequence as number)).code
    })
    expect(new Set(bands)).toEqual(new Set(['low', 'medium', 'high']))

    const measures = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select(['measure.title', 'measure.status', 'measure.due_date', 'owner_unit.name as owner'])
      .where('risk.plan_id', '=', plan.id)
      .where('risk.municipal_item_id', 'is', null)
      .orderBy('measure.due_date')
      .execute()
    const today = '2026-01-01'
    expect(measures.every((m) => m.due_date !== null)).toBe(true)
    expect(measures.filter((m) => isOverdue(m, today)).map((m) => [m.title, m.due_date])).toEqual([
      ['Fördjupad analys och upprättande av handlingsplan', '2025-12-11'],
      ['Kompetenshöjande insats för skolledare kring elevhälsouppdraget', '2025-12-26'],
    ])
    const inFourWeeks = '2026-01-29'
    const dueSoon = measures.filter(
      (m) => !isFinished(m.status) && (m.due_date as string) >= today && (m.due_date as string) <= inFourWeeks,
    )
    expect(dueSoon.map((m) => [m.title, m.owner])).toEqual([
      ['Stickprovskontroll av utdrag ur belastningsregistret vid nyanställning', 'HR-avdelningen'],
      ['Främja ökad likvärdighet med hjälp av förvaltningsgemensam mall för lokal elevhälsoplan', 'Utbildningsområden'],
    ])
    // Each demo owner's start page has work to do.
    for (const owner of ['HR-avdelningen', 'Utbildningsområden']) {
      expect(measures.some((m) => m.owner === owner && !isFinished(m.status))).toBe(true)
    }
    expect(new Set(measures.map((m) => m.status)).size).toBeGreaterThan(2)
    await db.destroy()
  })

  it('leaves the 2020 plan as the source has it, and its log verifies clean', async () => {
    const carried = await demoInMemory(new Date('2026-12-07T09:00:00Z'))
    // Loaded during 2020 the demo has no later plan, so this is the 2020 plan with nothing carried from it.
    const alone = await demoInMemory(new Date('2020-08-01T09:00:00Z'))
    expect(await organisation(alone)).toMatchObject({
      plans: [{ year: 2020, title: 'Internkontrollplan 2020', committee: 'Grundskolenämnden' }],
    })
    expect(await plan2020(carried)).toEqual(await plan2020(alone))
    const after = await plan2020(carried)
    expect(after.risks.every((r) => r.likelihood === null && r.consequence === null)).toBe(true)
    expect(after.measures.every((m) => m.due_date === null)).toBe(true)

    const { auditKey } = loadConfig({ NODE_ENV: 'test' })
    const result = await verifyAudit(carried, { key: auditKey, anchorFile: null })
    expect(result.findings).toEqual([])
    const actors = await carried.selectFrom('audit_event').select('user_name').distinct().execute()
    expect(actors).toEqual([{ user_name: 'Demodata (db:seed)' }])
    await Promise.all([carried.destroy(), alone.destroy()])
  })

  it('resets an edited database back to the demo plans', async () => {
    const db = await freshFile()
    const now = new Date('2021-03-15T09:00:00Z')
    await loadDemoDataIfEmpty(db, now)
    await db.deleteFrom('risk').where('position', '>', 2).execute()
    await db.deleteFrom('inspection').where('principal', '=', 'Perstorps kommun').execute()
    await resetToDemoData(db, now)
    expect(await counts(db, 2020)).toEqual({ risks: 6, measures: 12, reviews: 8 })
    expect(await counts(db, 2021)).toEqual({ risks: 7, measures: 7, reviews: 1 })
    expect(await organisation(db)).toMatchObject({ areas: 7 })
    await db.destroy()
  })

  it('gives Förskolenämnden a plan kept through controls: every frequency, runs with samples, deviations that became measures', async () => {
    const today = '2026-12-07'
    const db = await demoInMemory(new Date(`${today}T09:00:00Z`))
    const plan = await planOf(db, 2026, 'Förskolenämnden')
    expect(plan).toMatchObject({
      title: 'Internkontrollplan 2026',
      adopted_meeting_date: '2025-12-10',
      adopted_minutes_paragraph: 187,
      adopted_diary_number: 'FSF-2025-04711',
    })
    // Made after Grundskolenämnden's plans, which keep their ids.
    expect(plan.id).toBeGreaterThan((await planOf(db, 2026)).id)

    const controls = await listControlsOfPlan(db, plan.id, today)
    expect(new Set(controls.map((c) => c.frequency))).toEqual(
      new Set(['monthly', 'quarterly', 'tertial', 'half_yearly', 'yearly', 'once']),
    )
    expect(new Set(controls.map((c) => c.method)).size).toBe(6)
    expect(new Set(controls.map((c) => c.light.code))).toEqual(new Set(['green', 'yellow', 'red']))

    const runs = await db
      .selectFrom('control_run')
      .innerJoin('control', 'control.id', 'control_run.control_id')
      .innerJoin('risk', 'risk.id', 'control.risk_id')
      .selectAll('control_run')
      .where('risk.plan_id', '=', plan.id)
      .execute()
    const reported = runs.filter((r) => r.result !== null)
    expect(new Set(reported.map((r) => r.result))).toEqual(new Set(['no_remarks', 'deviations']))
    for (const run of reported) {
      expect(run.planned_date < today).toBe(true)
      expect(run).toMatchObject({
        population: expect.stringMatching(/\w/),
        population_size: expect.any(Number),
        sample_size: expect.any(Number),
        sampling: expect.stringMatching(/^(random|systematic|targeted)$/),
        checked_count: expect.any(Number),
        deviation_count: run.result === 'deviations' ? expect.any(Number) : 0,
        performed_by: expect.stringMatching(/\w/),
        comment: expect.stringMatching(/\w/),
      })
      expect((run.performed_on as string) <= (run.reported_on as string) && (run.reported_on as string) <= today).toBe(
        true,
      )
    }
    // One occasion is left unreported past its date: overdue, the red light, and HR-avdelningen's work to do.
    expect(runs.filter((r) => r.result === null && r.planned_date < today)).toHaveLength(1)

    const deviations = await deviationsWithMeasures(db, plan.id)
    expect(deviations.every((d) => d.result === 'deviations')).toBe(true)
    const decided = deviations.filter((d) => d.decision === 'measure_required')
    expect(decided).toHaveLength(2)
    expect(new Set(decided.map((d) => d.status)).size).toBe(2)
    expect(deviations.filter((d) => d.decision === 'no_measure').every((d) => d.no_measure_reason !== '')).toBe(true)

    // The demo's secretary and reader hold the new committee too, and HR's ansvarig has runs due in its HR unit.
    const viewerOf = async (email: string) => {
      const user = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      return loadViewer(db, user.id)
    }
    expect((await viewerOf('sekreterare@demo.internkontroll.se'))?.secretaryOf).toEqual(
      new Set([plan.committee_id, (await planOf(db, 2026)).committee_id]),
    )
    expect((await viewerOf('lasare@demo.internkontroll.se'))?.readerOf.has(plan.committee_id)).toBe(true)
    const hr = await viewerOf('hr@demo.internkontroll.se')
    expect(hr?.unitCommittees.has(plan.committee_id)).toBe(true)
    const due = await listRunsDue(db, { ownerUnitIds: [...(hr?.unitIds ?? [])] }, addDays(today, 30), 10)
    expect(due.map((r) => [r.controlTitle, r.planned_date])).toEqual([
      ['Utdrag ur belastningsregistret vid nyanställning', '2026-09-30'],
      ['Utdrag ur belastningsregistret vid nyanställning', '2026-12-31'],
    ])

    const { auditKey } = loadConfig({ NODE_ENV: 'test' })
    expect((await verifyAudit(db, { key: auditKey, anchorFile: null })).findings).toEqual([])
    await db.destroy()
  })

  it('shows Förskolenämnden’s two deviations with their measures and an overdue occasion from February on', async () => {
    // The first occasions to pass are at the end of January, two of them moved there by the secretary.
    const today = '2026-02-10'
    const db = await demoInMemory(new Date(`${today}T09:00:00Z`))
    const plan = await planOf(db, 2026, 'Förskolenämnden')
    const decided = (await deviationsWithMeasures(db, plan.id)).filter((d) => d.decision === 'measure_required')
    expect(decided.map((d) => d.controlTitle)).toEqual([
      'Attest av leverantörsfakturor',
      'Behörigheter i barnomsorgssystemet',
    ])
    const controls = await listControlsOfPlan(db, plan.id, today)
    expect(new Set(controls.map((c) => c.light.code))).toEqual(new Set(['green', 'yellow', 'red']))
    // The red one is HR-avdelningen's, whose owner has the overdue occasion on the start page.
    expect(controls.filter((c) => c.light.code === 'red').map((c) => c.title)).toEqual([
      'Utdrag ur belastningsregistret vid nyanställning',
    ])
    const { auditKey } = loadConfig({ NODE_ENV: 'test' })
    expect((await verifyAudit(db, { key: auditKey, anchorFile: null })).findings).toEqual([])
    await db.destroy()
  })

  it('plans Förskolenämnden’s occasions on New Year’s Day with none yet due: nothing reported, every light green', async () => {
    // Accepted: the runs and deviations come as the year's occasions pass (the first at the end of January).
    const db = await demoInMemory(new Date('2026-01-01T09:00:00Z'))
    const plan = await planOf(db, 2026, 'Förskolenämnden')
    const controls = await listControlsOfPlan(db, plan.id, '2026-01-01')
    expect(controls.map((c) => [c.planned, c.done, c.light.code])).toEqual([
      [12, 0, 'green'],
      [4, 0, 'green'],
      [1, 0, 'green'],
      [2, 0, 'green'],
      [3, 0, 'green'],
      [1, 0, 'green'],
    ])
    const { auditKey } = loadConfig({ NODE_ENV: 'test' })
    expect((await verifyAudit(db, { key: auditKey, anchorFile: null })).findings).toEqual([])
    await db.destroy()
  })

  it('gives the municipality a company, Malmö Stadsfastigheter AB, with its board-adopted plan: risks scored, work overdue, due soon and done', async () => {
    const today = '2026-05-20'
    const db = await demoInMemory(new Date(`${today}T09:00:00Z`))
    const company = await db
      .selectFrom('committee')
      .innerJoin('administration', 'administration.id', 'committee.administration_id')
      .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
      .select([
        'committee.kind',
        'administration.name as administration',
        'administration.diary_prefix',
        'municipality.name as municipality',
      ])
      .where('committee.name', '=', 'Malmö Stadsfastigheter AB')
      .executeTakeFirstOrThrow()
    expect(company).toEqual({
      kind: 'company',
      administration: 'Malmö Stadsfastigheter AB',
      diary_prefix: 'MSF',
      municipality: 'Malmö stad',
    })
    // The two committees stay committees.
    const kinds = await db.selectFrom('committee').select(['name', 'kind']).orderBy('id').execute()
    expect(kinds.map((c) => [c.name, c.kind])).toEqual([
      ['Grundskolenämnden', 'committee'],
      ['Förskolenämnden', 'committee'],
      ['Malmö Stadsfastigheter AB', 'company'],
    ])

    const plan = await planOf(db, 2026, 'Malmö Stadsfastigheter AB')
    expect(plan).toMatchObject({
      title: 'Internkontrollplan 2026',
      adopted_meeting_date: '2025-12-03',
      adopted_minutes_paragraph: 64,
      adopted_diary_number: 'MSF-2025-00312',
    })
    // Made after Förskolenämnden's plan, which keeps its id.
    expect(plan.id).toBeGreaterThan((await planOf(db, 2026, 'Förskolenämnden')).id)

    const risks = await db
      .selectFrom('risk')
      .selectAll()
      .where('plan_id', '=', plan.id)
      .where('municipal_item_id', 'is', null)
      .orderBy('position')
      .execute()
    expect(risks.map((r) => r.title)).toEqual([
      'Upphandling utan konkurrens',
      'Bristande underhållsplanering',
      'Felaktiga hyresdebiteringar',
    ])
    expect(risks.map((r) => scoreBand((r.likelihood as number) * (r.consequence as number)).code)).toEqual([
      'high',
      'high',
      'medium',
    ])

    const measures = await db
      .selectFrom('measure')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select(['measure.title', 'measure.status', 'measure.due_date', 'owner_unit.name as owner'])
      .where(
        'measure.risk_id',
        'in',
        risks.map((r) => r.id),
      )
      .orderBy('measure.id')
      .execute()
    expect(measures).toHaveLength(4)
    expect(new Set(measures.map((m) => m.owner))).toEqual(
      new Set(['Upphandling', 'Ekonomi', 'Förvaltningsavdelningen']),
    )
    const overdue = measures.filter((m) => isOverdue(m, today))
    expect(overdue.map((m) => m.title)).toEqual(['Bevaka ramavtalens löptider och starta nya upphandlingar i tid'])
    const dueSoon = measures.filter(
      (m) => !isFinished(m.status) && m.due_date !== null && m.due_date >= today && m.due_date <= addDays(today, 30),
    )
    expect(dueSoon.map((m) => m.title)).toEqual(['Stickprov på direktupphandlingar'])
    expect(measures.filter((m) => m.status === 'done').map((m) => m.title)).toEqual([
      'Uppdatera den tioåriga underhållsplanen efter årets besiktningar',
    ])

    const { auditKey } = loadConfig({ NODE_ENV: 'test' })
    expect((await verifyAudit(db, { key: auditKey, anchorFile: null })).findings).toEqual([])
    await db.destroy()
  })

  it('applies one municipality-wide review to all three plans of the year, each following it up in its own way', async () => {
    const db = await demoInMemory(new Date('2026-12-07T09:00:00Z'))
    const [item, ...others] = await db.selectFrom('municipal_item').selectAll().execute()
    expect(others).toEqual([])
    expect(item).toMatchObject({
      year: 2026,
      kind: 'review',
      title: 'Hantering av bisysslor',
      diary_number: 'KS 2026/0412',
    })
    const copies = await db
      .selectFrom('review')
      .innerJoin('risk', 'risk.id', 'review.risk_id')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select((eb) => [
        'committee.name',
        'plan.year',
        'risk.scope',
        'risk.municipal_item_id as riskItem',
        'review.municipal_item_id as reviewItem',
        'review.diary_number',
        'review.result',
        eb
          .selectFrom('measure')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('measure.risk_id', '=', 'risk.id')
          .as('measures'),
      ])
      .where('review.municipal_item_id', '=', item?.id as number)
      .orderBy('committee.id')
      .execute()
    expect(copies.map((c) => [c.name, c.year, c.scope, c.riskItem, c.reviewItem, c.diary_number])).toEqual(
      ['Grundskolenämnden', 'Förskolenämnden', 'Malmö Stadsfastigheter AB'].map((name) => [
        name,
        2026,
        'municipality_wide',
        item?.id,
        item?.id,
        'KS 2026/0412',
      ]),
    )
    // A result and a measure in two of them, none yet in the company's: the side-by-side page has differences.
    expect(copies.map((c) => [c.result !== '', Number(c.measures)])).toEqual([
      [true, 1],
      [true, 1],
      [false, 0],
    ])
    const result = await verifyAudit(db, { key: loadConfig({ NODE_ENV: 'test' }).auditKey, anchorFile: null })
    expect(result.findings).toEqual([])
  })
})
