import { describe, expect, it } from 'vitest'
import { demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, openForm, secretaryAndOwner } from '../../test/helpers/test-app.js'
import { labelOf, measureStatuses } from '../vocabulary.js'

/** Each row of a page's history or log as the reader first sees it: its field changes, a text's diff folded. */
function changesShown(page: string, rows: string) {
  const $ = html(page)
  return $(rows)
    .map((_, row) => [
      $(row)
        .find('.field-changes > li')
        .map((_, li) => $(li).clone().find('.text-diff').remove().end().text().replace(/\s+/g, ' ').trim())
        .get(),
    ])
    .get() as string[][]
}

describe('the history of a record', () => {
  it('shows each changed value of a measure, with names and labels, on its page and in Ändringslogg', async () => {
    const { secretary, hr, unit, measure, page } = await secretaryAndOwner()
    await (await openForm(hr, `${page}/uppdatera`)).post({ status: 'in_progress', dueDate: '2021-03-31' }).expect(303)
    const added = 'Även <script>alert(1)</script> vikarier omfattas.'
    await (await openForm(secretary, `${page}/redigera`))
      .post({
        dueDate: '2021-05-15',
        ownerUnitId: String(unit('Utbildningsområden')),
        whatToDo: `${measure.what_to_do}\n\n${added}`,
      })
      .expect(303)

    const shown = await secretary.get(page).expect(200)
    const history = changesShown(shown.text, 'table.record-history tbody tr')
    expect(history[0]).toEqual([
      'Vad ska göras: ändrad text',
      'Ansvarig enhet: HR-avdelningen → Utbildningsområden',
      'Klart senast: 2021-03-31 → 2021-05-15',
    ])
    expect(history[1]).toEqual([
      'Klart senast: – → 2021-03-31',
      `Status: ${labelOf(measureStatuses, measure.status)} → Pågående`,
    ])
    // The long text shows what was added, escaped, and the text it was added to is all there.
    const $ = html(shown.text)
    const diff = $('table.record-history tbody tr').first().find('.text-diff')
    expect(diff.find('ins').text().trim()).toBe(added)
    expect(diff.find('del')).toHaveLength(0)
    expect(diff.text()).toContain(measure.what_to_do.trim())
    expect(shown.text).not.toContain('<script>alert(1)</script>')

    const log = await secretary.get('/logg?typ=measure').expect(200)
    expect(changesShown(log.text, 'tbody tr').slice(0, 2)).toEqual(history.slice(0, 2))
  })

  it('shows a text’s removed and added words when part of it is rewritten', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const form = await openForm(agent, `/planer/${planId}/redigera`)
    await form.post({ introduction: 'Planen gäller år 2020 för hela nämnden.' }).expect(303)
    await (await openForm(agent, `/planer/${planId}/redigera`))
      .post({ introduction: 'Planen gäller år 2021 för hela nämnden.' })
      .expect(303)
    const $ = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    const latest = $('table.record-history tbody tr').first().find('.text-diff')
    expect([latest.find('del').text(), latest.find('ins').text()]).toEqual(['2020', '2021'])
    expect(latest.text()).toBe('Planen gäller år 20202021 för hela nämnden.')
  })

  it('shows a risk’s scores and treatment, a review’s risk and an inspection’s authority by name', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const risk = risks[0] as { id: number; title: string; treatment: string }
    const riskPage = `/planer/${planId}/risker/${risk.id}`
    await (await openForm(agent, `${riskPage}/redigera`))
      .post({ likelihood: '4', consequence: '1', treatment: 'monitor' })
      .expect(303)
    const riskHistory = changesShown((await agent.get(riskPage).expect(200)).text, 'table.record-history tbody tr')
    expect(riskHistory[0]).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Sannolikhet: .* → 4 – Sannolik$/),
        'Riskhantering: Granskning → Bevakning',
      ]),
    )

    const review = await db.selectFrom('review').select('id').where('plan_id', '=', planId).executeTakeFirstOrThrow()
    await (await openForm(agent, `/planer/${planId}/granskningar/${review.id}/redigera`))
      .post({ riskId: String(risk.id) })
      .expect(303)
    const reviewLog = changesShown((await agent.get('/logg?typ=review').expect(200)).text, 'tbody tr')
    expect(reviewLog[0]?.find((c) => c.startsWith('Risk:'))).toMatch(new RegExp(`→ ${risk.title}$`))
    // A review has no page of its own; its edit form shows the same history.
    const reviewForm = await agent.get(`/planer/${planId}/granskningar/${review.id}/redigera`).expect(200)
    expect(changesShown(reviewForm.text, 'table.record-history tbody tr')[0]).toEqual(reviewLog[0])

    const inspection = await db.selectFrom('inspection').select('id').executeTakeFirstOrThrow()
    const inspectionPage = `/externa-granskningar/${inspection.id}`
    await (await openForm(agent, `${inspectionPage}/redigera`)).post({ authority: 'auditors' }).expect(303)
    const inspectionHistory = changesShown(
      (await agent.get(inspectionPage).expect(200)).text,
      'table.record-history tbody tr',
    )
    expect(inspectionHistory[0]).toEqual(['Myndighet: Skolinspektionen → Kommunens revisorer'])
  })
})
