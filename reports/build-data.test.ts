import { describe, expect, it } from 'vitest'
import type { Db } from '../db/connection.js'
import { listRunsOfControl } from '../server/controls/repository.js'
import { reviewLine } from '../server/reviews/review-line.js'
import { aControl, anotherPlan, aRisk, demoPlan } from '../test/helpers/builders.js'
import { demoPlanWithControls, monthlyComment, registerComments, reportRun } from '../test/helpers/report-controls.js'
import { createTestApp } from '../test/helpers/test-app.js'
import { buildReportData, type ReportData } from './build-data.js'

describe('buildReportData', () => {
  it('reads the demo plan into the report in the committee’s format', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const data = await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(data).toMatchObject({
      title: 'Uppföljning förbättringsåtgärder 2020',
      committee: 'Grundskolenämnden',
      administration: 'Grundskoleförvaltningen',
      municipality: 'Malmö stad',
      madeOn: '2021-03-15',
      edition: 'Utkast 2021-03-15 10:00',
      adoption: '',
    })
    expect(data?.reviews[0]?.line).toBe(
      'GRF-2020-11639 Uppföljning av internkontrollplan 2020 - Försent betalda leverantörsfakturor. Sammanträde 2020-06-16, protokoll §95.',
    )
    expect(data?.reviews).toHaveLength(8)
    expect(data?.risks.map((r) => r.measures.length)).toEqual([1, 1, 2, 4, 2, 2])
    expect(data?.risks[3]?.measures[0]).toMatchObject({ owner: 'HR-avdelningen', statusLabel: 'Genomförd' })
    expect(data?.inspections.map((i) => i.principal)).toEqual(['Landskrona kommun'])
  })

  it('sums the measures by status and by owner', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const data = await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(data?.statusSummary.map((s) => [s.label, s.count])).toEqual([
      ['Pågående', 1],
      ['Genomförd', 7],
      ['Genomförd – fortsatt arbete', 4],
    ])
    expect(data?.ownerSummary).toEqual([
      { owner: 'Grundskolenämnden', total: 4, counts: [0, 2, 2] },
      { owner: 'HR-avdelningen', total: 4, counts: [0, 4, 0] },
      { owner: 'Utbildningsområden', total: 4, counts: [1, 1, 2] },
    ])
  })

  it('is undefined for a plan that does not exist', async () => {
    const { db } = await createTestApp({ demo: false })
    expect(await buildReportData(db, 1, { madeAt: new Date('2021-03-15T09:00:00Z') })).toBeUndefined()
  })
})

