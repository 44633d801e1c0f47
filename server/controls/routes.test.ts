import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import type { RunResult } from '../../db/schema.js'
import { aControl, aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, openForm, submitForm } from '../../test/helpers/test-app.js'
import { auditKey } from '../audit/anchor.js'
import { audited } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { controlsSinceLastYear } from '../next-year/repository.js'
import { insertDeviation, listRunsOfControl, updateRun } from './repository.js'

// The demo plan is 2020's; the clock stands in May, after the first quarter's occasion and before the second's.
async function setup(today = '2020-05-15') {
  const app = await createTestApp({ today })
  const demo = await demoPlan(app.db)
  const risk = demo.risks[3] as { id: number; title: string }
  return { ...app, ...demo, risk, hr: demo.unit('HR-avdelningen') }
}

const actor = { userId: null, userName: 'Hanna Holm', at: '2020-04-02T08:00:00.000Z' }

/** Reports a run as its owner would, in the audit log like any other change. */
async function report(db: Db, planId: number, runId: number, result: RunResult, deviationCount = 0) {
  const run = await db.selectFrom('control_run').select('version').where('id', '=', runId).executeTakeFirstOrThrow()
  await audited(db, actor, 'update', { entity: 'control_run', id: runId, planId }, () =>
    updateRun(db, runId, run.version, {
      result,
      performed_on: result === 'not_performed' ? null : '2020-04-01',
      reported_on: '2020-04-02',
      population: 'Nyanställda under kvartalet',
      population_size: 340,
      sample_size: 25,
      sampling: 'random',
      checked_count: 25,
      deviation_count: deviationCount,
    }),
  )
}

const controlFields = (riskId: number, ownerUnitId: number) => ({
  riskId: String(riskId),
  title: 'Kontroll av utdrag ur belastningsregistret',
  whatIsChecked: 'Att utdrag har **visats** före anställning.',
  method: 'sample',
  methodOwn: '',
  frequency: 'quarterly',
  ownerUnitId: String(ownerUnitId),
  responsiblePerson: 'Anna Andersson',
  reportedTo: 'committee',
})

/** A table's body as the text of its cells, row by row. */
function rowsOf($: ReturnType<typeof html>, table: string) {
  return $(`${table} tbody tr`)
    .map((_, row) => [
      $(row)
        .find('td')
        .map((_, cell) => $(cell).text().trim().replace(/\s+/g, ' '))
        .get(),
    ])
    .get() as string[][]
}

