import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { aControl, aMeasure, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { auditKey } from '../audit/anchor.js'
import { audited } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { insertDeviation, listRunsOfControl, updateRun } from '../controls/repository.js'
import { changeControl } from '../controls/write.js'
import { controlsSinceLastYear } from './repository.js'

/** The demo plan with a spread of statuses: the demo itself has only one unfinished measure. */
async function planToCarry(db: Db) {
  const { planId, risks } = await demoPlan(db)
  const [first, second] = risks
  await db
    .updateTable('risk')
    .set({ likelihood: 3, consequence: 4, description: 'Risk för X på grund av Y.' })
    .where('id', '=', first?.id as number)
    .execute()
  const measures = await db.selectFrom('measure').selectAll().orderBy('id').execute()
  const measureOf = (riskId: number | undefined) => measures.find((m) => m.risk_id === riskId)?.id as number
  const area = await db.selectFrom('development_area').select('id').executeTakeFirstOrThrow()
  // Röjande av sekretess's measure is unfinished and fully filled in; the second risk's is cancelled.
  const unfinished = measureOf(first?.id)
  await db
    .updateTable('measure')
    .set({
      status: 'partially_done',
      due_date: '2021-06-30',
      responsible_person: 'Anna Andersson',
      progress: 'Hälften av enheterna är klara.',
      origin_area_id: area.id,
    })
    .where('id', '=', unfinished)
    .execute()
  const cancelled = measureOf(second?.id)
  await db.updateTable('measure').set({ status: 'cancelled' }).where('id', '=', cancelled).execute()
  await db.insertInto('development_area_measure').values({ area_id: area.id, measure_id: unfinished }).execute()
  return { planId, risks, unfinished, cancelled, areaId: area.id }
}

async function createNextYear(agent: TestAgent, planId: number, title = 'Internkontrollplan 2021') {
  const response = await submitForm(agent, `/planer/${planId}/nasta-ar`, { title }, 303)
  return Number(String(response.headers.location).split('/').pop())
}

describe("next year's plan", () => {
  it('shows what will be copied, carried over and left behind, with the title to confirm', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await planToCarry(db)
    const $ = html((await agent.get(`/planer/${planId}/nasta-ar`).expect(200)).text)
    expect($('h1').text()).toBe('Skapa internkontrollplan för 2021')
    expect($('#field-title').val()).toBe('Internkontrollplan 2021')
    expect($('#copied-heading').text()).toBe('Risker som kopieras (6)')
    expect($('section[aria-labelledby="copied-heading"] li').first().text()).toBe(
      'Röjande av sekretess (riskvärde 12, Hög)',
    )
    expect($('#carried-heading').text()).toBe('Åtgärder som förs över (5)')
    expect(
      $('section[aria-labelledby="carried-heading"] li')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual([
      'Fördjupad analys och upprättande av handlingsplan (Grundskolenämnden, Delvis genomförd)',
      'Information om otillåten påverkan inom ramen för intern kontrollarbetet vid grundskoleförvaltningens introduktion för nya chefer (Grundskolenämnden, Genomförd – fortsatt arbete)',
      'Främja ökad likvärdighet med hjälp av förvaltningsgemensam mall för lokal elevhälsoplan (Utbildningsområden, Genomförd – fortsatt arbete)',
      'Kompetenshöjande insats för skolledare kring elevhälsouppdraget (Utbildningsområden, Pågående)',
      'Ta fram förslag för att utveckla analys av bedömning och betygssättning inom ramen för det systematiska kvalitetsarbetet (Utbildningsområden, Genomförd – fortsatt arbete)',
    ])
    expect(
      $('section[aria-labelledby="staying-heading"] li')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual([
      '7 genomförda eller avbrutna åtgärder',
      '8 granskningar: granskningar görs för varje år och kopieras inte',
      'Planens inledningar och beslutet att anta den',
    ])
    // The plan page leads here.
    const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(plan('a:contains("Skapa nästa års plan")').attr('href')).toBe(`/planer/${planId}/nasta-ar`)
  })

  it('copies every risk with its scores and carries the measures whose work goes on, with their history link', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks, unfinished, cancelled, areaId } = await planToCarry(db)
    const newPlanId = await createNextYear(agent, planId)

    const plan = await db.selectFrom('plan').selectAll().where('id', '=', newPlanId).executeTakeFirstOrThrow()
    expect(plan).toMatchObject({ year: 2021, title: 'Internkontrollplan 2021', committee_id: expect.any(Number) })
    const copies = await db
      .selectFrom('risk')
      .selectAll()
      .where('plan_id', '=', newPlanId)
      .orderBy('position')
      .execute()
    const fields = ['title', 'description', 'likelihood', 'consequence', 'treatment', 'scope', 'position'] as const
    const pick = (r: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, r[f]]))
    expect(copies.map(pick)).toEqual(
      (await db.selectFrom('risk').selectAll().where('plan_id', '=', planId).orderBy('position').execute()).map(pick),
    )
    expect(copies[0]).toMatchObject({ likelihood: 3, consequence: 4 })
    expect(copies.map((r) => r.previous_risk_id)).toEqual(risks.map((r) => r.id))

    const carried = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .selectAll('measure')
      .where('risk.plan_id', '=', newPlanId)
      .orderBy('measure.id')
      .execute()
    const old = await db.selectFrom('measure').selectAll().where('id', '=', unfinished).executeTakeFirstOrThrow()
    // Pågående, delvis genomförd and genomförd – fortsatt arbete go on; genomförd and avbruten stay behind.
    const statusesOf = async (ids: (number | null)[]) =>
      (
        await db
          .selectFrom('measure')
          .select('status')
          .where('id', 'in', ids as number[])
          .execute()
      ).map((m) => m.status)
    expect(new Set(await statusesOf(carried.map((m) => m.carried_from_measure_id)))).toEqual(
      new Set(['partially_done', 'in_progress', 'done_with_follow_up']),
    )
    expect(carried).toHaveLength(5)
    expect(carried.map((m) => m.carried_from_measure_id)).not.toContain(cancelled)
    expect(carried[0]).toMatchObject({
      risk_id: copies[0]?.id,
      title: old.title,
      what_to_do: old.what_to_do,
      progress: 'Hälften av enheterna är klara.',
      owner_unit_id: old.owner_unit_id,
      responsible_person: 'Anna Andersson',
      due_date: '2021-06-30',
      status: 'partially_done',
      origin_area_id: areaId,
      carried_from_measure_id: unfinished,
      position: 1,
    })
    // Its history starts with the status it brought; last year's measure keeps its own.
    const history = await db
      .selectFrom('measure_status_change')
      .select(['from_status', 'to_status', 'changed_at'])
      .where('measure_id', '=', carried[0]?.id as number)
      .execute()
    expect(history).toEqual([
      { from_status: null, to_status: 'partially_done', changed_at: '2021-03-15T09:00:00.000Z' },
    ])

    // The development areas the originals take up are taken up by the copies too, each change in the log.
    const linkedRisks = await db.selectFrom('development_area_risk').select(['area_id', 'risk_id']).execute()
    const areasOf = (riskId: number | null) => linkedRisks.filter((l) => l.risk_id === riskId).map((l) => l.area_id)
    expect(copies.map((c) => areasOf(c.id))).toEqual(copies.map((c) => areasOf(c.previous_risk_id)))
    expect(areasOf(copies[5]?.id ?? null)).toHaveLength(1)
    expect(await db.selectFrom('development_area_measure').select(['area_id', 'measure_id']).execute()).toContainEqual({
      area_id: areaId,
      measure_id: carried[0]?.id,
    })
    const areaChanges = await db
      .selectFrom('audit_event')
      .select('entity_id')
      .where('entity', '=', 'development_area')
      .where('action', '=', 'update')
      .execute()
    expect(areaChanges).toHaveLength(3)

    expect(await db.selectFrom('review').select('id').where('plan_id', '=', newPlanId).execute()).toEqual([])
    expect(await db.selectFrom('review').select('id').where('plan_id', '=', planId).execute()).toHaveLength(8)
    // Last year's plan is left as it was.
    expect(await db.selectFrom('measure').select('id').execute()).toHaveLength(17)

    const created = await db
      .selectFrom('audit_event')
      .select(['entity', 'entity_id', 'user_name'])
      .where('action', '=', 'create')
      .where('plan_id', '=', newPlanId)
      .execute()
    expect(created.filter((e) => e.entity === 'plan').map((e) => e.entity_id)).toEqual([newPlanId])
    expect(created.filter((e) => e.entity === 'risk').map((e) => e.entity_id)).toEqual(copies.map((r) => r.id))
    expect(created.filter((e) => e.entity === 'measure').map((e) => e.entity_id)).toEqual(carried.map((m) => m.id))
    expect(new Set(created.map((e) => e.user_name))).toEqual(new Set(['Sara Sekreterare']))
  })

  it('links the carried measure and the one it came from both ways', async () => {
    const { agent, db } = await createTestApp()
    const { planId, unfinished } = await planToCarry(db)
    const newPlanId = await createNextYear(agent, planId)
    const carried = await db
      .selectFrom('measure')
      .select('id')
      .where('carried_from_measure_id', '=', unfinished)
      .executeTakeFirstOrThrow()

    const $ = html((await agent.get(`/planer/${newPlanId}/atgarder/${carried.id}`).expect(200)).text)
    const from = $('.summary-list a:contains("Överförd från")')
    expect(from.text()).toBe('Överförd från Internkontrollplan 2020')
    expect(from.attr('href')).toBe(`/planer/${planId}/atgarder/${unfinished}`)
    expect($('.status-history tbody tr td').eq(1).text()).toBe('Överförd')

    const old = html((await agent.get(String(from.attr('href'))).expect(200)).text)
    const to = old('.summary-list a:contains("Överförd till")')
    expect(to.text()).toBe('Överförd till Internkontrollplan 2021')
    expect(to.attr('href')).toBe(`/planer/${newPlanId}/atgarder/${carried.id}`)
  })

  it('refuses a second plan for the same year, with a link to the one there is', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const newPlanId = await createNextYear(agent, planId)
    const page = await agent.get(`/planer/${planId}`).expect(200)
    const token = String(html(page.text)('input[name="_csrf"]').first().val())
    const again = await agent
      .post(`/planer/${planId}/nasta-ar`)
      .type('form')
      .send({ _csrf: token, title: 'Internkontrollplan 2021 igen' })
      .expect(409)
    const $ = html(again.text)
    expect($('.warning').text()).toContain('Nämnden har redan en internkontrollplan för 2021.')
    expect($('.warning a').attr('href')).toBe(`/planer/${newPlanId}`)
    expect($('form[action$="/nasta-ar"]')).toHaveLength(0)
    await agent.get(`/planer/${planId}/nasta-ar`).expect(409)
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(2)
  })

  it('asks for a title and keeps what was typed', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const $ = html((await submitForm(agent, `/planer/${planId}/nasta-ar`, { title: '  ' }, 400)).text)
    expect($('.error-summary li').text()).toBe('Ange planens rubrik, till exempel Internkontrollplan 2020.')
    expect($('#field-title').attr('aria-invalid')).toBe('true')
    const long = 'x'.repeat(301)
    const tooLong = html((await submitForm(agent, `/planer/${planId}/nasta-ar`, { title: long }, 400)).text)
    expect(tooLong('#field-title').val()).toBe(long)
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(1)
  })

  it('lets only a secretary of the plan’s own committee make it', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const token = String(
      html((await agent.get(`/planer/${planId}`).expect(200)).text)('input[name="_csrf"]')
        .first()
        .val(),
    )
    // The demo secretary now keeps another committee's plans instead.
    const other = await db
      .insertInto('committee')
      .values(
        await db
          .selectFrom('committee')
          .select(['municipality_id', 'administration_id'])
          .select((eb) => eb.val('Förskolenämnden').as('name'))
          .executeTakeFirstOrThrow(),
      )
      .returning('id')
      .executeTakeFirstOrThrow()
    await db.updateTable('committee_role').set({ committee_id: other.id }).where('role', '=', 'secretary').execute()
    await agent.get(`/planer/${planId}/nasta-ar`).expect(403)
    await agent.post(`/planer/${planId}/nasta-ar`).type('form').send({ _csrf: token, title: 'Plan' }).expect(403)
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(1)
  })
})

