import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { aMeasure, anotherPlan, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, openForm, submitForm } from '../../test/helpers/test-app.js'

async function setup() {
  const app = await createTestApp({ today: '2021-03-15' })
  return { ...app, ...(await demoPlan(app.db)) }
}

const measureFields = (riskId: number, ownerUnitId: number) => ({
  riskId: String(riskId),
  title: 'Uppdatera rutinen för utdrag',
  whatToDo: '- Revidera rutinen\n- Informera cheferna',
  progress: '',
  ownerUnitId: String(ownerUnitId),
  responsiblePerson: 'Anna Andersson',
  dueDate: '2021-06-30',
  status: 'not_started',
})

describe('measure pages', () => {
  it('shows planned action and progress from Markdown, owner and status', async () => {
    const { agent, db, planId } = await setup()
    const measure = await db
      .selectFrom('measure')
      .select('id')
      .where('title', '=', 'Fördjupad analys och upprättande av handlingsplan')
      .executeTakeFirstOrThrow()
    const $ = html((await agent.get(`/planer/${planId}/atgarder/${measure.id}`).expect(200)).text)
    expect($('h1').text()).toBe('Åtgärd: Fördjupad analys och upprättande av handlingsplan')
    expect($('.summary-list').text()).toContain('Grundskolenämnden')
    expect($('.summary-list .tag').text()).toBe('Genomförd – fortsatt arbete')
    expect($('.prose h3').first().text()).toBe('Kartläggning av förvaltningsspecifika förbättringsbehov')
    expect($('.prose ul li').length).toBeGreaterThan(3)
  })

  it('adds a measure from a risk page, preselecting that risk, and records its first status', async () => {
    const { agent, planId, risks, unit } = await setup()
    const risk = risks[3] as { id: number }
    const form = html((await agent.get(`/planer/${planId}/atgarder/ny?risk=${risk.id}`).expect(200)).text)
    expect(form('#field-riskId option[selected]').val()).toBe(String(risk.id))
    expect(form('a.button--secondary').attr('href')).toBe(`/planer/${planId}/risker/${risk.id}`)
    const created = await submitForm(
      agent,
      `/planer/${planId}/atgarder/ny?risk=${risk.id}`,
      measureFields(risk.id, unit('HR-avdelningen')),
      303,
    )
    const $ = html((await agent.get(created.headers.location as string).expect(200)).text)
    expect($('.summary-list').text()).toContain('Anna Andersson')
    expect($('.prose li').first().text()).toBe('Revidera rutinen')
    expect($('.status-history tbody tr')).toHaveLength(1)
    expect($('.status-history tbody tr').text()).toContain('Ny åtgärd')
    const riskPage = html((await agent.get(`/planer/${planId}/risker/${risk.id}`).expect(200)).text)
    expect(riskPage('table:not(.record-history) tbody tr').last().text()).toContain('Uppdatera rutinen för utdrag')
  })

  it('changes status through the update form and shows the change in the history and on the plan page', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const id = await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'), { title: 'Ny kontroll' })
    const page = `/planer/${planId}/atgarder/${id}`
    expect((await (await openForm(agent, `${page}/uppdatera`)).post({ status: 'in_progress' })).status).toBe(303)
    const $ = html((await agent.get(page).expect(200)).text)
    const latest = $('.status-history tbody tr')
      .first()
      .find('td')
      .map((_, e) => $(e).text().trim())
      .get()
    expect(latest.slice(1)).toEqual(['Ej påbörjad', 'Pågående'])
    const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    const row = plan('article.risk tbody tr').filter((_, e) => plan(e).text().includes('Ny kontroll'))
    expect(row.find('.tag').text()).toBe('Pågående')
  })

  it('shows the owner the task above the update form: the risk and Vad ska göras from Markdown', async () => {
    const { db, planId, risks, unit, app } = await setup()
    const risk = risks[0] as { id: number; title: string }
    const id = await aMeasure(db, risk.id, unit('HR-avdelningen'), {
      whatToDo: '### Rutinen\n- Revidera rutinen\n- <script>alert(1)</script>',
    })
    const hr = supertest.agent(app)
    await logIn(hr, 'hr')
    const $ = html((await hr.get(`/planer/${planId}/atgarder/${id}/uppdatera`).expect(200)).text)
    const task = $('.task')
    expect(task.nextAll('form')).toHaveLength(1)
    expect(task.find('a').attr('href')).toBe(`/planer/${planId}/risker/${risk.id}`)
    expect(task.find('a').text()).toBe(risk.title)
    expect(task.find('h2').text()).toBe('Vad ska göras')
    expect(task.find('.prose h3').text()).toBe('Rutinen')
    expect(task.find('.prose li').first().text()).toBe('Revidera rutinen')
    expect(task.find('script')).toHaveLength(0)
    // The risk's page, linked, is one the owner may read.
    await hr.get(`/planer/${planId}/risker/${risk.id}`).expect(200)
  })

  it('offers one way to change status on the measure page: the update form', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const id = await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'))
    const $ = html((await agent.get(`/planer/${planId}/atgarder/${id}`).expect(200)).text)
    expect($('main form')).toHaveLength(0)
    expect($('main a[href$="/uppdatera"]').text()).toBe('Uppdatera status och genomförda åtgärder')
    expect($('.actions a').last().attr('class')).toBe('action-delete')
  })

  it('asks the due date in a date field, keeping the ISO value, and a bad one as typed', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const id = await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'), { dueDate: '2021-06-30' })
    const form = `/planer/${planId}/atgarder/${id}/uppdatera`
    const $ = html((await agent.get(form).expect(200)).text)
    expect($('#field-dueDate').attr('type')).toBe('date')
    expect($('#field-dueDate').val()).toBe('2021-06-30')
    expect($('label[for="field-dueDate"]').text()).toBe('Klart senast (valfritt)')
    const bad = html((await submitForm(agent, form, { status: 'in_progress', dueDate: '2021-02-30' }, 400)).text)
    expect(bad('#field-dueDate-error').text()).toContain('Ange ett datum som ÅÅÅÅ-MM-DD')
    expect(bad('#field-dueDate').val()).toBe('2021-02-30')
    expect(bad('#field-status option[selected]').val()).toBe('in_progress')
    await submitForm(agent, form, { status: 'in_progress', dueDate: '2021-09-01' }, 303)
    expect(html((await agent.get(form).expect(200)).text)('#field-dueDate').val()).toBe('2021-09-01')
  })

  it('marks a measure past its due date as Försenad until it is done', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const id = await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'), {
      status: 'in_progress',
      dueDate: '2021-02-28',
    })
    const page = `/planer/${planId}/atgarder/${id}`
    expect(html((await agent.get(page)).text)('.summary-list').text()).toContain('Försenad')
    expect((await (await openForm(agent, `${page}/uppdatera`)).post({ status: 'done' })).status).toBe(303)
    expect(html((await agent.get(page)).text)('.summary-list').text()).not.toContain('Försenad')
  })

  it('rejects an unknown status, an impossible date and an owner from another administration', async () => {
    const { agent, db, planId, risks } = await setup()
    const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
    const otherAdministration = await db
      .insertInto('administration')
      .values({ municipality_id: municipality.id, name: 'Stadskontoret', diary_prefix: 'STK' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const foreignUnit = await db
      .insertInto('owner_unit')
      .values({ administration_id: otherAdministration.id, name: 'Stadskontorets HR' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const fields = { ...measureFields(risks[0]?.id as number, foreignUnit.id), dueDate: '2021-02-30' }
    const first = html((await submitForm(agent, `/planer/${planId}/atgarder/ny`, fields, 400)).text)
    expect(first('#field-dueDate-error').text()).toContain('Ange ett datum som ÅÅÅÅ-MM-DD')
    expect(first('#field-title').val()).toBe('Uppdatera rutinen för utdrag')
    const second = html(
      (await submitForm(agent, `/planer/${planId}/atgarder/ny`, { ...fields, dueDate: '' }, 400)).text,
    )
    expect(second('#field-ownerUnitId-error').text()).toContain('Välj en ansvarig enhet i listan.')

    const measure = await db.selectFrom('measure').select('id').executeTakeFirstOrThrow()
    const page = `/planer/${planId}/atgarder/${measure.id}`
    const bad = html((await submitForm(agent, `${page}/uppdatera`, { status: 'finished' }, 400)).text)
    expect(bad('#field-status-error').text()).toContain('Välj en status i listan.')
    expect(await db.selectFrom('measure').select('id').execute()).toHaveLength(12)
  })

  it('moves a measure to another risk through the edit form, keeping its history', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const from = risks[0] as { id: number }
    const to = risks[1] as { id: number }
    const id = await aMeasure(db, from.id, unit('Utbildningsområden'))
    const page = `/planer/${planId}/atgarder/${id}`
    await submitForm(
      agent,
      `${page}/redigera`,
      { ...measureFields(to.id, unit('Utbildningsområden')), status: 'done' },
      303,
    )
    const moved = await db.selectFrom('measure').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(moved.risk_id).toBe(to.id)
    const history = await db.selectFrom('measure_status_change').selectAll().where('measure_id', '=', id).execute()
    expect(history.map((h) => [h.from_status, h.to_status])).toEqual([
      [null, 'not_started'],
      ['not_started', 'done'],
    ])
  })

  it('deletes a measure after confirmation, and reorders measures within a risk', async () => {
    const { agent, db, planId, risks } = await setup()
    const risk = risks[3] as { id: number }
    const measures = await db
      .selectFrom('measure')
      .select(['id', 'title'])
      .where('risk_id', '=', risk.id)
      .orderBy('position')
      .execute()
    const riskPage = `/planer/${planId}/risker/${risk.id}`
    await submitForm(
      agent,
      riskPage,
      { direction: 'down' },
      303,
      `/planer/${planId}/atgarder/${measures[0]?.id}/flytta`,
    )
    let $ = html((await agent.get(riskPage)).text)
    expect(
      $('tbody tr td:first-child')
        .map((_, e) => $(e).text())
        .get()
        .slice(0, 2),
    ).toEqual([measures[1]?.title, measures[0]?.title])
    const confirm = `/planer/${planId}/atgarder/${measures[0]?.id}/ta-bort`
    expect(html((await agent.get(confirm)).text)('.warning').text()).toContain('(HR-avdelningen)')
    await submitForm(agent, confirm, {}, 303)
    $ = html((await agent.get(riskPage)).text)
    expect($('table:not(.record-history) tbody tr')).toHaveLength(3)
  })
})

describe('what a save says on the page it leads to', () => {
  it('names what was done to the measure, once, and a move leads back to the moved measure’s button', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const risk = risks[3] as { id: number }
    const riskPage = `/planer/${planId}/risker/${risk.id}`
    const landOn = async (answer: { headers: Record<string, string> }) =>
      html((await agent.get(answer.headers.location as string).expect(200)).text)
    const fields = measureFields(risk.id, unit('HR-avdelningen'))

    const created = await submitForm(agent, `/planer/${planId}/atgarder/ny`, fields, 303)
    const page = created.headers.location as string
    expect((await landOn(created))('main .notice[role="status"]').text()).toBe('Åtgärden är tillagd.')
    expect(html((await agent.get(page).expect(200)).text)('.notice')).toHaveLength(0)

    const edit = await openForm(agent, `${page}/redigera`)
    expect((await landOn(await edit.post({ title: 'Ny rubrik' }).expect(303)))('.notice').text()).toBe(
      'Åtgärden är sparad.',
    )

    const measures = await db
      .selectFrom('measure')
      .select('id')
      .where('risk_id', '=', risk.id)
      .orderBy('position')
      .execute()
    const moveUp = async (id: number) =>
      submitForm(agent, riskPage, { direction: 'up' }, 303, `/planer/${planId}/atgarder/${id}/flytta`)
    const second = measures[1]?.id as number
    const last = measures.at(-1)?.id as number
    // The page comes back at the moved measure's button; once at the top, at the one left there.
    for (const [id, button, label] of [
      [last, `move-up-measure-${last}`, 'Flytta upp'],
      [second, `move-down-measure-${second}`, 'Flytta ned'],
    ] as const) {
      const moved = await moveUp(id)
      expect(moved.headers.location).toBe(`${riskPage}#${button}`)
      const $ = await landOn(moved)
      expect($('.notice').text()).toBe('Åtgärden är flyttad upp.')
      expect($(`#${button}`).text()).toMatch(new RegExp(`^${label} `))
      expect($(`#${button}`).closest('form').attr('action')).toBe(`/planer/${planId}/atgarder/${id}/flytta`)
    }
    // Up again from a page left open: it is first already, nothing moves, and the page says so.
    const again = await moveUp(second)
    expect(again.headers.location).toBe(`${riskPage}#move-down-measure-${second}`)
    expect((await landOn(again))('.notice').text()).toBe('Åtgärden står redan överst och flyttades inte.')
    expect(
      (await db.selectFrom('measure').select('id').where('risk_id', '=', risk.id).orderBy('position').execute())[0]?.id,
    ).toBe(second)

    const deleted = await submitForm(agent, `${page}/ta-bort`, {}, 303)
    expect((await landOn(deleted))('.notice').text()).toBe('Åtgärden är borttagen.')
  })
})

