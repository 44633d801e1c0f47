import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, logIn } from '../test/helpers/test-app.js'

/** The hidden fields and token of the form on a page, as a browser holds them while the user types. */
async function openForm(agent: ReturnType<typeof supertest.agent>, path: string) {
  const $ = html((await agent.get(path).expect(200)).text)
  const form = $('main form[method="post"]').last()
  return {
    action: String(form.attr('action')),
    hidden: Object.fromEntries(
      form
        .find('input[type="hidden"]')
        .map((_, e) => [[$(e).attr('name'), $(e).val()]])
        .get(),
    ),
  }
}

describe('two people editing one measure at once', () => {
  it('saves the first, refuses the second with 409, and loses neither text', async () => {
    const { agent: secretary, db, app } = await createTestApp()
    const hr = supertest.agent(app)
    await logIn(hr, 'hr')
    const { planId, unit } = await demoPlan(db)
    const measure = await db
      .selectFrom('measure')
      .select(['id', 'version'])
      .where('owner_unit_id', '=', unit('HR-avdelningen'))
      .executeTakeFirstOrThrow()
    const page = `/planer/${planId}/atgarder/${measure.id}/uppdatera`

    // Both open the form on the same version.
    const first = await openForm(hr, page)
    const second = await openForm(secretary, page)
    expect(first.hidden.version).toBe(String(measure.version))

    const hrText = 'HR: utdragen kontrolleras nu vid varje nyanställning.'
    const secretaryText = 'Sekreterarens sammanfattning inför nämnden.'
    await hr
      .post(first.action)
      .type('form')
      .send({ ...first.hidden, status: 'done', progress: hrText, dueDate: '' })
      .expect(303)
    const refused = await secretary
      .post(second.action)
      .type('form')
      .send({ ...second.hidden, status: 'in_progress', progress: secretaryText, dueDate: '2021-06-30' })
      .expect(409)

    const $ = html(refused.text)
    expect($('h1').text()).toBe('Någon annan hann ändra först')
    expect($('main li').first().text()).toContain('Hanna Holm')
    expect($('main li').first().text()).toContain('Genomförda åtgärder')
    expect(
      $('textarea')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(expect.arrayContaining([secretaryText, 'Pågående']))
    expect($('a.button').attr('href')).toBe(page)

    const saved = await db.selectFrom('measure').selectAll().where('id', '=', measure.id).executeTakeFirstOrThrow()
    expect([saved.progress, saved.status, saved.version]).toEqual([hrText, 'done', measure.version + 1])
  })

  it('refuses a stale edit of a plan the same way', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const edit = await openForm(agent, `/planer/${planId}/redigera`)
    await db.updateTable('plan').set({ title: 'Ändrad av någon annan', version: 2 }).where('id', '=', planId).execute()
    await agent
      .post(edit.action)
      .type('form')
      .send({ ...edit.hidden, committeeId: '1', year: '2020', title: 'Min rubrik' })
      .expect(409)
    const plan = await db.selectFrom('plan').select('title').where('id', '=', planId).executeTakeFirstOrThrow()
    expect(plan.title).toBe('Ändrad av någon annan')
  })

  it('refuses a closing of a development area that someone edited meanwhile, and leads back to the area', async () => {
    const { agent, db } = await createTestApp()
    const area = await db
      .selectFrom('development_area')
      .select(['id', 'inspection_id'])
      .where('outcome', '=', 'further_measures_needed')
      .executeTakeFirstOrThrow()
    const page = `/externa-granskningar/${area.inspection_id}/omraden/${area.id}`
    const closing = await openForm(agent, page)
    expect(closing.action).toBe(`${page}/avsluta`)
    await db.updateTable('development_area').set({ version: 2 }).where('id', '=', area.id).execute()
    const refused = await agent
      .post(closing.action)
      .type('form')
      .send({ ...closing.hidden, meetingDate: '2025-09-23', minutesParagraph: '12' })
      .expect(409)
    expect(html(refused.text)('a.button').attr('href')).toBe(page)
    const saved = await db
      .selectFrom('development_area')
      .select('closed_meeting_date')
      .where('id', '=', area.id)
      .executeTakeFirstOrThrow()
    expect(saved.closed_meeting_date).toBeNull()
  })
})