describe('planning a control', () => {
  it('makes a quarterly control from a risk page with its four occasions, shown on its page, the list and the risk', async () => {
    const { agent, planId, risk, hr } = await setup()
    const riskPage = `/planer/${planId}/risker/${risk.id}`
    const offer = html((await agent.get(riskPage).expect(200)).text)
    expect(offer('main').text()).toContain('Inga kontrollmoment ännu.')
    const newForm = offer('a').filter((_, a) => offer(a).text() === 'Nytt kontrollmoment')
    expect(newForm.attr('href')).toBe(`/planer/${planId}/kontroller/ny?risk=${risk.id}`)

    const form = html((await agent.get(newForm.attr('href') as string).expect(200)).text)
    expect(form('#field-riskId option[selected]').val()).toBe(String(risk.id))
    expect(form('a.button--secondary').attr('href')).toBe(riskPage)
    expect(form('[data-shown-when="method=own"] #field-methodOwn')).toHaveLength(1)
    expect(form('fieldset legend').text()).toBe('Rapporteras till')
    expect(
      form('#field-frequency option')
        .map((_, o) => form(o).text())
        .get(),
    ).toContain('Kvartalsvis (4 tillfällen)')

    const created = await submitForm(
      agent,
      `/planer/${planId}/kontroller/ny?risk=${risk.id}`,
      controlFields(risk.id, hr),
      303,
    )
    const page = created.headers.location as string
    expect(page).toMatch(new RegExp(`^/planer/${planId}/kontroller/\\d+$`))
    const $ = html((await agent.get(page).expect(200)).text)
    expect($('.notice').text()).toBe('Kontrollmomentet är tillagt.')
    expect($('h1').text()).toBe('Kontrollmoment: Kontroll av utdrag ur belastningsregistret')
    expect($('.caption a').attr('href')).toBe(riskPage)
    const summary = $('.summary-list').text()
    for (const text of ['Stickprov', 'Kvartalsvis', 'HR-avdelningen', 'Anna Andersson', 'Nämnd', '0 av 4 tillfällen']) {
      expect(summary).toContain(text)
    }
    // The first quarter's occasion is past without a report: red, said in words.
    expect($('.summary-list .light').text()).toBe('Röd – tillfälle missat eller försenat')
    expect($('.summary-list .light--red .light__mark').attr('aria-hidden')).toBe('true')
    expect($('.prose strong').text()).toBe('visats')
    expect(rowsOf($, '.control-runs').map((r) => r.slice(0, 5))).toEqual([
      ['Tillfälle 1', '2020-03-31', 'Försenat', '–', '0'],
      ['Tillfälle 2', '2020-06-30', 'Ej rapporterat', '–', '0'],
      ['Tillfälle 3', '2020-09-30', 'Ej rapporterat', '–', '0'],
      ['Tillfälle 4', '2020-12-31', 'Ej rapporterat', '–', '0'],
    ])
    // Each state wears its own tag, not a measure status's.
    expect($('.control-runs tbody tr .tag').first().attr('class')).toBe('tag run-state--overdue')
    expect($('.control-runs thead th').eq(2).text()).toBe('Status')
    const firstRun = $('.control-runs tbody tr').first()
    expect(firstRun.find('a').first().attr('href')).toMatch(new RegExp(`^${page}/tillfallen/\\d+$`))
    expect(firstRun.find('a').last().text()).toBe('Flytta datum för tillfälle 1')
    expect($('main').text()).toContain('Inga avvikelser har registrerats.')
    expect($('.record-history tbody tr').first().text()).toContain('Skapad')

    const list = html((await agent.get(`/planer/${planId}/kontroller`).expect(200)).text)
    expect(list('.control-risk h2').text()).toBe(`Risk: ${risk.title}`)
    expect(list('.control-risk h2 a').attr('href')).toBe(riskPage)
    expect(rowsOf(list, '.control-list')).toEqual([
      [
        'Kontroll av utdrag ur belastningsregistret',
        'Stickprov',
        'Kvartalsvis',
        'HR-avdelningen',
        '0 av 4',
        'Röd – tillfälle missat eller försenat',
      ],
    ])
    const onRisk = html((await agent.get(riskPage).expect(200)).text)
    expect(rowsOf(onRisk, '.risk-controls')[0]?.slice(0, 5)).toEqual([
      'Kontroll av utdrag ur belastningsregistret',
      'Kvartalsvis',
      'HR-avdelningen',
      '0 av 4',
      'Röd – tillfälle missat eller försenat',
    ])
    const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(plan('.summary-list dt:contains("Kontrollmoment") + dd a[href$="/kontroller"]').text()).toBe(
      '1 kontrollmoment med tillfällen och trafikljus',
    )
    expect(plan(`#risk-${risk.id}`).closest('article').find('.meta').text()).toContain('1 kontrollmoment')
  })

  it('shows an empty list, and offers a new control only to the secretary', async () => {
    const { agent, app, planId } = await setup()
    const list = `/planer/${planId}/kontroller`
    const $ = html((await agent.get(list).expect(200)).text)
    expect($('main').text()).toContain('Planen har inga kontrollmoment ännu.')
    expect($('main a.button').text()).toBe('Nytt kontrollmoment')
    const reader = supertest.agent(app)
    await logIn(reader, 'lasare')
    const read = html((await reader.get(list).expect(200)).text)
    expect(read('main a.button')).toHaveLength(0)
    expect(html((await reader.get(`/planer/${planId}`).expect(200)).text)('a[href$="/kontroller"]').text()).toBe(
      '0 kontrollmoment med tillfällen och trafikljus',
    )
  })

  it('shows on the list how each control stands against last year’s, as the risk’s page does', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const original = await aControl(db, risk.id, hr, { title: 'Kontroll av utdrag' })
    const next = await anotherPlan(db, 2021)
    const nextRisk = await aRisk(db, next)
    const copy = await aControl(db, nextRisk, hr, { title: 'Kontroll av utdrag' })
    await db.updateTable('control').set({ previous_control_id: original }).where('id', '=', copy).execute()
    await aControl(db, nextRisk, hr, { title: 'Kontroll av loggar' })
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', next).executeTakeFirstOrThrow()
    const since = await controlsSinceLastYear(db, plan)
    expect(since.map((c) => c.since.kind)).toEqual(['unchanged', 'new'])

    const $ = html((await agent.get(`/planer/${next}/kontroller`).expect(200)).text)
    const lines = $('.control-list tbody td[data-label="Kontrollmoment"]')
      .map((_, td) => [[$(td).find('a').text(), $(td).find('.since-last-year').text()]])
      .get()
    expect(lines).toEqual([
      ['Kontroll av utdrag', since[0]?.since.text],
      ['Kontroll av loggar', since[1]?.since.text],
    ])
    // The committee's first plan has nothing to compare with.
    const first = html((await agent.get(`/planer/${planId}/kontroller`).expect(200)).text)
    expect(first('.control-list .since-last-year')).toHaveLength(0)
  })

  it('asks for the own method only when the method is one of the committee’s own, and for whom it is reported to', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const form = `/planer/${planId}/kontroller/ny`
    const missing = html(
      (await submitForm(agent, form, { ...controlFields(risk.id, hr), method: 'own', reportedTo: '' }, 400)).text,
    )
    expect(missing('#field-methodOwn-error').text()).toContain('Beskriv den egna kontrollmetoden.')
    expect(missing('#field-reportedTo-error').text()).toContain('Välj vem kontrollen rapporteras till.')
    // Listed in the order of the form's fields, the own method's among them.
    expect(
      missing('.error-summary a')
        .map((_, a) => missing(a).attr('href'))
        .get(),
    ).toEqual(['#field-methodOwn', '#field-reportedTo'])
    expect(missing('#field-reportedTo')).toHaveLength(1)
    expect(missing('#field-title').val()).toBe('Kontroll av utdrag ur belastningsregistret')
    expect(missing('#field-method option[selected]').val()).toBe('own')

    const own = await submitForm(
      agent,
      form,
      { ...controlFields(risk.id, hr), method: 'own', methodOwn: 'Genomgång med rektor', reportedTo: 'management' },
      303,
    )
    const $ = html((await agent.get(own.headers.location as string).expect(200)).text)
    expect($('.summary-list').text()).toContain('Genomgång med rektor')
    expect($('.summary-list').text()).toContain('Förvaltningsledning')
    // Words for the own method sent with another method are not kept.
    await submitForm(agent, form, { ...controlFields(risk.id, hr), title: 'Andra', methodOwn: 'Bortglömt' }, 303)
    const other = await db.selectFrom('control').select('method_own').where('title', '=', 'Andra').executeTakeFirst()
    expect(other?.method_own).toBe('')
  })

  it('refuses a risk of another plan and a unit of another administration', async () => {
    const { agent, db, planId, hr } = await setup()
    const otherPlan = await anotherPlan(db)
    const foreignRisk = await db
      .insertInto('risk')
      .values({
        plan_id: otherPlan,
        title: 'Annan',
        description: '',
        treatment: 'accept',
        scope: 'committee',
        position: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const $ = html(
      (await submitForm(agent, `/planer/${planId}/kontroller/ny`, controlFields(foreignRisk.id, hr + 1000), 400)).text,
    )
    expect($('#field-riskId-error').text()).toContain('Välj en risk i listan.')
    expect($('#field-ownerUnitId-error').text()).toContain('Välj en ansvarig enhet i listan.')
    expect(await db.selectFrom('control').select('id').execute()).toEqual([])
  })

  it('escapes what the secretary typed on every page that shows it', async () => {
    const { agent, planId, risk, hr } = await setup()
    const title = '<script>alert(1)</script>'
    const created = await submitForm(
      agent,
      `/planer/${planId}/kontroller/ny`,
      { ...controlFields(risk.id, hr), title, method: 'own', methodOwn: '<b>egen</b>', responsiblePerson: '<i>x</i>' },
      303,
    )
    const page = created.headers.location as string
    for (const path of [
      page,
      `/planer/${planId}/kontroller`,
      `/planer/${planId}/risker/${risk.id}`,
      `${page}/ta-bort`,
    ]) {
      const text = (await agent.get(path).expect(200)).text
      expect(text, path).not.toContain('<script>alert(1)</script>')
      expect(text, path).not.toContain('<b>egen</b>')
      expect(text, path).not.toContain('<i>x</i>')
      expect(html(text)('main').text(), path).toContain(title)
    }
  })
})

