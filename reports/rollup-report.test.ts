import { describe, expect, it } from 'vitest'
import type { Db } from '../db/connection.js'
import { insertReportVersion } from '../server/reports/repository.js'
import { isOverdue, labelOf, measureStatuses } from '../server/vocabulary.js'
import { aMunicipalItem, planOfCommittee } from '../test/helpers/municipal-items.js'
import { createTestApp } from '../test/helpers/test-app.js'
import { buildRollupReportData } from './rollup-report.js'

// The test app's clock stands at 2021-03-15: the demo's plans of "this year" are 2021's.
const today = '2021-03-15'
const year = 2021
const madeAt = new Date(`${today}T09:00:00Z`)

async function municipality() {
  const { db } = await createTestApp({ currentYear: true, today, as: null })
  const { id } = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  const scope = { municipalityId: id, year, administrationId: null }
  return { db, municipalityId: id, scope }
}

/** A plan's measures judged the slow way: every row read and judged in JavaScript. */
async function measuresOf(db: Db, planId: number) {
  return db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select(['measure.title', 'measure.status', 'measure.due_date', 'owner_unit.name as owner'])
    .where('risk.plan_id', '=', planId)
    .execute()
}

describe('buildRollupReportData', () => {
  it('has the cover, the introduction on the uppsiktsplikt and a summary row per committee and company', async () => {
    const { db, scope } = await municipality()
    const data = await buildRollupReportData(db, scope, { madeAt })
    expect(data).toMatchObject({
      title: 'Sammanställning av nämndernas och bolagens uppföljning av intern kontroll 2021',
      municipality: 'Malmö stad',
      recipient: 'Kommunstyrelsen',
      selection: '',
      madeOn: today,
      edition: 'Utkast 2021-03-15 10:00',
      matrixHeading: 'Riskmatris för hela kommunen',
    })
    expect(data?.introduction).toContain('kommunallagen (2017:725) 6 kap. 1 §')
    expect(data?.introduction).toContain('uppsiktsplikt')
    // Committees first, then the company, each by name: the roll-up page's order.
    expect(data?.summary.map((r) => [r.name, r.kindLabel])).toEqual([
      ['Förskolenämnden', 'Nämnd'],
      ['Grundskolenämnden', 'Nämnd'],
      ['Malmö Stadsfastigheter AB', 'Kommunalt bolag'],
    ])
    expect(data?.sections.map((s) => s.anchor)).toEqual(data?.summary.map((r) => r.anchor))
    expect(new Set(data?.sections.map((s) => s.anchor)).size).toBe(3)
    expect(data?.overview).toBe(
      '3 av 3 nämnder och bolag har en internkontrollplan för 2021, varav 2 antagna; 0 har fastställt sin uppföljning.',
    )
  })

  it('counts each plan’s measures, lists its overdue ones and names its highest risks as the plan has them', async () => {
    const { db, scope } = await municipality()
    const data = await buildRollupReportData(db, scope, { madeAt })
    for (const section of data?.sections ?? []) {
      const plan = await planOfCommittee(db, section.name, year)
      const measures = await measuresOf(db, plan.id)
      const counts = measureStatuses.map((s) => ({
        label: s.label,
        count: measures.filter((m) => m.status === s.code).length,
      }))
      expect(section.plan?.statusCounts, section.name).toEqual(counts)
      expect(section.plan?.measureCount).toBe(measures.length)
      const overdue = measures.filter((m) => isOverdue(m, today))
      expect(section.plan?.overdue.map((m) => [m.title, m.owner, m.dueDate, m.statusLabel]).sort()).toEqual(
        overdue.map((m) => [m.title, m.owner, m.due_date, labelOf(measureStatuses, m.status)]).sort(),
      )
      const summaryRow = data?.summary.find((r) => r.anchor === section.anchor)
      expect(summaryRow?.overdueCount).toBe(overdue.length)
      // The highest risks, highest first, at most three; the summary's highest value is the first of them.
      const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', plan.id).execute()
      const scores = risks
        .flatMap((r) => (r.likelihood && r.consequence ? [r.likelihood * r.consequence] : []))
        .sort((a, b) => b - a)
      expect(section.plan?.topRisks.map((r) => r.score)).toEqual(scores.slice(0, 3))
      expect(summaryRow?.highest?.score).toBe(scores[0])
    }
    // The demo has overdue measures this day, and Förskolenämnden keeps its plan through controls.
    expect(data?.sections.some((s) => (s.plan?.overdue.length ?? 0) > 0)).toBe(true)
    const preschool = data?.sections.find((s) => s.name === 'Förskolenämnden')
    expect(preschool?.plan?.lights).not.toBeNull()
    expect(data?.sections.find((s) => s.name === 'Malmö Stadsfastigheter AB')?.board).toBe('styrelsen')
  })

  it('states the adoption with its diary number and the latest final follow-up report', async () => {
    const { db, scope } = await municipality()
    const plan = await planOfCommittee(db, 'Grundskolenämnden', year)
    await db
      .updateTable('plan')
      .set({ adopted_meeting_date: '2020-12-15', adopted_minutes_paragraph: 201, adopted_diary_number: 'GRF-2020-9' })
      .where('id', '=', plan.id)
      .execute()
    for (const n of [1, 2]) {
      await insertReportVersion(db, {
        planId: plan.id,
        versionNumber: n,
        fileName: `v${n}.pdf`,
        pdf: new TextEncoder().encode('%PDF-1.7'),
        createdAt: `2021-02-1${n}T09:00:00Z`,
        createdBy: 'Sara Sekreterare',
      })
    }
    const data = await buildRollupReportData(db, scope, { madeAt })
    const section = data?.sections.find((s) => s.name === 'Grundskolenämnden')
    expect(section?.plan?.adoption).toBe('Antagen av nämnden: Sammanträde 2020-12-15, protokoll §201 (dnr GRF-2020-9).')
    expect(section?.plan?.report).toBe('Uppföljningen fastställd 2021-02-12, version 2.')
    expect(data?.summary.find((r) => r.name === 'Grundskolenämnden')).toMatchObject({
      adopted: '2020-12-15, §201',
      report: '2021-02-12, version 2',
    })
  })

  it('says so for a committee without a plan of the year', async () => {
    const { db, scope } = await municipality()
    const data = await buildRollupReportData(db, { ...scope, year: 2022 }, { madeAt })
    expect(data?.summary.every((r) => !r.hasPlan && r.adopted === 'Ingen plan')).toBe(true)
    expect(data?.sections.every((s) => s.plan === null)).toBe(true)
    expect(data?.overview).toContain('0 av 3 nämnder och bolag har en internkontrollplan för 2022')
  })

  it('shows each municipality-wide item’s results across its committees, and which have no copy or no plan', async () => {
    const { db, scope, municipalityId } = await municipality()
    const school = await planOfCommittee(db, 'Grundskolenämnden', year)
    const preschool = await planOfCommittee(db, 'Förskolenämnden', year)
    const company = await planOfCommittee(db, 'Malmö Stadsfastigheter AB', year)
    await aMunicipalItem(db, {
      municipalityId,
      year,
      title: 'Granskning av representation',
      description: 'Följs representationsreglerna?',
      diaryNumber: 'KS 2021/0042',
      committeeIds: [school.committeeId, preschool.committeeId, company.committeeId],
      copies: [
        {
          planId: school.id,
          likelihood: 3,
          consequence: 4,
          meetingDate: '2021-02-17',
          minutesParagraph: 33,
          result: 'Tre av tjugo **fakturor** saknade deltagarlista.',
          measures: [
            {
              title: 'Ny rutin för deltagarlistor',
              ownerUnitId: school.unit.id,
              status: 'in_progress',
              dueDate: '2021-03-01',
            },
            { title: 'Utbildning av chefer', ownerUnitId: school.unit.id, status: 'done' },
          ],
        },
        { planId: company.id, likelihood: null, consequence: null },
      ],
    })
    // Another year's item stays out.
    await aMunicipalItem(db, {
      municipalityId,
      year: 2020,
      title: 'Fjolårets granskning',
      committeeIds: [school.committeeId],
      copies: [],
    })
    const data = await buildRollupReportData(db, scope, { madeAt })
    // The demo's own review of the year comes first, as it was made first.
    expect(data?.items.map((i) => i.title)).toEqual(['Hantering av bisysslor', 'Granskning av representation'])
    const item = data?.items.find((i) => i.title === 'Granskning av representation')
    expect(item).toMatchObject({
      kindLabel: 'Kommungemensam granskning',
      isReview: true,
      title: 'Granskning av representation',
      description: 'Följs representationsreglerna?',
      diaryNumber: 'KS 2021/0042',
      treatmentLabel: 'Granskning',
    })
    expect(item?.results.map((r) => r.name)).toEqual([
      'Förskolenämnden',
      'Grundskolenämnden',
      'Malmö Stadsfastigheter AB',
    ])
    const [forskola, grundskola, bolag] = item?.results ?? []
    expect(forskola).toMatchObject({ missing: 'Planen för 2021 saknar granskningen.', measures: [] })
    expect(grundskola).toMatchObject({
      board: 'nämnden',
      risk: { score: { score: 12, band: { label: 'Hög' } } },
      review: {
        decision: 'Sammanträde 2021-02-17, protokoll §33',
        result: 'Tre av tjugo **fakturor** saknade deltagarlista.',
      },
      measureSummary: '2, varav 1 genomförd',
      overdueCount: 1,
    })
    expect(grundskola?.measures).toEqual([
      {
        title: 'Ny rutin för deltagarlistor',
        owner: school.unit.name,
        statusLabel: 'Pågående',
        dueDate: '2021-03-01',
        overdue: true,
      },
      {
        title: 'Utbildning av chefer',
        owner: school.unit.name,
        statusLabel: 'Genomförd',
        dueDate: null,
        overdue: false,
      },
    ])
    expect(bolag).toMatchObject({
      board: 'styrelsen',
      risk: { score: null },
      review: { decision: '', result: '' },
      measureSummary: 'Inga',
    })
    expect(bolag?.missing).toBeUndefined()
    // Without a plan of the year, a chosen committee is still named, with why nothing is shown.
    await aMunicipalItem(db, {
      municipalityId,
      year: 2022,
      kind: 'risk',
      title: 'Nästa års risk',
      committeeIds: [school.committeeId],
      copies: [],
    })
    const next = await buildRollupReportData(db, { ...scope, year: 2022 }, { madeAt })
    expect(next?.items.map((i) => i.results)).toEqual([
      [expect.objectContaining({ name: 'Grundskolenämnden', missing: 'Ingen internkontrollplan för 2022.' })],
    ])
  })

  it('with an administration chosen, covers only its committees and items chosen for them', async () => {
    const { db, scope, municipalityId } = await municipality()
    const school = await planOfCommittee(db, 'Grundskolenämnden', year)
    const company = await planOfCommittee(db, 'Malmö Stadsfastigheter AB', year)
    await aMunicipalItem(db, {
      municipalityId,
      year,
      kind: 'risk',
      title: 'Risk för bristande informationssäkerhet',
      committeeIds: [school.committeeId, company.committeeId],
      copies: [{ planId: school.id, likelihood: 2, consequence: 2 }],
    })
    await aMunicipalItem(db, {
      municipalityId,
      year,
      title: 'Bolagens egen granskning',
      committeeIds: [company.committeeId],
      copies: [{ planId: company.id }],
    })
    const administration = await db
      .selectFrom('administration')
      .select(['id', 'name'])
      .where('name', '=', 'Grundskoleförvaltningen')
      .executeTakeFirstOrThrow()
    const data = await buildRollupReportData(db, { ...scope, administrationId: administration.id }, { madeAt })
    expect(data?.selection).toBe('Urval: Grundskoleförvaltningen')
    expect(data?.matrixHeading).toBe('Riskmatris för Grundskoleförvaltningen')
    expect(data?.summary.map((r) => r.name)).toEqual(['Grundskolenämnden'])
    expect(data?.items.map((i) => [i.kindLabel, i.title, i.results.map((r) => r.name)])).toEqual([
      ['Kommungemensam risk', 'Risk för bristande informationssäkerhet', ['Grundskolenämnden']],
      ['Kommungemensam granskning', 'Hantering av bisysslor', ['Grundskolenämnden']],
    ])
    expect(data?.items[0]?.results[0]).toMatchObject({ risk: { score: { score: 4 } }, review: undefined })
    // The matrix counts the chosen administration's risks only.
    const risks = await db.selectFrom('risk').select('id').where('plan_id', '=', school.id).execute()
    expect((data?.matrix.scored ?? 0) + (data?.matrix.unscored ?? 0)).toBe(risks.length)
  })

  it('names a final version, who made it final and the audit log’s head on the cover', async () => {
    const { db, scope } = await municipality()
    const data = await buildRollupReportData(db, scope, {
      madeAt,
      final: { versionNumber: 2, by: 'Kim Kommunsekreterare', auditHead: { count: 12, shortHash: 'abc', tag: 'def' } },
    })
    expect(data?.edition).toBe('Version 2, fastställd 2021-03-15 av Kim Kommunsekreterare')
    expect(data?.auditHead).toContain('audit:verify --rapport 12:abc:def')
  })

  it('is undefined for a municipality that does not exist', async () => {
    const { db } = await createTestApp({ demo: false })
    expect(
      await buildRollupReportData(db, { municipalityId: 99, year, administrationId: null }, { madeAt }),
    ).toBeUndefined()
  })
})