describe('one plan’s records through another plan’s address', () => {
  it('are not found, neither to read nor to change', async () => {
    const { agent, db, planId, risks } = await setup()
    const otherPlanId = await anotherPlan(db)
    const measure = await db.selectFrom('measure').select(['id', 'status']).executeTakeFirstOrThrow()
    const review = await db.selectFrom('review').select('id').executeTakeFirstOrThrow()
    for (const path of [
      `/planer/${otherPlanId}/atgarder/${measure.id}`,
      `/planer/${otherPlanId}/atgarder/${measure.id}/redigera`,
      `/planer/${otherPlanId}/granskningar/${review.id}/redigera`,
      `/planer/${otherPlanId}/risker/${risks[0]?.id}`,
    ]) {
      await agent.get(path).expect(404)
    }
    // A valid token from a real form, posted to the other plan's addresses.
    const page = html((await agent.get(`/planer/${planId}/atgarder/${measure.id}`).expect(200)).text)
    const _csrf = String(page('input[name="_csrf"]').first().val())
    for (const [path, body] of [
      [`/planer/${otherPlanId}/atgarder/${measure.id}/uppdatera`, { status: 'cancelled' }],
      [`/planer/${otherPlanId}/atgarder/${measure.id}/ta-bort`, {}],
      [`/planer/${otherPlanId}/atgarder/${measure.id}/flytta`, { direction: 'down' }],
      [`/planer/${otherPlanId}/granskningar/${review.id}/ta-bort`, {}],
      [`/planer/${otherPlanId}/risker/${risks[0]?.id}/ta-bort`, {}],
    ] as const) {
      await agent
        .post(path)
        .type('form')
        .send({ ...body, _csrf })
        .expect(404)
    }
    const after = await db
      .selectFrom('measure')
      .select(['id', 'status'])
      .where('id', '=', measure.id)
      .executeTakeFirst()
    expect(after).toEqual(measure)
    expect(await db.selectFrom('review').select('id').execute()).toHaveLength(8)
    expect(await db.selectFrom('risk').select('id').execute()).toHaveLength(6)
  })
})