describe('the control list by traffic light', () => {
  it('lists only the controls showing the chosen light, and refuses a light that does not exist', async () => {
    const s = await setup('2020-07-15')
    const green = await aControl(s.db, s.risk.id, s.hr, { title: 'Grön kontroll' })
    const yellow = await aControl(s.db, s.risk.id, s.hr, { title: 'Gul kontroll' })
    const red = await aControl(s.db, s.risks[0]?.id as number, s.hr, { title: 'Röd kontroll' })
    const runsOf = (id: number) => listRunsOfControl(s.db, id)
    await report(s.db, s.planId, (await runsOf(green))[0]?.id as number, 'no_remarks')
    await report(s.db, s.planId, (await runsOf(green))[1]?.id as number, 'no_remarks')
    await report(s.db, s.planId, (await runsOf(yellow))[0]?.id as number, 'deviations', 1)
    await report(s.db, s.planId, (await runsOf(yellow))[1]?.id as number, 'no_remarks')
    // Red's second occasion (30 June) is past and unreported on 15 July.
    await report(s.db, s.planId, (await runsOf(red))[0]?.id as number, 'no_remarks')
    const titles = async (query: string) => {
      const $ = html((await s.agent.get(`/planer/${s.planId}/kontroller${query}`).expect(200)).text)
      return $('table.control-list tbody tr td:first-child a')
        .map((_, a) => $(a).text())
        .get()
    }
    expect(await titles('')).toEqual(expect.arrayContaining(['Grön kontroll', 'Gul kontroll', 'Röd kontroll']))
    expect(await titles('?ljus=green')).toEqual(['Grön kontroll'])
    expect(await titles('?ljus=yellow')).toEqual(['Gul kontroll'])
    expect(await titles('?ljus=red')).toEqual(['Röd kontroll'])
    const $ = html((await s.agent.get(`/planer/${s.planId}/kontroller?ljus=red`).expect(200)).text)
    expect($('#field-ljus option[selected]').text()).toBe('Röd – tillfälle missat eller försenat')
    const refused = html((await s.agent.get(`/planer/${s.planId}/kontroller?ljus=blue`).expect(400)).text)
    expect(refused('.error-summary').text()).toContain('Välj ett trafikljus i listan.')
    expect(refused('table.control-list')).toHaveLength(0)
  })
})