describe('buildReportData of a plan with controls', () => {
  type Plan = Awaited<ReturnType<typeof demoPlanWithControls>>
  async function report(madeOn: string, change?: (db: Db, plan: Plan) => Promise<void>) {
    const { db } = await createTestApp()
    const plan = await demoPlanWithControls(db)
    await change?.(db, plan)
    const data = (await buildReportData(db, plan.planId, { madeAt: new Date(`${madeOn}T09:00:00Z`) })) as ReportData
    return { db, data, plan }
  }

  it('puts each control under its risk with its facts, runs done of planned, samples and light', async () => {
    const { data } = await report('2020-10-15')
    const register = data.risks[3]
    expect(register?.title).toBe('Bristfällig kontroll av utdrag ur belastningsregister vid nyrekrytering')
    expect(register?.controls).toHaveLength(1)
    expect(register?.controls[0]).toMatchObject({
      title: 'Kontroll av utdrag ur belastningsregistret',
      whatIsChecked: 'Att utdrag har visats före anställning.',
      method: 'Stickprov',
      frequency: 'Kvartalsvis',
      owner: 'HR-avdelningen',
      reportedTo: 'Nämnd',
      doneOfPlanned: '2 av 4',
      sampled: true,
      // The third occasion (30 September) has passed without a report.
      light: { code: 'red', text: 'Röd – tillfälle missat eller försenat' },
    })
    expect(register?.controls[0]?.runs).toEqual([
      {
        occasion: 1,
        performedOn: '2020-04-03',
        result: 'Utan anmärkning',
        overdueSince: null,
        populationSize: '118',
        sampleSize: '20',
        checked: '20',
        withDeviations: '0',
      },
      {
        occasion: 2,
        performedOn: '2020-07-02',
        result: 'Med avvikelser',
        overdueSince: null,
        populationSize: '97',
        sampleSize: '15',
        checked: '15',
        withDeviations: '2',
      },
      {
        occasion: 3,
        performedOn: null,
        result: 'Försenat',
        overdueSince: '2020-09-30',
        populationSize: '–',
        sampleSize: '–',
        checked: '–',
        withDeviations: '–',
      },
    ])
    expect(register?.controls[0]?.runNotes).toEqual([
      'Tillfälle 1: Population: Nyanställda under kvartalet. Urval: slumpmässigt. Utförd av: Eva Ek.',
      'Tillfälle 2: Population: Nyanställda under kvartalet. Urval: slumpmässigt.',
    ])
    // The same words for nine months are said once.
    expect(data.risks[0]?.controls.map((c) => c.runNotes)).toEqual([
      [],
      ['Tillfällena 1–9: Population: Aktiva behörigheter. Urval: slumpmässigt.'],
    ])
    // A document review without sample figures leaves their columns out.
    expect(data.risks[0]?.controls[0]).toMatchObject({ method: 'Genomgång av dokumentation', sampled: false })
  })

  it('gives each control its runs’ comments, a comment written for several occasions once', async () => {
    const { data } = await report('2020-10-15')
    expect(data.risks[3]?.controls[0]?.runComments).toEqual([
      { occasions: 'Tillfälle 1', text: registerComments[0] },
      { occasions: 'Tillfälle 2', text: registerComments[1] },
    ])
    expect(data.risks[0]?.controls.map((c) => c.runComments)).toEqual([
      [],
      [{ occasions: 'Tillfällena 1–9', text: monthlyComment }],
    ])
  })

  it('gives each deviation its severity, decision and the measures decided for it, linking to their headings', async () => {
    const { data, plan } = await report('2020-10-15')
    const register = data.risks[3]
    const measure = register?.measures.find((m) => m.title === plan.measureTitle)
    expect(measure).toBeDefined()
    expect(register?.controls[0]?.deviations).toEqual([
      {
        occasion: 2,
        description: 'Två anställningar utan registrerat utdrag före anställningsdagen.',
        severityLabel: 'Hög',
        decisionText: 'Åtgärd krävs',
        measures: [
          { anchor: measure?.anchor, title: plan.measureTitle, owner: 'HR-avdelningen', statusLabel: 'Pågående' },
        ],
      },
      {
        occasion: 2,
        description: 'Utdraget arkiverades i fel akt.',
        severityLabel: 'Låg',
        decisionText: 'Ingen åtgärd: Rättat direkt av HR-administratören.',
        measures: [],
      },
    ])
    expect(data.risks[0]?.controls[1]?.deviations.map((d) => d.decisionText)).toEqual(['Inte beslutat'])
  })

  it('judges the lights and the occasions shown on the day the report is made', async () => {
    // A month earlier the third occasion was not due: the second one's deviations make the light yellow.
    const { data } = await report('2020-09-15')
    const control = data.risks[3]?.controls[0]
    expect(control?.light).toEqual({ code: 'yellow', text: 'Gul – avvikelser' })
    expect(control?.runs.map((r) => r.occasion)).toEqual([1, 2])
    expect(data.controlSummary.flatMap((r) => r.controls.map((c) => c.light.code))).toEqual([
      'green',
      'yellow',
      'yellow',
    ])
  })

  it('names a run not performed with its reason, and the committee’s own method in its words', async () => {
    const { data } = await report('2020-10-15', async (db, { registerControl }) => {
      const third = (await listRunsOfControl(db, registerControl))[2]
      await reportRun(db, third, { result: 'not_performed', reason: 'Personalbrist under sommaren' })
      await db
        .updateTable('control')
        .set({ method: 'own', method_own: 'Genomgång med rekryterande chefer' })
        .where('id', '=', registerControl)
        .execute()
    })
    const control = data.risks[3]?.controls[0]
    expect(control?.runs[2]).toMatchObject({
      result: 'Ej genomförd: Personalbrist under sommaren',
      performedOn: null,
      overdueSince: null,
    })
    expect(control).toMatchObject({
      method: 'Genomgång med rekryterande chefer',
      doneOfPlanned: '2 av 4',
      light: { code: 'red' },
    })
  })

  it('shows a control of a risk without measures, and none of another plan', async () => {
    const { db, data: before } = await report('2020-10-15')
    const { planId, unit } = await demoPlan(db)
    const riskId = await aRisk(db, planId, { title: 'Risk för felaktiga utbetalningar' })
    await aControl(db, riskId, unit('Utbildningsområden'), {
      title: 'Avstämning av utbetalningar',
      frequency: 'yearly',
    })
    const other = await anotherPlan(db)
    await aControl(db, await aRisk(db, other), unit('HR-avdelningen'), { title: 'Nästa års kontroll' })
    const data = (await buildReportData(db, planId, { madeAt: new Date('2020-10-15T09:00:00Z') })) as ReportData
    const added = data.risks.at(-1)
    expect(added).toMatchObject({
      measures: [],
      controls: [{ title: 'Avstämning av utbetalningar', doneOfPlanned: '0 av 1' }],
    })
    expect(added?.controls[0]).toMatchObject({ runs: [], light: { code: 'green' } })
    expect(data.controlSummary.flatMap((r) => r.controls.map((c) => c.title))).toEqual([
      ...before.controlSummary.flatMap((r) => r.controls.map((c) => c.title)),
      'Avstämning av utbetalningar',
    ])
  })

  it('sums the controls per risk for the Sammanfattning, in the order of the plan', async () => {
    const { data } = await report('2020-10-15')
    expect(
      data.controlSummary.map((row) => [
        row.risk,
        row.riskAnchor,
        row.controls.map((c) => [c.title, c.frequency, c.doneOfPlanned, c.recordedDeviations, c.light.text]),
      ]),
    ).toEqual([
      [
        'Röjande av sekretess',
        data.risks[0]?.anchor,
        [
          ['Genomgång av sekretessmarkeringar i elevakter', 'Halvårsvis', '1 av 2', 0, 'Grön – utan avvikelser'],
          ['Avstämning av behörigheter i elevregistret', 'Månadsvis', '9 av 12', 1, 'Gul – avvikelser'],
        ],
      ],
      [
        'Bristfällig kontroll av utdrag ur belastningsregister vid nyrekrytering',
        data.risks[3]?.anchor,
        [
          [
            'Kontroll av utdrag ur belastningsregistret',
            'Kvartalsvis',
            '2 av 4',
            2,
            'Röd – tillfälle missat eller försenat',
          ],
        ],
      ],
    ])
    expect(data.controlSummary.flatMap((r) => r.controls.map((c) => c.anchor))).toEqual(
      data.risks.flatMap((r) => r.controls.map((c) => c.anchor)),
    )
  })

  it('has no controls at all for a plan without them', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const data = await buildReportData(db, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(data?.controlSummary).toEqual([])
    expect(data?.risks.map((r) => r.controls)).toEqual([[], [], [], [], [], []])
  })
})

describe('reviewLine', () => {
  it('leaves out the meeting when no decision is registered', () => {
    const review = { diary_number: 'GRF-2021-1', title: 'Granskning.', meeting_date: null, minutes_paragraph: null }
    expect(reviewLine(review)).toBe('GRF-2021-1 Granskning.')
    expect(reviewLine({ ...review, meeting_date: '2021-02-03' })).toBe('GRF-2021-1 Granskning. Sammanträde 2021-02-03.')
    expect(reviewLine({ ...review, minutes_paragraph: 5 })).toBe('GRF-2021-1 Granskning. Protokoll §5.')
  })
})
