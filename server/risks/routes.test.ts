import { describe, expect, it } from 'vitest'
import { anotherPlan, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'

const riskFields = {
  title: 'Risk för brister i dokumenthantering',
  description: 'Risk för att handlingar inte diarieförs på grund av otydliga rutiner.',
  likelihood: '3',
  consequence: '4',
  treatment: 'review',
  scope: 'committee',
}

describe('risk pages', () => {
  it('adds a risk last in the plan and shows its score', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const created = await submitForm(agent, `/planer/${planId}/risker/ny`, riskFields, 303)
    const $ = html((await agent.get(created.headers.location as string).expect(200)).text)
    expect($('h1').text()).toBe('Risk: Risk för brister i dokumenthantering')
    expect($('.summary-list').text()).toContain('12 – Hög')
    const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(plan('article.risk h3').last().text()).toBe('Risk: Risk för brister i dokumenthantering')
  })

  it('rejects a likelihood off the scale and an unknown treatment, keeping the text', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const fields = { ...riskFields, likelihood: '5', treatment: 'ignore' }
    const $ = html((await submitForm(agent, `/planer/${planId}/risker/ny`, fields, 400)).text)
    expect($('#field-likelihood-error').text()).toContain('Välj sannolikhet 1–4, eller Ej bedömd.')
    expect($('#field-treatment-error').text()).toContain('Välj hur risken ska hanteras.')
    expect($('#field-title').val()).toBe(riskFields.title)
    expect($('#field-consequence option[selected]').val()).toBe('4')
  })

  it('asks for the treatment, choosing none for the user, and the review type only of a review', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const form = html((await agent.get(`/planer/${planId}/risker/ny`).expect(200)).text)
    expect(form('#field-treatment option').first().text()).toBe('Välj riskhantering')
    expect(form('#field-treatment option[selected]')).toHaveLength(0)
    expect(form('[data-shown-when="treatment=review"] #field-scope')).toHaveLength(1)
    expect(form('#field-scope-hint').text()).toBe('Bara när riskhanteringen är Granskning.')

    const missing = html(
      (await submitForm(agent, `/planer/${planId}/risker/ny`, { ...riskFields, treatment: '' }, 400)).text,
    )
    expect(missing('.error-summary li').text()).toBe('Välj hur risken ska hanteras.')
    expect(missing('#field-treatment option[selected]')).toHaveLength(0)
    const noScope = html(
      (await submitForm(agent, `/planer/${planId}/risker/ny`, { ...riskFields, scope: '' }, 400)).text,
    )
    expect(noScope('#field-scope-error').text()).toContain(
      'Välj om granskningen är nämndens egen eller kommungemensam.',
    )

    // Accepted, not reviewed: a review type sent along (the hidden field, or none at all) is not the risk's.
    const accepted = { ...riskFields, treatment: 'accept', scope: 'municipality_wide' }
    const created = await submitForm(agent, `/planer/${planId}/risker/ny`, accepted, 303)
    const id = Number(String(created.headers.location).split('/').pop())
    const stored = () =>
      db.selectFrom('risk').select(['treatment', 'scope']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(await stored()).toEqual({ treatment: 'accept', scope: 'committee' })
    await submitForm(
      agent,
      `/planer/${planId}/risker/${id}/redigera`,
      { ...riskFields, treatment: 'monitor', scope: 'x' },
      303,
    )
    expect(await stored()).toEqual({ treatment: 'monitor', scope: 'committee' })
    // Nor do its pages name one.
    const shown = async () => {
      const risk = html((await agent.get(`/planer/${planId}/risker/${id}`).expect(200)).text)
      const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
      return [
        risk('.summary-list dt').text().includes('Typ av granskning'),
        plan(`#risk-${id}`).closest('article').find('.meta').text(),
      ]
    }
    expect(await shown()).toEqual([false, 'Bevakning · Riskvärde 12 (Hög)'])
    await submitForm(
      agent,
      `/planer/${planId}/risker/${id}/redigera`,
      { ...riskFields, scope: 'municipality_wide' },
      303,
    )
    expect(await stored()).toEqual({ treatment: 'review', scope: 'municipality_wide' })
    expect(await shown()).toEqual([true, 'Granskning · Kommungemensam · Riskvärde 12 (Hög)'])
  })

  it('edits a risk, and reorders risks with the move buttons', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const [first, second] = risks
    await submitForm(
      agent,
      `/planer/${planId}/risker/${second?.id}/redigera`,
      { ...riskFields, title: 'Ny rubrik' },
      303,
    )
    await submitForm(
      agent,
      `/planer/${planId}`,
      { direction: 'up' },
      303,
      `/planer/${planId}/risker/${second?.id}/flytta`,
    )
    const $ = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    const titles = $('article.risk h3')
      .map((_, e) => $(e).text())
      .get()
    expect(titles.slice(0, 2)).toEqual(['Risk: Ny rubrik', `Risk: ${first?.title}`])
    // The top risk offers no "move up", the bottom one no "move down".
    expect($('article.risk').first().find('input[value="up"]')).toHaveLength(0)
    expect($('article.risk').last().find('input[value="down"]')).toHaveLength(0)
  })

  it('deletes a risk with its measures but keeps the review that examined it', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const risk = risks.find((r) => r.title.startsWith('Bristfällig kontroll')) as { id: number }
    const confirm = html((await agent.get(`/planer/${planId}/risker/${risk.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning li')).toHaveLength(4)
    expect(confirm('.warning').text()).toContain('1 granskning (GRF-2020-11773) finns kvar i planen')
    await submitForm(agent, `/planer/${planId}/risker/${risk.id}/ta-bort`, {}, 303)
    expect(await db.selectFrom('measure').select('id').where('risk_id', '=', risk.id).execute()).toHaveLength(0)
    const review = await db
      .selectFrom('review')
      .select('risk_id')
      .where('diary_number', '=', 'GRF-2020-11773')
      .executeTakeFirstOrThrow()
    expect(review.risk_id).toBeNull()
  })

  it('does not show a risk through another plan', async () => {
    const { agent, db } = await createTestApp()
    const { risks } = await demoPlan(db)
    const otherPlanId = await anotherPlan(db)
    await agent.get(`/planer/${otherPlanId}/risker/${risks[0]?.id}`).expect(404)
  })
})