describe('a control of a municipal company', () => {
  it('is reported to the board (styrelse), as the form and the control’s page say', async () => {
    const { agent, db } = await createTestApp({ currentYear: true, today: '2021-03-15' })
    const risk = await db
      .selectFrom('risk')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['risk.id', 'plan.id as planId', 'committee.administration_id', 'committee.id as committeeId'])
      .where('committee.kind', '=', 'company')
      .executeTakeFirstOrThrow()
    // The demo's secretary is the company's too.
    const secretary = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'sekreterare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('committee_role')
      .values({ user_id: secretary.id, committee_id: risk.committeeId, role: 'secretary' })
      .execute()
    const unit = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('administration_id', '=', risk.administration_id)
      .executeTakeFirstOrThrow()
    const form = html((await agent.get(`/planer/${risk.planId}/kontroller/ny`).expect(200)).text)
    expect(
      form('input[name="reportedTo"]')
        .map((_, input) => form(`label[for="${form(input).attr('id')}"]`).text())
        .get(),
    ).toEqual(['Styrelse', 'Bolagets ledning'])
    const id = await aControl(db, risk.id, unit.id)
    const $ = html((await agent.get(`/planer/${risk.planId}/kontroller/${id}`).expect(200)).text)
    expect($('dt:contains("Rapporteras till") + dd').text()).toBe('Styrelse')
  })
})

