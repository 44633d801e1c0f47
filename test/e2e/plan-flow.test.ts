import { describe, expect, it } from 'vitest'
import { demoRiskHeadings } from '../helpers/builders.js'
import { choose, fieldValue, fill, follow, type Page, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

const demoPlan = 'Internkontrollplan 2020'
const planBreadcrumb = `Grundskolenämnden: ${demoPlan}`
const riskHeadings = 'article.risk h3'
const measureRows = 'article.risk table'

async function openDemoPlan(page: Page) {
  expect(await e2e.open('/planer')).toBe(200)
  expect(await follow(page, 'link', demoPlan)).toBe(200)
  expect(await texts(page, 'h1')).toEqual([demoPlan])
}

/** The "Åtgärder per status" table as { status: count }. */
async function statusCounts(page: Page) {
  const rows = await page.$$eval('.status-counts tr:has(td), .status-counts tfoot tr', (trs) =>
    trs.map((tr) => [...tr.cells].map((c) => (c.textContent ?? '').trim())),
  )
  // A count is a link whose words for screen readers follow the number.
  return Object.fromEntries(rows.map(([status, count]) => [status, Number.parseInt(count ?? '', 10)]))
}

describe('the plan register, used in a browser', () => {
  it('shows the demo plan with its 6 risks and 12 measures', async () => {
    const { page } = e2e
    await openDemoPlan(page)
    expect(await texts(page, riskHeadings)).toEqual(demoRiskHeadings)
    const measures = await tableRows(page, measureRows)
    expect(measures).toHaveLength(12)
    expect(measures).toContainEqual([
      'Kompetenshöjande insats för skolledare kring elevhälsouppdraget',
      'Utbildningsområden',
      'Pågående',
      '–',
    ])
    expect((await statusCounts(page)).Totalt).toBe(12)
  })

  it('adds a risk and a measure, and follows the measure to Pågående', async () => {
    const { page } = e2e
    const riskTitle = 'Otillräcklig kontroll av leverantörsfakturor'
    const measureTitle = 'Inför attest i två steg'
    const dueDate = `${new Date().getFullYear() + 1}-06-30`
    await openDemoPlan(page)
    const countsBefore = await statusCounts(page)

    expect(await follow(page, 'link', 'Ny risk')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Ny risk'])

    // Sent without its title: Swedish messages, and everything else the user typed is still there.
    await fill(page, 'Beskrivning av risk (valfritt)', 'Risk för felaktiga utbetalningar på grund av bristande attest.')
    await choose(page, 'Sannolikhet (valfritt)', '3 – Möjlig')
    await choose(page, 'Riskhantering', 'Direktåtgärd')
    expect(await follow(page, 'button', 'Lägg till risken')).toBe(400)
    expect(await page.title()).toBe('Fel: Ny risk – Internkontroll')
    expect(await texts(page, '.error-summary h2')).toEqual(['Formuläret innehåller fel'])
    expect(await texts(page, '.error-summary li')).toEqual(['Ange riskens rubrik.'])
    expect(await page.$eval('.error-summary a', (a) => a.getAttribute('href'))).toBe('#field-title')
    expect(await texts(page, '.field-error')).toEqual(['Fel: Ange riskens rubrik.'])
    expect(await page.$eval('#field-title', (input) => input.getAttribute('aria-invalid'))).toBe('true')
    expect(await fieldValue(page, 'Beskrivning av risk (valfritt)')).toBe(
      'Risk för felaktiga utbetalningar på grund av bristande attest.',
    )
    expect(await fieldValue(page, 'Sannolikhet (valfritt)')).toBe('3 – Möjlig')
    expect(await fieldValue(page, 'Riskhantering')).toBe('Direktåtgärd')

    await fill(page, 'Risk', riskTitle)
    expect(await follow(page, 'button', 'Lägg till risken')).toBe(200)
    expect(await texts(page, 'h1')).toEqual([`Risk: ${riskTitle}`])
    expect(await texts(page, '.prose')).toEqual(['Risk för felaktiga utbetalningar på grund av bristande attest.'])
    const riskId = new URL(page.url()).pathname.split('/').pop()

    expect(await follow(page, 'link', 'Ny åtgärd')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Ny förbättringsåtgärd'])
    expect(await fieldValue(page, 'Risk')).toBe(riskTitle)
    await fill(page, 'Åtgärd', measureTitle)
    await fill(page, 'Vad ska göras (valfritt)', 'Alla fakturor över 50 000 kr attesteras av två personer.')
    await choose(page, 'Ansvarig enhet', 'HR-avdelningen')
    await fill(page, 'Klart senast (valfritt)', dueDate)
    expect(await fieldValue(page, 'Status')).toBe('Ej påbörjad')
    expect(await follow(page, 'button', 'Lägg till åtgärden')).toBe(200)
    expect(await texts(page, 'h1')).toEqual([`Åtgärd: ${measureTitle}`])
    expect(await texts(page, '.summary-list > div')).toEqual([
      'Ansvarig enhet HR-avdelningen',
      'Status Ej påbörjad',
      `Klart senast ${dueDate}`,
      // The new risk has no review and the measure no development area: it comes from the internal control.
      'Ursprung Intern kontroll',
    ])

    // The status changes in one place: the update form, beside the progress.
    expect(await follow(page, 'link', 'Uppdatera status och genomförda åtgärder')).toBe(200)
    await choose(page, 'Status', 'Pågående')
    expect(await follow(page, 'button', 'Spara')).toBe(200)
    expect(await texts(page, '.summary-list > div')).toContain('Status Pågående')
    const history = await tableRows(page, '.status-history')
    expect(history.map(([, from, to]) => [from, to])).toEqual([
      ['Ej påbörjad', 'Pågående'],
      ['Ny åtgärd', 'Ej påbörjad'],
    ])
    expect(history[0]?.[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)

    expect(await follow(page, 'link', planBreadcrumb)).toBe(200)
    expect(await texts(page, riskHeadings)).toContain(`Risk: ${riskTitle}`)
    expect(await tableRows(page, `article[aria-labelledby="risk-${riskId}"] table`)).toEqual([
      [measureTitle, 'HR-avdelningen', 'Pågående', dueDate],
    ])
    const countsAfter = await statusCounts(page)
    expect(countsAfter.Pågående).toBe((countsBefore.Pågående ?? 0) + 1)
    expect(countsAfter.Totalt).toBe((countsBefore.Totalt ?? 0) + 1)
  })

  it('lets Avbryt on a new measure lead back to its risk, also after the form came back with errors', async () => {
    const { page } = e2e
    await openDemoPlan(page)
    expect(await follow(page, 'link', 'Risk: Röjande av sekretess')).toBe(200)
    const riskUrl = page.url()
    expect(await follow(page, 'link', 'Ny åtgärd')).toBe(200)
    expect(await fieldValue(page, 'Risk')).toBe('Röjande av sekretess')

    expect(await follow(page, 'button', 'Lägg till åtgärden')).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual(['Ange åtgärdens rubrik.', 'Välj ansvarig enhet.'])
    expect(await fieldValue(page, 'Risk')).toBe('Röjande av sekretess')
    expect(await follow(page, 'link', 'Avbryt')).toBe(200)
    expect(page.url()).toBe(riskUrl)
  })

  it('asks before deleting a risk, and Avbryt deletes nothing', async () => {
    const { page } = e2e
    const risk = 'Bristfällig kontroll av utdrag ur belastningsregister vid nyrekrytering'
    await openDemoPlan(page)
    const headingsBefore = await texts(page, riskHeadings)
    const measuresBefore = await tableRows(page, measureRows)

    expect(await follow(page, 'link', `Risk: ${risk}`)).toBe(200)
    const riskUrl = page.url()
    const measures = await tableRows(page, 'main table:not(.record-history)')
    expect(measures).toHaveLength(4)

    expect(await follow(page, 'link', 'Ta bort risken')).toBe(200)
    expect(await texts(page, 'h1')).toEqual([`Ta bort risk: ${risk}`])
    expect(await texts(page, '.warning li')).toEqual(
      measures.map(([title, owner]) => `Åtgärd: ${title} (${owner}), med statushistorik`),
    )
    expect(await texts(page, '.warning p')).toEqual([
      `Vill du ta bort risken ”${risk}”?`,
      'Detta tas också bort:',
      '1 granskning (GRF-2020-11773) finns kvar i planen men kopplas bort från risken.',
      'Borttagningen går inte att ångra.',
    ])

    expect(await follow(page, 'link', 'Avbryt')).toBe(200)
    expect(page.url()).toBe(riskUrl)
    expect(await tableRows(page, 'main table:not(.record-history)')).toEqual(measures)
    expect(await follow(page, 'link', planBreadcrumb)).toBe(200)
    expect(await texts(page, riskHeadings)).toEqual(headingsBefore)
    expect(await tableRows(page, measureRows)).toEqual(measuresBefore)
  })
})
