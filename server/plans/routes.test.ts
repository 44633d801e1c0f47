import { describe, expect, it } from 'vitest'
import { aRisk, demoContents, demoPlan, demoRiskHeadings } from '../../test/helpers/builders.js'
import { squash } from '../../test/helpers/pdf.js'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'

describe('plan pages', () => {
  it('lists the demo plan under its committee', async () => {
    const { agent } = await createTestApp()
    const $ = html((await agent.get('/planer').expect(200)).text)
    expect($('h2').text()).toContain('Grundskolenämnden')
    expect($('table tbody tr').text()).toMatch(/2020\s*Internkontrollplan 2020\s*6\s*12/)
  })

  it('shows every risk in report order with its measures, owners and status counts', async () => {
    const { agent, db } = await createTestApp()
    const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
    const $ = html((await agent.get(`/planer/${plan.id}`).expect(200)).text)
    expect(
      $('article.risk h3')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(demoRiskHeadings)
    expect($('article.risk tbody tr')).toHaveLength(12)
    const hrRows = $('article.risk tbody tr').filter((_, e) => $(e).text().includes('HR-avdelningen'))
    expect(hrRows).toHaveLength(4)
    // What a sighted user reads in each row: the status and its count, without the count's words for screen readers.
    const counts = $('.status-counts tr')
      .map((_, row) => {
        const cells = $(row).children().clone()
        cells.find('.visually-hidden').remove()
        return cells
          .map((_, cell) => $(cell).text().trim())
          .get()
          .join(' ')
      })
      .get()
    expect(counts).toContain('Genomförd 7')
    expect(counts).toContain('Genomförd – fortsatt arbete 4')
    expect(counts).toContain('Pågående 1')
    expect(counts).toContain('Totalt 12')
  })

  it('links each status count to the measure list filtered to it, which shows as many, as Översikt does', async () => {
    const { agent, db } = await createTestApp({ today: '2021-03-15' })
    const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
    // One measure not started and past its due date, so every kind of count has a link.
    const done = await db.selectFrom('measure').select('id').where('status', '=', 'done').executeTakeFirstOrThrow()
    await db
      .updateTable('measure')
      .set({ status: 'not_started', due_date: '2021-01-31' })
      .where('id', '=', done.id)
      .execute()
    const $ = html((await agent.get(`/planer/${plan.id}`).expect(200)).text)
    const links = $('.status-counts a')
      .map((_, a) => ({ href: $(a).attr('href') as string, count: Number.parseInt($(a).text(), 10) }))
      .get()
    expect(links.map((l) => l.href)).toEqual([
      `/planer/${plan.id}/atgarder?status=not_started`,
      `/planer/${plan.id}/atgarder?status=in_progress`,
      `/planer/${plan.id}/atgarder?status=done`,
      `/planer/${plan.id}/atgarder?status=done_with_follow_up`,
      `/planer/${plan.id}/atgarder`,
      `/planer/${plan.id}/atgarder?forsenade=ja`,
    ])
    expect($('.status-counts a').first().find('.visually-hidden').text()).toBe(' Ej påbörjad i Internkontrollplan 2020')
    // The overview's counts are the same links.
    const overview = html((await agent.get('/').expect(200)).text)
    for (const { href } of links) expect(overview(`table.plan-status a[href="${href}"]`), href).toHaveLength(1)
    // Neither page speaks to a developer.
    for (const page of [$, overview]) expect(page('body').text()).not.toMatch(/npm run|README/)
    for (const { href, count } of links) {
      const list = html((await agent.get(href).expect(200)).text)
      expect(list('table.measure-list tbody tr'), href).toHaveLength(count)
    }
  })

  it('shows the risk matrix as a picture and as a table, each risk linking to its page, the unscored beside it', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    // Likelihood 3 (Möjlig) × consequence 4 (Allvarlig) = 12, hög.
    const scored = await aRisk(db, planId, { title: 'Risk för felaktiga utbetalningar' })
    const riskHref = `/planer/${planId}/risker/${scored}`
    const $ = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    const matrix = $('section[aria-labelledby="matrix-heading"] figure.risk-matrix')
    expect(matrix.find('figcaption').text()).toBe('Risker efter sannolikhet och konsekvens')

    const svg = matrix.find('svg')
    expect(svg.attr('aria-hidden')).toBe('true')
    expect(svg.find('g.risk-matrix__cell')).toHaveLength(16)
    const cell = svg.find('g[data-likelihood="3"][data-consequence="4"]')
    expect(cell.find('text').first().text()).toBe('12 Hög')
    expect(cell.find('a').attr('href')).toBe(riskHref)
    expect(cell.find('a text').text()).toBe('7')
    expect(svg.find('a')).toHaveLength(1)

    const table = matrix.find('details table')
    expect(matrix.find('details summary').text()).toBe('Visa riskmatrisen som tabell')
    expect(
      table
        .find('tbody th[scope="row"]')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual(['4 Sannolik', '3 Möjlig', '2 Mindre sannolik', '1 Osannolik'])
    expect(
      table
        .find('thead th')
        .map((_, th) => $(th).text())
        .get(),
    ).toEqual([
      'Sannolikhet',
      'Konsekvens 1 Försumbar',
      'Konsekvens 2 Lindrig',
      'Konsekvens 3 Kännbar',
      'Konsekvens 4 Allvarlig',
    ])
    // Row "3 Möjlig", the fourth consequence column.
    const tableCell = table.find('tbody tr').eq(1).find('td').eq(3)
    expect(tableCell.find('.band').text()).toBe('12 Hög')
    expect(tableCell.find('a').attr('href')).toBe(riskHref)
    expect(tableCell.find('a').text()).toBe('7. Risk för felaktiga utbetalningar')
    expect(table.find('td a')).toHaveLength(1)

    const legend = matrix.find('.risk-matrix__risks').first()
    expect(legend.find('a').attr('href')).toBe(riskHref)
    expect(squash(legend.text())).toBe(
      '7 Risk för felaktiga utbetalningar sannolikhet 3 × konsekvens 4, riskvärde 12 (Hög)',
    )
    const unscored = matrix.find('.risk-matrix__unscored li')
    expect(unscored.map((_, li) => squash($(li).text())).get()).toEqual(
      demoContents.map(([title], i) => `${i + 1} ${title}`),
    )
    expect(
      unscored
        .find('a')
        .map((_, a) => $(a).attr('href'))
        .get(),
    ).toEqual(risks.map((risk) => `/planer/${planId}/risker/${risk.id}`))
  })

  it('creates a plan, and refuses a second plan for the same committee and year', async () => {
    const { agent, db } = await createTestApp()
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    const fields = {
      committeeId: String(committee.id),
      year: '2021',
      title: 'Internkontrollplan 2021',
      adoptedMeetingDate: '2020-12-18',
      adoptedMinutesParagraph: '§201',
      adoptedDiaryNumber: 'GRF-2020-13001',
      introduction: 'Planen för 2021.',
      measuresIntroduction: '',
    }
    const created = await submitForm(agent, '/planer/ny', fields, 303)
    const page = html((await agent.get(created.headers.location as string).expect(200)).text)
    expect(page('h1').text()).toBe('Internkontrollplan 2021')
    expect(page('.summary-list').text()).toContain('Sammanträde 2020-12-18, protokoll §201 (dnr GRF-2020-13001)')

    const again = await submitForm(agent, '/planer/ny', fields, 400)
    expect(html(again.text)('#field-year-error').text()).toContain('Nämnden har redan en internkontrollplan för 2021.')
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(2)
  })

  it('keeps the input and explains every problem when the form is wrong', async () => {
    const { agent, db } = await createTestApp()
    const response = await submitForm(
      agent,
      '/planer/ny',
      {
        committeeId: '',
        year: '20',
        title: '',
        adoptedMeetingDate: '23/9 2020',
        adoptedMinutesParagraph: '',
        introduction: 'Min text <b>som inte får försvinna</b>',
        measuresIntroduction: '',
      },
      400,
    )
    const $ = html(response.text)
    expect($('title').text()).toMatch(/^Fel: /)
    expect(
      $('.error-summary li')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual([
      'Välj vilken nämnd planen gäller.',
      'Ange året med fyra siffror, till exempel 2020.',
      'Ange planens rubrik, till exempel Internkontrollplan 2020.',
      'Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.',
    ])
    expect($('#field-adoptedMeetingDate').val()).toBe('23/9 2020')
    expect($('#field-introduction').text()).toBe('Min text <b>som inte får försvinna</b>')
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(1)
  })

  it('asks before deleting a plan, says what goes with it, then deletes it all', async () => {
    const { agent, db } = await createTestApp()
    const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
    const confirm = html((await agent.get(`/planer/${plan.id}/ta-bort`).expect(200)).text)
    expect(
      confirm('.warning li')
        .map((_, e) => confirm(e).text())
        .get(),
    ).toEqual(['6 risker', '12 förbättringsåtgärder med statushistorik', '8 granskningar'])
    await submitForm(agent, `/planer/${plan.id}/ta-bort`, {}, 303)
    for (const table of ['plan', 'risk', 'measure', 'review', 'measure_status_change'] as const) {
      expect(await db.selectFrom(table).select('id').execute()).toHaveLength(0)
    }
    await agent.get(`/planer/${plan.id}`).expect(404)
  })

  it('says, before deleting a plan, how many municipality-wide copies go with it', async () => {
    const { agent, db } = await createTestApp({ currentYear: true, today: '2021-03-15' })
    const plan = await db
      .selectFrom('plan')
      .select('id')
      .where('year', '=', 2021)
      .orderBy('id')
      .executeTakeFirstOrThrow()
    const confirm = html((await agent.get(`/planer/${plan.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning li').last().text()).toBe(
      '1 av riskerna är en kopia av en kommungemensam granskning eller risk; den läggs in igen om planen skapas på nytt, men utan nämndens uppföljning.',
    )
  })

  it('answers unknown and malformed plan ids with the 404 page', async () => {
    const { agent } = await createTestApp()
    for (const [path, missing] of [
      ['/planer/999', 'Planen finns inte'],
      ['/planer/abc', 'Planen finns inte'],
      ['/planer/999/redigera', 'Planen finns inte'],
      ['/planer/1/risker/999', 'Risken finns inte'],
      ['/finns-inte', 'Sidan finns inte'],
    ] as const) {
      const $ = html((await agent.get(path).expect(404)).text)
      expect($('h1').text(), path).toBe(missing)
      expect($('title').text(), path).toBe(`${missing} – Internkontroll`)
      // The page says what is missing once: as its heading.
      expect($('main').text().split(missing), path).toHaveLength(2)
      expect($('body').text(), path).not.toMatch(/npm run|README/)
    }
  })
})