describe('changing a control', () => {
  it('refuses a frequency that would leave a reported run without its occasion, naming it', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr, { frequency: 'quarterly' })
    const runs = await listRunsOfControl(db, id)
    await report(db, planId, runs[2]?.id as number, 'no_remarks')
    const page = `/planer/${planId}/kontroller/${id}`
    const edit = await openForm(agent, `${page}/redigera`)
    const refused = await edit.post({ frequency: 'half_yearly', title: 'Ny rubrik' }).expect(400)
    const $ = html(refused.text)
    expect($('#field-frequency-error').text()).toContain(
      'Kontrollen kan inte göras halvårsvis: tillfälle 3 (planerat 2020-09-30) är redan rapporterat',
    )
    expect($('#field-title').val()).toBe('Ny rubrik')
    const after = await listRunsOfControl(db, id)
    expect(after.map((r) => r.occasion)).toEqual([1, 2, 3, 4])
    expect(
      (await db.selectFrom('control').select(['title', 'frequency']).where('id', '=', id).executeTakeFirst())?.title,
    ).toBe('Kontroll av utdrag ur belastningsregistret')

    // Monthly has room for it: the unreported occasions are planned afresh, the reported one stays.
    await edit.post({ frequency: 'monthly' }).expect(303)
    const monthly = await listRunsOfControl(db, id)
    expect(monthly).toHaveLength(12)
    expect(monthly.find((r) => r.occasion === 3)).toMatchObject({ planned_date: '2020-09-30', result: 'no_remarks' })
    expect(monthly.find((r) => r.occasion === 1)?.planned_date).toBe('2020-01-31')
    expect(html((await agent.get(page).expect(200)).text)('.notice').text()).toBe('Kontrollmomentet är sparat.')
  })

  it('names every reported run a new frequency would leave out, in agreement with their number', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr, { frequency: 'quarterly' })
    const runs = await listRunsOfControl(db, id)
    await report(db, planId, runs[2]?.id as number, 'no_remarks')
    await report(db, planId, runs[3]?.id as number, 'no_remarks')
    const edit = await openForm(agent, `/planer/${planId}/kontroller/${id}/redigera`)
    const refused = html((await edit.post({ frequency: 'half_yearly' }).expect(400)).text)
    expect(refused('#field-frequency-error').text()).toContain(
      'tillfälle 3 (planerat 2020-09-30) och tillfälle 4 (planerat 2020-12-31) är redan rapporterade och',
    )
  })

  it('merges a stale edit of other fields, and refuses one of the same field with 409', async () => {
    const { agent, app, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr)
    const page = `/planer/${planId}/kontroller/${id}`
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    const mine = await openForm(agent, `${page}/redigera`)
    const theirs = await openForm(other, `${page}/redigera`)
    await theirs.post({ responsiblePerson: 'Bo Berg' }).expect(303)

    await mine.post({ title: 'Min rubrik' }).expect(303)
    const $ = html((await agent.get(page).expect(200)).text)
    expect($('.notice').text()).toContain('Kontrollmomentet är sparat. Sara Sekreterare hade ändrat Ansvarig person')
    const row = await db.selectFrom('control').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect([row.title, row.responsible_person]).toEqual(['Min rubrik', 'Bo Berg'])

    const late = await openForm(agent, `${page}/redigera`)
    const first = await openForm(other, `${page}/redigera`)
    await first.post({ method: 'interview' }).expect(303)
    const refused = await late.post({ method: 'reconciliation' }).expect(409)
    const conflict = html(refused.text)
    expect(conflict('table.conflict-clashes tbody').text()).toContain('Intervju')
    expect(conflict('table.conflict-clashes tbody').text()).toContain('Avstämning')
    expect((await db.selectFrom('control').select('method').where('id', '=', id).executeTakeFirst())?.method).toBe(
      'interview',
    )
  })

  it('moves a control to another risk, last there, and orders controls within a risk', async () => {
    const { agent, db, planId, risks, risk, hr } = await setup()
    const target = risks[0] as { id: number }
    const first = await aControl(db, target.id, hr, { title: 'Först' })
    const moved = await aControl(db, risk.id, hr, { title: 'Flyttad' })
    const page = `/planer/${planId}/kontroller/${moved}`
    await (await openForm(agent, `${page}/redigera`)).post({ riskId: String(target.id) }).expect(303)
    const targetPage = `/planer/${planId}/risker/${target.id}`
    let $ = html((await agent.get(targetPage).expect(200)).text)
    expect(rowsOf($, '.risk-controls').map((r) => r[0])).toEqual(['Först', 'Flyttad'])

    const up = await submitForm(agent, targetPage, { direction: 'up' }, 303, `${page}/flytta`)
    expect(up.headers.location).toBe(`${targetPage}#move-down-control-${moved}`)
    $ = html((await agent.get(targetPage).expect(200)).text)
    expect($('.notice').text()).toBe('Kontrollmomentet är flyttat upp.')
    expect(rowsOf($, '.risk-controls').map((r) => r[0])).toEqual(['Flyttad', 'Först'])
    expect($(`#move-down-control-${moved}`)).toHaveLength(1)
    expect($(`#move-up-control-${first}`)).toHaveLength(1)
  })
})

