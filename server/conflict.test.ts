import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, logIn, openForm, secretaryAndOwner } from '../test/helpers/test-app.js'

/** The 409 page's fields changed by both: the field, the other person's value, the user's. */
function clashes(page: string) {
  const $ = html(page)
  return $('table.conflict-clashes tbody tr')
    .map((_, row) => [
      $(row)
        .find('th, td')
        .map((_, cell) => $(cell).text())
        .get(),
    ])
    .get() as string[][]
}

describe('two people editing one measure at once', () => {
  it('keeps both when the secretary changed the title and the owner the status meanwhile, and says so', async () => {
    const { secretary, hr, db, measure, page } = await secretaryAndOwner()
    const edit = await openForm(secretary, `${page}/redigera`)
    const update = await openForm(hr, `${page}/uppdatera`)
    await update.post({ status: 'in_progress' }).expect(303)

    const saved = await edit.post({ title: 'Informationsinsats, ny rubrik' }).expect(303)
    expect(saved.headers.location).toBe(page)
    const $ = html((await secretary.get(page).expect(200)).text)
    expect($('h1').text()).toContain('Informationsinsats, ny rubrik')
    expect($('.notice').text()).toContain('Åtgärden är sparad. Hanna Holm hade ändrat Status')
    expect($('.notice').text()).toContain('båda ändringarna finns kvar')
    // The notice is said once.
    expect(html((await secretary.get(page).expect(200)).text)('.notice')).toHaveLength(0)

    const row = await db.selectFrom('measure').selectAll().where('id', '=', measure.id).executeTakeFirstOrThrow()
    expect([row.title, row.status, row.version]).toEqual([
      'Informationsinsats, ny rubrik',
      'in_progress',
      measure.version + 2,
    ])
    // The secretary's save wrote only the title: the owner's status stands in the log as the owner's.
    const last = await db
      .selectFrom('audit_event')
      .select(['before', 'after'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(last.before ?? '{}').status).toBe('in_progress')
    expect(JSON.parse(last.after ?? '{}')).toMatchObject({
      title: 'Informationsinsats, ny rubrik',
      status: 'in_progress',
    })
    const statusChanges = await db
      .selectFrom('measure_status_change')
      .select('to_status')
      .where('measure_id', '=', measure.id)
      .execute()
    expect(statusChanges.map((c) => c.to_status).at(-1)).toBe('in_progress')
  })

  it('refuses with 409 when both changed the status, showing each value by its label and who made it', async () => {
    const { secretary, hr, db, measure, page } = await secretaryAndOwner()
    const edit = await openForm(secretary, `${page}/redigera`)
    const update = await openForm(hr, `${page}/uppdatera`)
    await update.post({ status: 'in_progress' }).expect(303)

    const refused = await edit.post({ status: 'cancelled', title: 'Min nya rubrik' }).expect(409)
    const $ = html(refused.text)
    expect($('h1').text()).toBe('Någon annan hann ändra först')
    expect($('table.conflict-clashes thead').text()).toContain('Sparat av Hanna Holm')
    expect($('.warning').text()).toContain('Hanna Holm ändrade samma uppgifter som du')
    expect(clashes(refused.text)).toEqual([['Status', 'Pågående', 'Avbruten']])
    // Everything typed is kept, by name.
    const typed = $('textarea[readonly]')
      .map((_, e) => $(e).text())
      .get()
    expect(typed).toEqual(expect.arrayContaining(['Min nya rubrik', 'Avbruten', 'HR-avdelningen']))
    expect($('main').text()).not.toMatch(/\b(cancelled|in_progress)\b/)
    const row = await db.selectFrom('measure').selectAll().where('id', '=', measure.id).executeTakeFirstOrThrow()
    expect([row.title, row.status]).toEqual([measure.title, 'in_progress'])
  })

  it('names the risks, never their ids, when two edits moved the measure to different risks', async () => {
    const { secretary, app, risks, page } = await secretaryAndOwner()
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    const first = risks.at(-2) as { id: number; title: string }
    const second = risks.at(-1) as { id: number; title: string }
    const mine = await openForm(secretary, `${page}/redigera`)
    const theirs = await openForm(other, `${page}/redigera`)
    await theirs.post({ riskId: String(first.id) }).expect(303)
    const refused = await mine.post({ riskId: String(second.id) }).expect(409)
    expect(clashes(refused.text)).toEqual([['Risk', first.title, second.title]])
  })

  it('refuses the owner’s progress text over the secretary’s newer one, and keeps the text typed', async () => {
    const { secretary, hr, page } = await secretaryAndOwner()
    const first = await openForm(hr, `${page}/uppdatera`)
    const second = await openForm(secretary, `${page}/uppdatera`)
    const hrText = 'HR: utdragen kontrolleras nu vid varje nyanställning.'
    const secretaryText = 'Sekreterarens sammanfattning <b>inför</b> nämnden.'
    await first.post({ status: 'done', progress: hrText }).expect(303)
    const refused = await second.post({ progress: secretaryText }).expect(409)
    const $ = html(refused.text)
    expect(clashes(refused.text)).toEqual([['Genomförda åtgärder', hrText, secretaryText]])
    expect(refused.text).not.toContain('<b>inför</b>')
    expect($('main li').first().text()).toContain('Hanna Holm')
    expect($('a.button').attr('href')).toBe(`${page}/uppdatera`)
  })
})

/** A development area left open by the authority, and a second session of the secretary. */
async function anOpenArea() {
  const { agent, db, app } = await createTestApp()
  const other = supertest.agent(app)
  await logIn(other, 'sekreterare')
  const area = await db
    .selectFrom('development_area')
    .select(['id', 'inspection_id'])
    .where('outcome', '=', 'further_measures_needed')
    .executeTakeFirstOrThrow()
  return { agent, other, db, area, page: `/externa-granskningar/${area.inspection_id}/omraden/${area.id}` }
}

describe('stale saves of the other records', () => {
  it('merges a plan edit with a newer change of another field, and refuses one of the same', async () => {
    const { agent, db, app } = await createTestApp()
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    const { planId } = await demoPlan(db)
    const mine = await openForm(agent, `/planer/${planId}/redigera`)
    const stale = await openForm(agent, `/planer/${planId}/redigera`)
    await (await openForm(other, `/planer/${planId}/redigera`)).post({ title: 'Ändrad av någon annan' }).expect(303)

    await mine.post({ introduction: 'En ny inledning.' }).expect(303)
    const shown = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(shown('.notice').text()).toContain('Sara Sekreterare hade ändrat Rubrik')
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow()
    expect([plan.title, plan.introduction]).toEqual(['Ändrad av någon annan', 'En ny inledning.'])

    const refused = await stale.post({ title: 'Min rubrik' }).expect(409)
    expect(clashes(refused.text)).toEqual([['Rubrik', 'Ändrad av någon annan', 'Min rubrik']])
  })

  it('merges stale edits of an inspection and of a risk, whose forms post every field, dates and numbers among them', async () => {
    const { agent, db, app } = await createTestApp()
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    const inspection = await db.selectFrom('inspection').select('id').where('closed', '=', 1).executeTakeFirstOrThrow()
    const edit = `/externa-granskningar/${inspection.id}/redigera`
    const mine = await openForm(agent, edit)
    await (await openForm(other, edit)).post({ principal: 'Malmö stad, Grundskolenämnden' }).expect(303)
    await mine.post({ title: 'Ny rubrik på granskningen' }).expect(303)
    expect(
      await db
        .selectFrom('inspection')
        .select(['title', 'principal', 'closed'])
        .where('id', '=', inspection.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ title: 'Ny rubrik på granskningen', principal: 'Malmö stad, Grundskolenämnden', closed: 1 })

    const { planId, risks } = await demoPlan(db)
    const risk = risks[0] as { id: number }
    const riskEdit = `/planer/${planId}/risker/${risk.id}/redigera`
    const stale = await openForm(agent, riskEdit)
    await (await openForm(other, riskEdit)).post({ likelihood: '1' }).expect(303)
    await stale.post({ treatment: 'monitor' }).expect(303)
    expect(
      await db
        .selectFrom('risk')
        .select(['likelihood', 'treatment'])
        .where('id', '=', risk.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ likelihood: 1, treatment: 'monitor' })
  })

  it('closes a development area someone renamed meanwhile, keeping both, and leads back to the area', async () => {
    const { agent, other, db, area, page } = await anOpenArea()
    const closing = await openForm(agent, page)
    expect(closing.action).toBe(`${page}/avsluta`)
    await (await openForm(other, `${page}/redigera`)).post({ heading: 'Ny rubrik på området' }).expect(303)

    const done = await closing.post({ meetingDate: '2025-09-23', minutesParagraph: '12' }).expect(303)
    expect(done.headers.location).toBe(page)
    const $ = html((await agent.get(page).expect(200)).text)
    expect($('.notice').text()).toContain('hade ändrat Rubrik')
    const saved = await db
      .selectFrom('development_area')
      .select(['heading', 'closed_meeting_date'])
      .where('id', '=', area.id)
      .executeTakeFirstOrThrow()
    expect(saved).toEqual({ heading: 'Ny rubrik på området', closed_meeting_date: '2025-09-23' })
  })

  it('refuses a closing of a development area that someone closed meanwhile', async () => {
    const { agent, other, db, area, page } = await anOpenArea()
    const closing = await openForm(agent, page)
    await (await openForm(other, page)).post({ meetingDate: '2025-08-19', minutesParagraph: '7' }).expect(303)
    const refused = await closing.post({ meetingDate: '2025-09-23', minutesParagraph: '12' }).expect(409)
    expect(html(refused.text)('a.button').attr('href')).toBe(page)
    const saved = await db
      .selectFrom('development_area')
      .select('closed_meeting_date')
      .where('id', '=', area.id)
      .executeTakeFirstOrThrow()
    expect(saved.closed_meeting_date).toBe('2025-08-19')
  })
})