describe('risks since last year', () => {
  async function editedNextYear() {
    const { agent, db } = await createTestApp()
    const { planId } = await planToCarry(db)
    const newPlanId = await createNextYear(agent, planId)
    const [first, second] = await db
      .selectFrom('risk')
      .selectAll()
      .where('plan_id', '=', newPlanId)
      .orderBy('position')
      .execute()
    await submitForm(
      agent,
      `/planer/${newPlanId}/risker/${first?.id}/redigera`,
      {
        title: first?.title ?? '',
        description: first?.description ?? '',
        likelihood: '4',
        consequence: '4',
        treatment: 'review',
        scope: 'committee',
      },
      303,
    )
    await submitForm(
      agent,
      `/planer/${newPlanId}/risker/ny`,
      {
        title: 'Risk för brister i dokumenthantering',
        description: '',
        likelihood: '',
        consequence: '',
        treatment: 'review',
        scope: 'committee',
      },
      303,
    )
    return { agent, db, planId, newPlanId, first, second }
  }

  it('marks each risk on the plan page and the risk page as changed, unchanged or new', async () => {
    const { agent, planId, newPlanId, first, second } = await editedNextYear()
    const $ = html((await agent.get(`/planer/${newPlanId}`).expect(200)).text)
    const since = $('article.risk .since-last-year')
      .map((_, e) => $(e).text())
      .get()
    expect(since).toEqual([
      'Ändrad sedan 2020: sannolikhet 3 → 4',
      ...Array(5).fill('Oförändrad sedan 2020'),
      'Ny risk för 2021',
    ])

    const risk = html((await agent.get(`/planer/${newPlanId}/risker/${first?.id}`).expect(200)).text)
    const row = risk('.summary-list div:contains("Sedan föregående år") dd')
    expect(row.text()).toBe('Ändrad sedan 2020: sannolikhet 3 → 4 (risken i Internkontrollplan 2020)')
    expect(row.find('a').attr('href')).toBe(`/planer/${planId}/risker/${first?.previous_risk_id}`)
    const unchanged = html((await agent.get(`/planer/${newPlanId}/risker/${second?.id}`).expect(200)).text)
    expect(unchanged('.summary-list').text()).toContain('Oförändrad sedan 2020')

    // The committee's first plan has nothing to compare with.
    expect(html((await agent.get(`/planer/${planId}`).expect(200)).text)('.since-last-year')).toHaveLength(0)
  })

  it('says so in the follow-up report', async () => {
    const { agent, newPlanId } = await editedNextYear()
    const $ = html((await agent.get(`/planer/${newPlanId}/rapport`).expect(200)).text)
    const risks = $('.report-risk')
      .map((_, e) => `${$(e).find('h3').text()} | ${$(e).find('h3 + .report-status').text()}`)
      .get()
    expect(risks[0]).toBe('Risk: Röjande av sekretess | Ändrad sedan 2020: sannolikhet 3 → 4')
    expect(risks[1]).toBe(
      'Risk: Risk för bristande följsamhet mot skattelagstiftning kopplat till förmåner | Oförändrad sedan 2020',
    )
    expect(risks[6]).toBe('Risk: Risk för brister i dokumenthantering | Ny risk för 2021')
  })
})