describe('who may plan controls', () => {
  it('lets a reader and an owner read the controls, but not make, change, move or delete them', async () => {
    const { app, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr)
    const run = (await listRunsOfControl(db, id))[0]
    const page = `/planer/${planId}/kontroller/${id}`
    for (const login of ['lasare', 'hr'] as const) {
      const agent = supertest.agent(app)
      await logIn(agent, login)
      const $ = html((await agent.get(page).expect(200)).text)
      expect($('a[href$="/redigera"], a[href$="/ta-bort"], a[href$="/datum"]')).toHaveLength(0)
      await agent.get(`/planer/${planId}/kontroller`).expect(200)
      for (const path of [
        `/planer/${planId}/kontroller/ny`,
        `${page}/redigera`,
        `${page}/ta-bort`,
        `${page}/tillfallen/${run?.id}/datum`,
      ]) {
        await agent.get(path).expect(403)
      }
      const _csrf = String($('input[name="_csrf"]').first().val())
      for (const path of [
        `/planer/${planId}/kontroller/ny`,
        `${page}/redigera`,
        `${page}/ta-bort`,
        `${page}/flytta`,
        `${page}/tillfallen/${run?.id}/datum`,
      ]) {
        await agent
          .post(path)
          .type('form')
          .send({ ...controlFields(risk.id, hr), plannedDate: '2020-05-01', direction: 'up', _csrf })
          .expect(403)
      }
    }
    expect(await db.selectFrom('control').select('id').execute()).toHaveLength(1)
  })

  it('finds no control through another plan’s address', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr)
    const other = await anotherPlan(db)
    await agent.get(`/planer/${planId}/kontroller/${id}`).expect(200)
    await agent.get(`/planer/${other}/kontroller/${id}`).expect(404)
    await agent.get(`/planer/${other}/kontroller/${id}/redigera`).expect(404)
    await agent.get(`/planer/${planId}/kontroller/ny-ish`).expect(404)
  })
})

