import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../../db/seed/demo.js'
import { aControl, aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, type DemoLogin, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { auditedTransaction } from '../audit/audited.js'
import { hashPassword } from '../auth/passwords.js'
import { addUnitMember, grantCommitteeRole, insertUser } from '../auth/repository.js'
import { updateRun } from '../controls/repository.js'
import { insertReportVersion } from '../reports/repository.js'
import { overdueShown, ownerMeasuresShown, runsShown } from './routes.js'

// The demo plan on 2021-03-15: HR-avdelningen's four measures are done; Utbildningsområden's four are one in
// progress and three done; four more are Grundskolenämnden's own. No measure has a due date.
const hrMeasures = [
  'Informationsinsats till förvaltningens chefer kring rutiner för belastningsregister',
  'Revidera och tydliggöra delar i förvaltningens Rutin för referenstagning och kontroll av uttag ur belastningsregistret',
  'Förstärka HR-avdelningens introduktion av nya chefer avseende rutiner vid belastningsregister',
  'Riktade insatser mot administrativa chefer och skoladministratör gällande formaliadelarna kring utdragen',
]
const competence = 'Kompetenshöjande insats för skolledare kring elevhälsouppdraget'
const sections = ['Mina åtgärder', 'Nämndens planer', 'Försenade åtgärder', 'Närmaste tidsfrister']

async function setup(as: DemoLogin) {
  const app = await createTestApp({ today: '2021-03-15', as })
  const demo = await demoPlan(app.db)
  const setMeasure = (title: string, changes: { due_date?: string; status?: 'not_started' | 'in_progress' }) =>
    app.db.updateTable('measure').set(changes).where('title', '=', title).execute()
  const idOf = async (title: string) =>
    (await app.db.selectFrom('measure').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id
  return { ...app, ...demo, setMeasure, idOf }
}

async function startPage(agent: TestAgent, path = '/') {
  const $ = html((await agent.get(path).expect(200)).text)
  return {
    $,
    headings: $('main h2')
      .map((_, h) => $(h).text().trim())
      .get(),
    myMeasures: $('.my-measure > h3')
      .map((_, h) => $(h).text().trim())
      .get(),
  }
}

describe('the start page', () => {
  it('is where a login without a page to return to lands, and the main menu links to it', async () => {
    const { app } = await createTestApp({ as: null })
    const agent = supertest.agent(app)
    const login = await submitForm(
      agent,
      '/logga-in',
      { email: 'hr@demo.internkontroll.se', password: demoPassword },
      303,
      '/logga-in',
    )
    expect(login.headers.location).toBe('/')
    const { $ } = await startPage(agent)
    expect($('h1').text()).toBe('Översikt')
    expect($('nav[aria-label="Huvudmeny"] a[href="/"]').text()).toBe('Översikt')
    expect((await agent.get('/logga-in').expect(303)).headers.location).toBe('/')
  })

  it('shows HR-avdelningen’s ansvarig their own measures, soonest due first, and none of Utbildningsområden’s', async () => {
    const { agent, setMeasure, idOf } = await setup('hr')
    await setMeasure(hrMeasures[2] as string, { due_date: '2021-04-30', status: 'in_progress' })
    await setMeasure(hrMeasures[1] as string, { due_date: '2021-03-01', status: 'in_progress' })
    await setMeasure(competence, { due_date: '2021-03-02' })
    const { $, headings, myMeasures } = await startPage(agent)
    expect(headings).toEqual(['Mina åtgärder'])
    // Due dates first, overdue among them, then those without one in the plan's order.
    expect(myMeasures).toEqual([hrMeasures[1], hrMeasures[2], hrMeasures[0], hrMeasures[3]])
    expect($('main').text()).not.toContain(competence)
    const overdue = $(`#atgard-${await idOf(hrMeasures[1] as string)}`)
    expect(overdue.find('.tag--overdue').text()).toBe('Försenad')
    expect(overdue.find('dd').last().text()).toBe('2021-03-01')
    expect($('.my-measure .tag--overdue')).toHaveLength(1)
    const id = await idOf(hrMeasures[0] as string)
    expect($(`#atgard-${id} h3 a`).attr('href')).toMatch(new RegExp(`^/planer/\\d+/atgarder/${id}$`))
    expect($(`#atgard-${id} a.button`).attr('href')).toMatch(
      new RegExp(`^/planer/\\d+/atgarder/${id}/uppdatera\\?till=%2F%3Fatgard%3D${id}%23atgard-${id}$`),
    )
  })

  it('lists the ansvarig’s first measures, those still to do, and says where the rest are', async () => {
    const { agent, db, planId, risks, unit } = await setup('hr')
    const hr = unit('HR-avdelningen')
    // HR-avdelningen's four done measures, and as many still to do as the page shows and one more.
    for (let n = 1; n <= ownerMeasuresShown + 1; n++)
      await aMeasure(db, risks[0]?.id as number, hr, { title: `Att göra ${n}`, status: 'in_progress' })
    const { $, myMeasures } = await startPage(agent)
    expect(myMeasures).toHaveLength(ownerMeasuresShown)
    expect(myMeasures.every((title) => title.startsWith('Att göra'))).toBe(true)
    const section = $('section[aria-labelledby="my-measures-heading"]')
    expect(section.text()).toContain(`Visar de ${ownerMeasuresShown} första av ${ownerMeasuresShown + 5} åtgärder.`)
    const rest = section.find(`a[href="/planer/${planId}/atgarder?enhet=${hr}"]`)
    expect(rest.text()).toBe('Grundskolenämnden: Internkontrollplan 2020 – HR-avdelningen')
    expect(rest.parent().text()).toContain(`HR-avdelningen (${ownerMeasuresShown + 5}).`)
  })

  it('still lands on a measure updated from there once it sorts past the first ones', async () => {
    const { agent, db, risks, unit } = await setup('hr')
    const hr = unit('HR-avdelningen')
    for (let n = 1; n <= ownerMeasuresShown + 1; n++)
      await aMeasure(db, risks[0]?.id as number, hr, { title: `Att göra ${n}`, status: 'in_progress' })
    const first = await startPage(agent)
    // Those still to do fill the list, and once one of them is done, the others still do; the four done are past it.
    expect(first.myMeasures.every((title) => title.startsWith('Att göra'))).toBe(true)
    const target = first.$('.my-measure').first()
    const id = Number(target.attr('id')?.replace('atgard-', ''))
    const formPath = String(target.find('a.button').attr('href'))
    const saved = await submitForm(agent, formPath, { status: 'done', progress: 'Klart.' }, 303)
    expect(saved.headers.location).toBe(`/?atgard=${id}#atgard-${id}`)

    const after = await startPage(agent, saved.headers.location)
    const card = after.$(`#atgard-${id}`)
    expect(card.find('.tag').text()).toBe('Genomförd')
    expect(after.myMeasures).toHaveLength(ownerMeasuresShown + 1)
    expect(after.myMeasures.at(-1)).toBe(card.find('h3').text().trim())
    const section = after.$('section[aria-labelledby="my-measures-heading"]')
    expect(section.text()).toContain(
      `Visar de ${ownerMeasuresShown} första av ${ownerMeasuresShown + 5} åtgärder och den du nyss uppdaterade.`,
    )
    // Without the way back from its form, the page lists the first ones only; an id that is not the ansvarig's adds
    // nothing.
    expect((await startPage(agent)).myMeasures).toHaveLength(ownerMeasuresShown)
    const other = await db.selectFrom('measure').select('id').where('owner_unit_id', '!=', hr).executeTakeFirstOrThrow()
    expect((await startPage(agent, `/?atgard=${other.id}`)).myMeasures).toHaveLength(ownerMeasuresShown)
  })

  it('shows Utbildningsområden’s ansvarig theirs and none of HR-avdelningen’s', async () => {
    const { agent } = await setup('utbildning')
    const { $, headings, myMeasures } = await startPage(agent)
    expect(headings).toEqual(['Mina åtgärder'])
    // Pågående first, then the finished ones.
    expect(myMeasures).toEqual([
      competence,
      'Främja ökad likvärdighet med hjälp av förvaltningsgemensam mall för lokal elevhälsoplan',
      'Ta fram förslag för att utveckla analys av bedömning och betygssättning inom ramen för det systematiska kvalitetsarbetet',
      'Genomföra en fördjupad analys om bakomliggande orsaker till skillnader i bedömning och betygssättning',
    ])
    for (const title of hrMeasures) expect($('main').text()).not.toContain(title)
  })

  it('lets the ansvarig update a measure from there and come back to it; the version check still holds', async () => {
    const { agent, idOf, planId } = await setup('hr')
    const id = await idOf(hrMeasures[1] as string)
    const start = await startPage(agent)
    const formPath = String(start.$(`#atgard-${id} a.button`).attr('href'))
    const form = html((await agent.get(formPath).expect(200)).text)
    expect(form('main form[method="post"]').attr('action')).toBe(formPath)
    expect(form('a:contains("Avbryt")').attr('href')).toBe(`/?atgard=${id}#atgard-${id}`)
    const fields = { status: 'partially_done', progress: 'Rutinen är **reviderad**.', dueDate: '2021-05-31' }
    const saved = await submitForm(agent, formPath, fields, 303)
    expect(saved.headers.location).toBe(`/?atgard=${id}#atgard-${id}`)

    const after = await startPage(agent, saved.headers.location)
    const card = after.$(`#atgard-${id}`)
    expect(card.find('.tag').text()).toBe('Delvis genomförd')
    expect(card.find('dd').last().text()).toBe('2021-05-31')
    expect(card.find('.prose strong').text()).toBe('reviderad')
    expect(after.myMeasures[0]).toBe(hrMeasures[1]) // the only one with a due date now

    // The same form opened before that save, with another progress text: refused with the 409 page, whose link
    // keeps the way back.
    const stale = await agent
      .post(formPath)
      .type('form')
      .send({ ...fields, progress: 'Något annat.', version: '1', _csrf: String(form('input[name="_csrf"]').val()) })
      .expect(409)
    expect(html(stale.text)('a.button').attr('href')).toBe(formPath)
    const row = await agent.get(`/planer/${planId}/atgarder/${id}`).expect(200)
    expect(html(row.text)('.summary-list .tag').first().text()).toBe('Delvis genomförd')
  })

  it('returns only to a path on this site after saving', async () => {
    const { agent, db, idOf, planId } = await setup('hr')
    const id = await idOf(hrMeasures[0] as string)
    const measure = `/planer/${planId}/atgarder/${id}`
    for (const till of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const path = `${measure}/uppdatera?till=${encodeURIComponent(till)}`
      const form = html((await agent.get(path).expect(200)).text)
      expect(form('a:contains("Avbryt")').attr('href')).toBe(measure)
      const { version } = await db
        .selectFrom('measure')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const saved = await agent
        .post(path)
        .type('form')
        .send({ status: 'done', progress: '', dueDate: '', version, _csrf: String(form('input[name="_csrf"]').val()) })
        .expect(303)
      expect(saved.headers.location).toBe(measure)
    }
  })

  it('shows the secretary the plans with measures per status, the overdue ones and the coming deadlines', async () => {
    const { agent, db, planId, setMeasure, idOf } = await setup('sekreterare')
    await setMeasure(competence, { due_date: '2021-03-01' })
    await setMeasure(hrMeasures[0] as string, { due_date: '2021-04-30', status: 'not_started' })
    await setMeasure(hrMeasures[1] as string, { due_date: '2021-04-01' }) // done: no deadline left
    // Landskrona's report, not yet sent and not closed, is due 2021-05-14.
    await db
      .updateTable('inspection')
      .set({ report_deadline: '2021-05-14', closed: 0 })
      .where('principal', 'like', 'Landskrona%')
      .execute()
    const { $, headings } = await startPage(agent)
    expect(headings).toEqual(['Nämndens planer', 'Försenade åtgärder', 'Närmaste tidsfrister'])

    const cells = $('table.plan-status tbody tr')
      .first()
      .children()
      .map((_, c) => $(c).text().trim())
      .get()
    expect(cells[0]).toBe('Internkontrollplan 2020')
    // Ej påbörjad, Pågående, Delvis genomförd, Genomförd, Genomförd – fortsatt arbete, Avbruten, Försenade, Totalt
    expect(cells.slice(1).map((c) => c.match(/^\d+/)?.[0])).toEqual(['1', '1', '0', '6', '4', '0', '1', '12'])
    expect($('table.plan-status thead th').eq(2).text()).toBe('Pågående')
    expect($(`a[href="/planer/${planId}/atgarder?status=in_progress"]`)).toHaveLength(1)
    expect($(`a[href="/planer/${planId}/atgarder?forsenade=ja"]`).text()).toContain('1')

    const overdue = $('table.overdue-measures tbody tr')
    expect(overdue).toHaveLength(1)
    expect(overdue.find('a').text()).toBe(competence)
    expect(overdue.find('a').attr('href')).toBe(`/planer/${planId}/atgarder/${await idOf(competence)}`)
    expect(overdue.text()).toContain('Försenad')

    const deadlines = $('table.coming-deadlines tbody tr')
      .map((_, tr) => [[$(tr).children().first().text(), $(tr).find('a').text()]])
      .get()
    expect(deadlines).toEqual([
      ['2021-04-30', hrMeasures[0]],
      ['2021-05-14', expect.stringContaining('Landskrona kommun')],
    ])
    expect($('table.coming-deadlines tbody tr').last().text()).toContain('60 dagar kvar')
    expect($('a[href="/externa-granskningar/tidsfrister"]')).toHaveLength(1)
    expect($('main').text()).not.toContain('Mina åtgärder')
  })

  it('lists the oldest overdue measures and the nearest deadlines, and says how many there are in all', async () => {
    const { agent, db, risks, unit } = await setup('sekreterare')
    const riskId = risks[0]?.id as number
    const hr = unit('HR-avdelningen')
    // Overdue on days 1–25 of February, the first the oldest; coming on days 1–15 of April, and one done.
    for (let day = 25; day >= 1; day--) {
      const date = `2021-02-${String(day).padStart(2, '0')}`
      await aMeasure(db, riskId, hr, { title: `Försenad ${date}`, dueDate: date, status: 'in_progress' })
    }
    for (let day = 15; day >= 1; day--) {
      const date = `2021-04-${String(day).padStart(2, '0')}`
      await aMeasure(db, riskId, hr, { title: `Kommande ${date}`, dueDate: date })
    }
    await aMeasure(db, riskId, hr, { title: 'Klar', dueDate: '2021-04-01', status: 'done' })
    const { $ } = await startPage(agent)

    const overdue = $('table.overdue-measures tbody tr a')
      .map((_, a) => $(a).text())
      .get()
    expect(overdue).toHaveLength(overdueShown)
    expect(overdue[0]).toBe('Försenad 2021-02-01')
    expect(overdue.at(-1)).toBe(`Försenad 2021-02-${String(overdueShown).padStart(2, '0')}`)
    expect($('section[aria-labelledby="overdue-heading"]').text()).toContain(
      `Visar de ${overdueShown} äldsta av 25 försenade åtgärder.`,
    )
    expect($('table.plan-status tbody tr').first().find('td').eq(6).text().trim()).toMatch(/^25/)

    const coming = $('table.coming-deadlines tbody tr a')
      .map((_, a) => $(a).text())
      .get()
    expect(coming).toHaveLength(10)
    expect(coming[0]).toBe('Kommande 2021-04-01')
    expect(coming).not.toContain('Klar')
    expect($('section[aria-labelledby="deadlines-heading"]').text()).toContain(
      'Visar de 10 närmaste av 15 tidsfrister.',
    )
  })

  it('lists the work of a measure carried into next year’s plan once, at its successor', async () => {
    const { app, agent, db, planId, setMeasure, idOf } = await setup('sekreterare')
    await setMeasure(competence, { due_date: '2021-03-01' })
    await submitForm(agent, `/planer/${planId}/nasta-ar`, { title: 'Internkontrollplan 2021' }, 303)
    const successor = await db
      .selectFrom('measure')
      .select(['id'])
      .where('carried_from_measure_id', '=', await idOf(competence))
      .executeTakeFirstOrThrow()
    const overdue = (await startPage(agent)).$('table.overdue-measures tbody tr a')
    expect(overdue.map((_, a) => a.attribs.href).get()).toEqual([
      expect.stringMatching(new RegExp(`/atgarder/${successor.id}$`)),
    ])

    const owner = supertest.agent(app)
    await logIn(owner, 'utbildning')
    const { myMeasures } = await startPage(owner)
    expect(myMeasures.filter((title) => title === competence)).toHaveLength(1)
  })

  it('shows the board member the plans and the final reports to download, nothing to change', async () => {
    const { agent, db, planId } = await setup('lasare')
    const before = await startPage(agent)
    expect(before.headings).toEqual(['Uppföljningsrapporter'])
    expect(before.$('table.final-reports tbody tr').text()).toContain('Inte fastställd ännu')
    expect(before.$(`table.final-reports a[href="/planer/${planId}"]`).text()).toBe('Internkontrollplan 2020')

    // Made as *Fastställ* makes it: with its row in the audit log, which the start page's figures are kept by.
    const sara = { userId: null, userName: 'Sara Sekreterare', at: '2021-03-10T09:00:00Z' }
    const versionId = await auditedTransaction(
      db,
      sara,
      'create',
      { entity: 'report_version', planId },
      async (trx) => {
        const version = await insertReportVersion(trx, {
          planId,
          versionNumber: 1,
          fileName: 'Uppföljning förbättringsåtgärder 2020.pdf',
          pdf: new TextEncoder().encode('%PDF-1.7 fastställd'),
          createdAt: sara.at,
          createdBy: sara.userName,
        })
        return version.id
      },
    )
    const { $ } = await startPage(agent)
    const link = $('table.final-reports a:contains("Ladda ner version 1")')
    expect(link.attr('href')).toBe(`/planer/${planId}/rapport/versioner/${versionId}`)
    const pdf = await agent.get(String(link.attr('href'))).expect(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    for (const section of sections) expect($('main h2').text()).not.toContain(section)
    expect($('main a.button')).toHaveLength(0)
  })

  it('shows the administrator the administration, not an empty page', async () => {
    const adminLinks = [
      '/admin/anvandare',
      '/admin/forvaltningar',
      '/admin/namnder',
      '/admin/enheter',
      '/admin/api-nycklar',
      '/admin/e-post',
      '/planer',
      // The demo municipality's roll-up of this year (the test clock's 2021).
      '/kommun/1/2021',
      '/externa-granskningar',
      '/logg',
    ]
    const { agent } = await setup('admin')
    const { $, headings } = await startPage(agent)
    expect(headings).toEqual(['Administration'])
    expect(
      $('main li a')
        .map((_, a) => $(a).attr('href'))
        .get(),
    ).toEqual(adminLinks)
    for (const href of adminLinks) {
      await agent.get(href).expect(200)
    }
  })

  it('shows each section a person holds a role for', async () => {
    const { agent, db } = await setup('sekreterare')
    const { id: userId } = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'sekreterare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    const unit = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('name', '=', 'HR-avdelningen')
      .executeTakeFirstOrThrow()
    await addUnitMember(db, userId, unit.id)
    await grantCommitteeRole(db, userId, committee.id, 'reader')
    await db.updateTable('app_user').set({ is_admin: 1 }).where('id', '=', userId).execute()
    const { headings, myMeasures } = await startPage(agent)
    expect(headings).toEqual([
      'Mina åtgärder',
      'Nämndens planer',
      'Försenade åtgärder',
      'Närmaste tidsfrister',
      'Uppföljningsrapporter',
      'Administration',
    ])
    expect(myMeasures).toEqual(hrMeasures)
  })

  it('tells a person without a role whom to ask', async () => {
    const { app, db } = await createTestApp({ as: null })
    await insertUser(db, {
      email: 'ny@malmo.se',
      name: 'Nina Ny',
      passwordHash: await hashPassword(demoPassword),
      isAdmin: false,
      createdAt: '2021-03-01T00:00:00Z',
    })
    const agent = supertest.agent(app)
    await submitForm(agent, '/logga-in', { email: 'ny@malmo.se', password: demoPassword }, 303, '/logga-in')
    const { $, headings } = await startPage(agent)
    expect(headings).toEqual([])
    expect($('main').text()).toContain('Ditt konto har ingen roll ännu.')
  })
})

describe('the start page’s controls', () => {
  const hrControl = 'Kontroll av utdrag ur belastningsregistret'
  const schoolControl = 'Kontroll av lokala elevhälsoplaner'

  /** The demo plan (2020) on `today`, and ways to give its risks controls and report their runs. */
  async function setUpControls(as: DemoLogin, today = '2020-06-10') {
    const app = await createTestApp({ today, as })
    const demo = await demoPlan(app.db)
    const { db } = app
    const riskId = demo.risks[3]?.id as number
    const hr = demo.unit('HR-avdelningen')
    const runsOf = (controlId: number) =>
      db
        .selectFrom('control_run')
        .select(['id', 'planned_date', 'version'])
        .where('control_id', '=', controlId)
        .orderBy('occasion')
        .execute()
    const moveRun = (runId: number, planned_date: string) =>
      db.updateTable('control_run').set({ planned_date }).where('id', '=', runId).execute()
    const report = async (run: { id: number; version: number }, result: 'no_remarks' | 'deviations') => {
      await updateRun(db, run.id, run.version, { result, performed_on: '2020-03-30', reported_on: '2020-03-31' })
    }
    return { ...app, ...demo, riskId, hr, runsOf, moveRun, report }
  }

  it('shows HR-avdelningen’s ansvarig the runs overdue and due within 30 days, each with its report form', async () => {
    const { agent, db, planId, riskId, hr, unit, runsOf, moveRun } = await setUpControls('hr')
    const quarterly = await aControl(db, riskId, hr, { title: hrControl })
    const [overdue, dueSoon, farOff] = await runsOf(quarterly)
    await moveRun(farOff?.id as number, '2020-08-09') // 60 days out
    const yearly = await aControl(db, riskId, hr, { title: 'Årlig kontroll av rutinen', frequency: 'yearly' })
    const [lastDay] = await runsOf(yearly)
    await moveRun(lastDay?.id as number, '2020-07-10') // the 30th day from today: still shown
    await aControl(db, riskId, unit('Utbildningsområden'), { title: schoolControl })
    // A plan two years back is done with: its run left unreported is not listed first for ever.
    await aControl(db, await aRisk(db, await anotherPlan(db, 2018)), hr, {
      title: 'Gammal kontroll',
      frequency: 'once',
    })

    const { $, headings } = await startPage(agent)
    expect(headings).toEqual(['Mina åtgärder', 'Mina kontroller'])
    const cards = $('.my-run')
      .map((_, card) => [[$(card).find('h3 a').text(), $(card).find('dd').last().text()]])
      .get()
    expect(cards).toEqual([
      [hrControl, '2020-03-31 Försenat'],
      [hrControl, '2020-06-30'],
      ['Årlig kontroll av rutinen', '2020-07-10'],
    ])
    expect($('.my-run .run-state--overdue')).toHaveLength(1)
    expect($('main').text()).not.toContain(schoolControl)

    const card = $(`#kontrolltillfalle-${dueSoon?.id}`)
    expect(card.find('h3').text()).toBe(`${hrControl} tillfälle 2`)
    expect(card.find('.meta').text()).toBe('Grundskolenämnden: Internkontrollplan 2020 · HR-avdelningen')
    const run = `/planer/${planId}/kontroller/${quarterly}/tillfallen/${dueSoon?.id}`
    expect(card.find('h3 a').attr('href')).toBe(run)
    const form = new URL(String(card.find('a.button').attr('href')), 'http://localhost')
    expect(form.pathname).toBe(`${run}/rapportera`)
    expect(form.searchParams.get('till')).toBe('/')
    expect(card.find('a.button').text()).toBe(`Rapportera – ${hrControl}, tillfälle 2`)
    expect($(`#kontrolltillfalle-${overdue?.id} .run-state--overdue`).text()).toBe('Försenat')
  })

  it('tells the ansvarig when nothing is due, and shows an owner whose units have no controls the page as before', async () => {
    const { app, agent, db, riskId, hr } = await setUpControls('hr')
    await aControl(db, riskId, hr, { title: hrControl, frequency: 'yearly' }) // planned for 2020-12-31
    const { $, headings } = await startPage(agent)
    expect(headings).toEqual(['Mina åtgärder', 'Mina kontroller'])
    expect($('.my-run')).toHaveLength(0)
    expect($('main').text()).toContain('Inga kontrolltillfällen att rapportera de närmaste 30 dagarna.')

    const other = supertest.agent(app)
    await logIn(other, 'utbildning')
    const theirs = await startPage(other)
    expect(theirs.headings).toEqual(['Mina åtgärder'])
    expect(theirs.$('.my-run')).toHaveLength(0)
  })

  it('lists the first runs and says where the rest are', async () => {
    const { agent, db, planId, riskId, hr } = await setUpControls('hr', '2020-12-15')
    await aControl(db, riskId, hr, { title: 'Månadsvis kontroll A', frequency: 'monthly' })
    await aControl(db, riskId, hr, { title: 'Månadsvis kontroll B', frequency: 'monthly' })
    const { $ } = await startPage(agent)
    expect($('.my-run')).toHaveLength(runsShown)
    const section = $('section[aria-labelledby="my-controls-heading"]')
    expect(section.text()).toContain(`Visar de ${runsShown} första av 24 kontrolltillfällen.`)
    const rest = section.find(`a[href="/planer/${planId}/kontroller"]`)
    expect(rest.text()).toBe('Grundskolenämnden: Internkontrollplan 2020 – kontrollmoment')
    expect(rest.parent().text()).toContain('kontrollmoment (24).')
  })

  it('shows the secretary each plan’s traffic lights, counted, and the runs overdue', async () => {
    const { agent, db, planId, risks, hr, unit, runsOf, moveRun, report } = await setUpControls('sekreterare')
    const school = unit('Utbildningsområden')
    const green = await aControl(db, risks[3]?.id as number, hr, { title: 'Grön kontroll' })
    const yellow = await aControl(db, risks[3]?.id as number, hr, { title: 'Gul kontroll' })
    const red = await aControl(db, risks[4]?.id as number, school, { title: schoolControl })
    const planned = await aControl(db, risks[4]?.id as number, school, { title: 'Årlig kontroll', frequency: 'yearly' })
    await report((await runsOf(green))[0] as { id: number; version: number }, 'no_remarks')
    await report((await runsOf(yellow))[0] as { id: number; version: number }, 'deviations')
    const [today] = await runsOf(planned)
    await moveRun(today?.id as number, '2020-06-10') // due today: neither overdue nor red yet
    // A plan two years back: done with, not counted.
    const old = await anotherPlan(db, 2018)
    const oldControl = await aControl(db, await aRisk(db, old), hr, { title: 'Gammal kontroll', frequency: 'once' })
    for (const run of await runsOf(oldControl)) await report(run, 'no_remarks')
    // Nor is its run left unreported listed as overdue.
    await aControl(db, await aRisk(db, old), hr, { title: 'Gammal försenad kontroll', frequency: 'once' })

    const { $, headings } = await startPage(agent)
    expect(headings).toEqual([
      'Nämndens planer',
      'Kontrollmomentens trafikljus',
      'Försenade åtgärder',
      'Försenade kontrolltillfällen',
      'Närmaste tidsfrister',
    ])
    expect(
      $('table.control-lights thead th')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual(['Plan', 'Grön – utan avvikelser', 'Gul – avvikelser', 'Röd – tillfälle missat eller försenat', 'Totalt'])
    // Each light is shown as everywhere, its mark beside its words; the counts are plain numbers.
    expect($('table.control-lights thead th .light__mark')).toHaveLength(3)
    expect($('table.control-lights tbody .tag')).toHaveLength(0)
    const rows = $('table.control-lights tbody tr')
    expect(rows).toHaveLength(1)
    expect(rows.find('th a').attr('href')).toBe(`/planer/${planId}/kontroller`)
    expect(rows.find('th').text()).toBe('Grundskolenämnden: Internkontrollplan 2020 – kontrollmoment')
    expect(
      rows
        .find('td')
        .map((_, td) => [[$(td).attr('data-label'), $(td).text()]])
        .get(),
    ).toEqual([
      ['Grön – utan avvikelser', '2'],
      ['Gul – avvikelser', '1'],
      ['Röd – tillfälle missat eller försenat', '1'],
      ['Totalt', '4'],
    ])

    const overdue = $('table.overdue-runs tbody tr')
    expect(overdue).toHaveLength(1)
    const [missed] = await runsOf(red)
    expect(overdue.find('a').attr('href')).toBe(`/planer/${planId}/kontroller/${red}/tillfallen/${missed?.id}`)
    expect(overdue.find('a').text()).toBe(`${schoolControl}, tillfälle 1`)
    expect(overdue.find('[data-label="Planerat datum"]').text()).toBe('2020-03-31 Försenat')
    expect(overdue.find('[data-label="Ansvarig enhet"]').text()).toBe('Utbildningsområden')
  })

  it('shows the secretary of committees without controls the page as before, and a reader none of it', async () => {
    const { agent, db, riskId, hr } = await setUpControls('lasare')
    await aControl(db, riskId, hr, { title: hrControl })
    const { $, headings } = await startPage(agent)
    expect(headings).toEqual(['Uppföljningsrapporter'])
    expect($('.my-run, table.control-lights, table.overdue-runs')).toHaveLength(0)
    expect($('main').text()).not.toContain(hrControl)

    const fresh = await createTestApp({ today: '2020-06-10', as: 'sekreterare' })
    expect((await startPage(fresh.agent)).headings).toEqual([
      'Nämndens planer',
      'Försenade åtgärder',
      'Närmaste tidsfrister',
    ])
  })
})