describe("deleting last year's records", () => {
  it('keeps next year’s copies and unlinks them, each unlinking in the log', async () => {
    const { agent, db } = await createTestApp()
    const { planId, unfinished } = await planToCarry(db)
    const newPlanId = await createNextYear(agent, planId)
    const carried = await db
      .selectFrom('measure')
      .select('id')
      .where('carried_from_measure_id', '=', unfinished)
      .executeTakeFirstOrThrow()

    // One measure first: its carried copy loses only its link.
    await submitForm(agent, `/planer/${planId}/atgarder/${unfinished}/ta-bort`, {}, 303)
    const $ = html((await agent.get(`/planer/${newPlanId}/atgarder/${carried.id}`).expect(200)).text)
    expect($('.summary-list a:contains("Överförd från")')).toHaveLength(0)

    await submitForm(agent, `/planer/${planId}/ta-bort`, {}, 303)
    const risks = await db.selectFrom('risk').select(['previous_risk_id']).where('plan_id', '=', newPlanId).execute()
    expect(risks).toHaveLength(6)
    expect(risks.every((r) => r.previous_risk_id === null)).toBe(true)
    expect(await db.selectFrom('measure').select(['carried_from_measure_id']).execute()).toEqual(
      Array(5).fill({ carried_from_measure_id: null }),
    )
    const unlinked = await db
      .selectFrom('audit_event')
      .select(['entity', 'before', 'after'])
      .where('action', '=', 'update')
      .where('plan_id', '=', newPlanId)
      .execute()
    const link = { risk: 'previous_risk_id', measure: 'carried_from_measure_id' } as Record<string, string>
    const linkOf = (row: string | null, entity: string) => JSON.parse(row ?? '{}')[link[entity] ?? '']
    expect(unlinked.map((e) => [e.entity, typeof linkOf(e.before, e.entity), linkOf(e.after, e.entity)])).toEqual([
      ['measure', 'number', null],
      ...Array(6).fill(['risk', 'number', null]),
      ...Array(4).fill(['measure', 'number', null]),
    ])
    // With no plan for 2020 left, 2021's risks have nothing to be compared with.
    expect(html((await agent.get(`/planer/${newPlanId}`).expect(200)).text)('.since-last-year')).toHaveLength(0)
  })
})