describe('moving an occasion’s date', () => {
  it('moves one occasion, in the log, and refuses a date that does not exist', async () => {
    const { agent, db, planId, risk, hr } = await setup()
    const id = await aControl(db, risk.id, hr)
    const runs = await listRunsOfControl(db, id)
    const second = runs[1] as { id: number }
    const page = `/planer/${planId}/kontroller/${id}`
    const form = `${page}/tillfallen/${second.id}/datum`
    const $ = html((await agent.get(page).expect(200)).text)
    expect($(`a[href="${form}"]`).text()).toBe('Flytta datum för tillfälle 2')

    const opened = html((await agent.get(form).expect(200)).text)
    expect(opened('#field-plannedDate').attr('type')).toBe('date')
    expect(opened('#field-plannedDate').val()).toBe('2020-06-30')
    const bad = html((await submitForm(agent, form, { plannedDate: '2020-06-31' }, 400)).text)
    expect(bad('#field-plannedDate-error').text()).toContain('Ange ett datum som ÅÅÅÅ-MM-DD')
    expect(bad('#field-plannedDate').val()).toBe('2020-06-31')
    const empty = html((await submitForm(agent, form, { plannedDate: '' }, 400)).text)
    expect(empty('#field-plannedDate-error').text()).toContain('Ange det nya planerade datumet.')
    // An occasion stays in its plan's year, on either side.
    for (const plannedDate of ['2021-01-15', '2019-12-31']) {
      const outside = html((await submitForm(agent, form, { plannedDate }, 400)).text)
      expect(outside('#field-plannedDate-error').text()).toContain('Välj ett datum i planens år, 2020.')
      expect(outside('#field-plannedDate').val()).toBe(plannedDate)
    }
    expect((await listRunsOfControl(db, id))[1]?.planned_date).toBe('2020-06-30')

    const saved = await submitForm(agent, form, { plannedDate: '2020-05-10' }, 303)
    expect(saved.headers.location).toBe(page)
    const after = html((await agent.get(page).expect(200)).text)
    expect(after('.notice').text()).toBe('Tillfälle 2 är planerat till 2020-05-10.')
    // Moved before today without a report, it is overdue now.
    expect(rowsOf(after, '.control-runs')[1]?.slice(1, 3)).toEqual(['2020-05-10', 'Försenat'])
    const event = await db
      .selectFrom('audit_event')
      .select(['action', 'before', 'after', 'user_name'])
      .where('entity', '=', 'control_run')
      .where('entity_id', '=', second.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(event.action).toBe('update')
    expect(event.user_name).toBe('Sara Sekreterare')
    expect([JSON.parse(event.before ?? '{}').planned_date, JSON.parse(event.after ?? '{}').planned_date]).toEqual([
      '2020-06-30',
      '2020-05-10',
    ])
  })
})

describe('a control with reports and deviations', () => {
  async function withDeviation() {
    const s = await setup('2020-07-15')
    const id = await aControl(s.db, s.risk.id, s.hr)
    const runs = await listRunsOfControl(s.db, id)
    await report(s.db, s.planId, runs[0]?.id as number, 'deviations', 2)
    await report(s.db, s.planId, runs[1]?.id as number, 'no_remarks')
    const deviationId = await audited(s.db, actor, 'create', { entity: 'control_deviation', planId: s.planId }, () =>
      insertDeviation(s.db, {
        run_id: runs[0]?.id as number,
        description: 'Utdrag saknades för två anställda.',
        severity: 'high',
        decision: 'measure_required',
        no_measure_reason: '',
        position: 1,
      }),
    )
    // A measure of another risk decided for the deviation: it stays when the control goes.
    const measureId = await audited(s.db, actor, 'create', { entity: 'measure', planId: s.planId }, () =>
      aMeasure(s.db, s.risks[0]?.id as number, s.hr, { title: 'Påminn cheferna om utdragen' }),
    )
    await audited(s.db, actor, 'update', { entity: 'measure', id: measureId, planId: s.planId }, () =>
      s.db.updateTable('measure').set({ origin_deviation_id: deviationId }).where('id', '=', measureId).execute(),
    )
    return { ...s, id, runs, deviationId, measureId, page: `/planer/${s.planId}/kontroller/${id}` }
  }

  it('shows each occasion’s result, sample and deviations, and the deviations with the measures they led to', async () => {
    const { agent, planId, page, runs, measureId } = await withDeviation()
    const $ = html((await agent.get(page).expect(200)).text)
    expect($('.summary-list .light').text()).toBe('Gul – avvikelser')
    expect($('.summary-list').text()).toContain('2 av 4 tillfällen')
    expect(rowsOf($, '.control-runs').map((r) => r.slice(0, 5))).toEqual([
      [
        'Tillfälle 1',
        '2020-03-31',
        'Med avvikelser, genomförd 2020-04-01',
        '25 av 340, slumpmässigt urval; 25 kontrollerade, 2 med avvikelser',
        '1',
      ],
      [
        'Tillfälle 2',
        '2020-06-30',
        'Utan anmärkning, genomförd 2020-04-01',
        '25 av 340, slumpmässigt urval; 25 kontrollerade, 0 med avvikelser',
        '0',
      ],
      ['Tillfälle 3', '2020-09-30', 'Ej rapporterat', '–', '0'],
      ['Tillfälle 4', '2020-12-31', 'Ej rapporterat', '–', '0'],
    ])
    const deviation = $('.control-deviations tbody tr')
    expect(rowsOf($, '.control-deviations')[0]?.slice(0, 4)).toEqual([
      'Tillfälle 1',
      'Utdrag saknades för två anställda.',
      'Hög',
      'Åtgärd krävs',
    ])
    expect(deviation.find('a').first().attr('href')).toBe(`${page}/tillfallen/${runs[0]?.id}`)
    const measure = deviation.find(`a[href="/planer/${planId}/atgarder/${measureId}"]`)
    expect(measure.text()).toBe('Påminn cheferna om utdragen')
    expect(measure.parent().text()).toContain('(HR-avdelningen)')
    expect(measure.parent().find('.tag').text()).toBe('Ej påbörjad')
    // The measures sit in the cell itself, one a line: no paragraph's margin above the first.
    expect(measure.parent().is('td')).toBe(true)
  })

  it('says of a deviation not yet decided "Inte beslutat", as the run’s page does', async () => {
    const { agent, db, page, deviationId } = await withDeviation()
    await db.updateTable('control_deviation').set({ decision: null }).where('id', '=', deviationId).execute()
    const $ = html((await agent.get(page).expect(200)).text)
    expect($('.control-deviations td[data-label="Beslut"]').text()).toBe('Inte beslutat')
    const run = html((await agent.get(String($('.control-deviations a').first().attr('href'))).expect(200)).text)
    expect(run('td[data-label="Beslut"]').text()).toBe('Inte beslutat')
  })

  it('says on the risk’s delete page nothing of measures elsewhere when no measure of another risk came from it', async () => {
    const { agent, db, planId, risk, measureId } = await withDeviation()
    await db.updateTable('measure').set({ risk_id: risk.id }).where('id', '=', measureId).execute()
    const confirm = html((await agent.get(`/planer/${planId}/risker/${risk.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain('Åtgärd: Påminn cheferna om utdragen (HR-avdelningen)')
    expect(confirm('.warning').text()).not.toContain('kopplas bort från avvikelserna')
  })

  it('deletes the control after a confirmation naming what goes and what stays, leaving a verifiable log', async () => {
    const { agent, db, planId, risk, page, id, measureId } = await withDeviation()
    const confirm = html((await agent.get(`${page}/ta-bort`).expect(200)).text)
    const warning = confirm('.warning').text()
    expect(warning).toContain(
      'Vill du ta bort kontrollmomentet ”Kontroll av utdrag ur belastningsregistret” (HR-avdelningen)?',
    )
    expect(warning).toContain('Kontrollmomentets 4 tillfällen, varav 2 rapporterade med resultat och stickprov')
    expect(warning).toContain('1 avvikelse som tillfällena hittade')
    expect(warning).toContain('Påminn cheferna om utdragen (HR-avdelningen)')

    // The risk's own delete page names the control too.
    const riskConfirm = html((await agent.get(`/planer/${planId}/risker/${risk.id}/ta-bort`).expect(200)).text)
    expect(riskConfirm('.warning li').last().text()).toContain(
      'Kontrollmoment: Kontroll av utdrag ur belastningsregistret (HR-avdelningen), med 4 tillfällen',
    )
    // It names the measures of other risks that lose their origin: those of this risk go with it.
    expect(riskConfirm('.warning').text()).toContain(
      'Åtgärder under andra risker som beslutats för kontrollmomentens avvikelser finns kvar men kopplas bort från avvikelserna: Påminn cheferna om utdragen (HR-avdelningen).',
    )

    const deleted = await submitForm(agent, `${page}/ta-bort`, {}, 303)
    expect(deleted.headers.location).toBe(`/planer/${planId}/risker/${risk.id}`)
    expect(html((await agent.get(deleted.headers.location as string).expect(200)).text)('.notice').text()).toBe(
      'Kontrollmomentet är borttaget.',
    )
    await agent.get(page).expect(404)
    expect(await db.selectFrom('control_run').select('id').where('control_id', '=', id).execute()).toEqual([])
    expect(await db.selectFrom('control_deviation').select('id').execute()).toEqual([])
    const measure = await db
      .selectFrom('measure')
      .select('origin_deviation_id')
      .where('id', '=', measureId)
      .executeTakeFirstOrThrow()
    expect(measure.origin_deviation_id).toBeNull()
    const deletes = await db
      .selectFrom('audit_event')
      .select('entity')
      .where('action', '=', 'delete')
      .where('entity', 'in', ['control', 'control_run', 'control_deviation'])
      .execute()
    expect(deletes.map((e) => e.entity).sort()).toEqual([
      'control',
      'control_deviation',
      'control_run',
      'control_run',
      'control_run',
      'control_run',
    ])
    expect(await verifyAudit(db, { key: auditKey(), anchorFile: null })).toMatchObject({ findings: [] })
  })
})