describe('controls into next year', () => {
  const actor = { userId: null, userName: 'Test', at: '2020-05-01T08:00:00.000Z' }

  /** Two quarterly controls of the first risk, the second with fields of its own and a run reported with a deviation. */
  async function planWithControls() {
    const { agent, db } = await createTestApp()
    const { planId, risks, unit } = await demoPlan(db)
    const riskId = risks[0]?.id as number
    const plan2020 = { id: planId, year: 2020 }
    const first = await aControl(db, riskId, unit('HR-avdelningen'), { title: 'Kontroll av utdrag' })
    const second = await aControl(db, riskId, unit('Utbildningsområden'), { title: 'Kontroll av sekretessmarkering' })
    await changeControl(db, actor, plan2020, second, 1, {
      what_is_checked: 'Att handlingar med sekretess är märkta.',
      method: 'own',
      method_own: 'Genomgång av diariet',
      responsible_person: 'Anna Andersson',
      reported_to: 'management',
    })
    const [run] = await listRunsOfControl(db, second)
    const runTarget = { entity: 'control_run', id: run?.id as number, planId } as const
    await audited(db, actor, 'update', runTarget, () =>
      updateRun(db, run?.id as number, 1, {
        result: 'deviations',
        performed_on: '2020-03-20',
        reported_on: '2020-03-21',
        population: 'Diarieförda handlingar',
        population_size: 400,
        sample_size: 20,
        sampling: 'random',
        checked_count: 20,
        deviation_count: 1,
      }),
    )
    await audited(db, actor, 'create', { entity: 'control_deviation', planId }, () =>
      insertDeviation(db, {
        run_id: run?.id as number,
        description: 'En handling saknade sekretessmarkering.',
        severity: 'medium',
        decision: null,
        no_measure_reason: '',
        position: 1,
      }),
    )
    return { agent, db, planId, riskId, originals: [first, second], unit }
  }

  const controlsOf = (db: Db, planId: number) =>
    db
      .selectFrom('control')
      .innerJoin('risk', 'risk.id', 'control.risk_id')
      .selectAll('control')
      .where('risk.plan_id', '=', planId)
      .orderBy('control.position')
      .execute()

  it('says on the confirm page which controls are copied and that the results stay', async () => {
    const { agent, planId } = await planWithControls()
    const $ = html((await agent.get(`/planer/${planId}/nasta-ar`).expect(200)).text)
    expect($('#controls-heading').text()).toBe('Kontrollmoment som kopieras (2)')
    expect(
      $('section[aria-labelledby="controls-heading"] li')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual([
      'Kontroll av utdrag (Röjande av sekretess, Kvartalsvis, HR-avdelningen)',
      'Kontroll av sekretessmarkering (Röjande av sekretess, Kvartalsvis, Utbildningsområden)',
    ])
    expect($('section[aria-labelledby="staying-heading"] li').eq(2).text()).toBe(
      '1 rapporterat kontrolltillfälle och 1 avvikelse: kontrollmomentens resultat hör till sitt år',
    )
  })

  it('shows a plan without controls the page as before: nothing of controls to copy or results staying', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const $ = html((await agent.get(`/planer/${planId}/nasta-ar`).expect(200)).text)
    // The page is as it was before controls existed.
    expect($('#controls-heading')).toHaveLength(0)
    expect(
      $('main h2')
        .map((_, h) => $(h).text())
        .get(),
    ).toEqual(['Risker som kopieras (6)', 'Åtgärder som förs över (5)', 'Stannar i Internkontrollplan 2020'])
    expect($('section[aria-labelledby="staying-heading"] li')).toHaveLength(3)
    expect($('.from-deviations')).toHaveLength(0)
  })

  it('carries a measure decided for a deviation without the deviation, and says so: last year’s measure keeps it', async () => {
    const { agent, db, planId, riskId, unit } = await planWithControls()
    const deviation = await db.selectFrom('control_deviation').select('id').executeTakeFirstOrThrow()
    const fromDeviation = await aMeasure(db, riskId, unit('Utbildningsområden'), {
      title: 'Märk handlingar med sekretess vid registreringen',
      status: 'in_progress',
    })
    await db.updateTable('measure').set({ origin_deviation_id: deviation.id }).where('id', '=', fromDeviation).execute()
    const $ = html((await agent.get(`/planer/${planId}/nasta-ar`).expect(200)).text)
    expect($('section[aria-labelledby="carried-heading"] .from-deviations').text()).toBe(
      'En av dem beslutades för en avvikelse vid ett kontrolltillfälle. Avvikelsen hör till sitt år och följer inte ' +
        'med, men åtgärden i den nya planen länkar till åtgärden i Internkontrollplan 2020, som visar avvikelsen.',
    )

    const newPlanId = await createNextYear(agent, planId)
    const copy = await db
      .selectFrom('measure')
      .select(['origin_deviation_id', 'carried_from_measure_id'])
      .where('carried_from_measure_id', '=', fromDeviation)
      .executeTakeFirstOrThrow()
    expect(copy).toEqual({ origin_deviation_id: null, carried_from_measure_id: fromDeviation })
    const original = await db
      .selectFrom('measure')
      .select('origin_deviation_id')
      .where('id', '=', fromDeviation)
      .executeTakeFirstOrThrow()
    expect(original.origin_deviation_id).toBe(deviation.id)
    // The copy's page links to last year's measure, whose page shows the deviation.
    const copyId = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select('measure.id')
      .where('risk.plan_id', '=', newPlanId)
      .where('measure.carried_from_measure_id', '=', fromDeviation)
      .executeTakeFirstOrThrow()
    const page = html((await agent.get(`/planer/${newPlanId}/atgarder/${copyId.id}`).expect(200)).text)
    expect(page(`a[href="/planer/${planId}/atgarder/${fromDeviation}"]`).text()).toContain('Överförd från')
  })

  it('copies each control to its risk’s copy with fresh occasions of the new year, and no runs or deviations', async () => {
    const { agent, db, planId, originals } = await planWithControls()
    const newPlanId = await createNextYear(agent, planId)
    const [riskCopy] = await db
      .selectFrom('risk')
      .select('id')
      .where('plan_id', '=', newPlanId)
      .orderBy('position')
      .execute()
    const copies = await controlsOf(db, newPlanId)
    const before = await controlsOf(db, planId)
    const fields = [
      'title',
      'what_is_checked',
      'method',
      'method_own',
      'frequency',
      'owner_unit_id',
      'responsible_person',
      'reported_to',
      'position',
    ] as const
    const pick = (c: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, c[f]]))
    expect(copies.map(pick)).toEqual(before.map(pick))
    expect(copies[1]).toMatchObject({ method: 'own', method_own: 'Genomgång av diariet', reported_to: 'management' })
    expect(copies.map((c) => [c.risk_id, c.previous_control_id])).toEqual(originals.map((id) => [riskCopy?.id, id]))

    const runs = await db
      .selectFrom('control_run')
      .selectAll()
      .where(
        'control_id',
        'in',
        copies.map((c) => c.id),
      )
      .orderBy('control_id')
      .orderBy('occasion')
      .execute()
    const quarters = ['2021-03-31', '2021-06-30', '2021-09-30', '2021-12-31']
    expect(runs.map((r) => [r.control_id, r.planned_date])).toEqual(
      copies.flatMap((c) => quarters.map((date) => [c.id, date])),
    )
    for (const run of runs) {
      expect(run).toMatchObject({ result: null, performed_on: null, reported_on: null, sample_size: null })
    }
    const deviations = await db
      .selectFrom('control_deviation')
      .select('run_id')
      .where(
        'run_id',
        'in',
        runs.map((r) => r.id),
      )
      .execute()
    expect(deviations).toEqual([])
    // Last year's results are left as they were.
    expect(await db.selectFrom('control_deviation').select('id').execute()).toHaveLength(1)
    const reported = await db.selectFrom('control_run').select('id').where('result', 'is not', null).execute()
    expect(reported).toHaveLength(1)

    const created = await db
      .selectFrom('audit_event')
      .select(['entity', 'entity_id', 'user_name'])
      .where('action', '=', 'create')
      .where('plan_id', '=', newPlanId)
      .where('entity', 'in', ['control', 'control_run', 'control_deviation'])
      .execute()
    expect(created.filter((e) => e.entity === 'control').map((e) => e.entity_id)).toEqual(copies.map((c) => c.id))
    expect(created.filter((e) => e.entity === 'control_run').map((e) => e.entity_id)).toEqual(
      [...runs].sort((a, b) => a.id - b.id).map((r) => r.id),
    )
    expect(created.filter((e) => e.entity === 'control_deviation')).toEqual([])
    expect(new Set(created.map((e) => e.user_name))).toEqual(new Set(['Sara Sekreterare']))
    expect(await verifyAudit(db, { key: auditKey(), anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('marks each control on its risk’s page as unchanged, changed with the fields, or new', async () => {
    const { agent, db, planId, riskId, unit } = await planWithControls()
    const newPlanId = await createNextYear(agent, planId)
    const [riskCopy] = await db.selectFrom('risk').select('id').where('previous_risk_id', '=', riskId).execute()
    const [, second] = await controlsOf(db, newPlanId)
    const plan2021 = { id: newPlanId, year: 2021 }
    await changeControl(db, actor, plan2021, second?.id as number, 1, {
      frequency: 'monthly',
      owner_unit_id: unit('HR-avdelningen'),
      title: 'Kontroll av sekretessmarkering i diariet',
    })
    const added = await aControl(db, riskCopy?.id as number, unit('HR-avdelningen'), { title: 'Kontroll av loggar' })

    const $ = html((await agent.get(`/planer/${newPlanId}/risker/${riskCopy?.id}`).expect(200)).text)
    const row = $('.summary-list div:contains("Kontrollmoment sedan föregående år") dd p')
    expect(row.map((_, e) => $(e).text()).get()).toEqual([
      'Kontroll av utdrag: Oförändrat sedan 2020',
      'Kontroll av sekretessmarkering i diariet: Ändrat sedan 2020: rubrik, frekvens kvartalsvis → månadsvis, ' +
        'ansvarig enhet Utbildningsområden → HR-avdelningen',
      'Kontroll av loggar: Nytt kontrollmoment för 2021',
    ])
    expect(row.last().find('a').attr('href')).toBe(`/planer/${newPlanId}/kontroller/${added}`)

    // The whole plan's controls come in one answer, in report order.
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', newPlanId).executeTakeFirstOrThrow()
    expect((await controlsSinceLastYear(db, plan)).map((c) => c.since.kind)).toEqual(['unchanged', 'changed', 'new'])
    // The committee's first plan has nothing to compare with.
    const first = html((await agent.get(`/planer/${planId}/risker/${riskId}`).expect(200)).text)
    expect(first('.summary-list dt:contains("Kontrollmoment sedan föregående år")')).toHaveLength(0)

    // The follow-up report says it under each control's heading, as it does under each risk's; the first plan's not.
    const sinceLines = ($: ReturnType<typeof html>) =>
      $('.report-control')
        .map((_, e) => `${$(e).find('h4').text()} | ${$(e).find('h4 + .report-since').text()}`)
        .get()
    expect(sinceLines(html((await agent.get(`/planer/${newPlanId}/rapport`).expect(200)).text))).toEqual([
      'Kontrollmoment: Kontroll av utdrag | Oförändrat sedan 2020',
      'Kontrollmoment: Kontroll av sekretessmarkering i diariet | Ändrat sedan 2020: rubrik, frekvens kvartalsvis → ' +
        'månadsvis, ansvarig enhet Utbildningsområden → HR-avdelningen',
      'Kontrollmoment: Kontroll av loggar | Nytt kontrollmoment för 2021',
    ])
    expect(sinceLines(html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text))).toEqual([
      'Kontrollmoment: Kontroll av utdrag | ',
      'Kontrollmoment: Kontroll av sekretessmarkering | ',
    ])
  })

  it('keeps the copies when last year’s plan is deleted, without their link', async () => {
    const { agent, db, planId, originals } = await planWithControls()
    const newPlanId = await createNextYear(agent, planId)
    expect((await controlsOf(db, newPlanId)).map((c) => c.previous_control_id)).toEqual(originals)
    await submitForm(agent, `/planer/${planId}/ta-bort`, {}, 303)
    const copies = await controlsOf(db, newPlanId)
    expect(copies.map((c) => c.previous_control_id)).toEqual([null, null])
    expect(await verifyAudit(db, { key: auditKey(), anchorFile: null })).toMatchObject({ findings: [] })
  })
})
