import { describe, expect, it } from 'vitest'
import { swedishDate } from '../../server/dates.js'
import { axeViolations, choose, fieldValue, fill, follow, type Page, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

// The server runs on the real clock: the decision letter is dated two weeks ago and its report is due in 90 days,
// counted from the server's "today", the date in Sweden.
const today = swedishDate(new Date())
const daysFromToday = (days: number) => new Date(Date.parse(today) + days * 86_400_000).toISOString().slice(0, 10)
const daysLeft = 90
const letter = {
  title: 'Regelbunden tillsyn av Kroksbäcksskolan',
  authority: 'Skolinspektionen',
  kind: 'Regelbunden tillsyn',
  principal: 'Malmö stad',
  decisionDate: daysFromToday(-14),
  reportDeadline: daysFromToday(daysLeft),
}
const signatories = 'Beslutsfattare: Maria Nord\nFöredragande: Jonas Berg'
/** The decision letter's text fields, by label, as the secretary types them in. */
const letterFields: [label: string, value: string][] = [
  ['Rubrik', letter.title],
  ['Myndighetens diarienummer (valfritt)', 'SI 2026:9123'],
  ['Huvudman', letter.principal],
  ['Granskad skola eller enhet (valfritt)', 'Kroksbäcksskolan'],
  ['Granskningsperiod (valfritt)', 'höstterminen 2026'],
  ['Redovisas senast (valfritt)', letter.reportDeadline],
  ['Undertecknare (valfritt)', signatories],
]

const area = {
  heading: 'Elevhälsans förebyggande och hälsofrämjande arbete',
  legalBasis: '2 kap. 25 § skollagen',
}
const risk = 'Bristande systematik i det förebyggande elevhälsoarbetet'
const linkedMeasure = 'Kompetenshöjande insats för skolledare kring elevhälsouppdraget'
const newMeasure = 'Gemensam årsplan för elevhälsans förebyggande arbete'
/** How measure forms and pages name the new area as an origin. */
const areaOrigin = `${letter.authority}: ${letter.principal}, beslut ${letter.decisionDate} – ${area.heading}`

/** The first two cells of each row: what a row is about, without its buttons' texts. */
const leading = (rows: string[][]) => rows.map((cells) => cells.slice(0, 2))

/** Opens the register the way a secretary does: from the main menu. */
async function openRegister(page: Page) {
  expect(await e2e.open('/planer')).toBe(200)
  expect(await follow(page, 'link', 'Externa granskningar')).toBe(200)
  expect(await texts(page, 'h1')).toEqual(['Externa granskningar'])
}

describe('the register of external inspections, used in a browser', () => {
  it('lists the four demo inspections and Borlänge’s open development area', async () => {
    const { page } = e2e
    await openRegister(page)
    // Each inspection's second line: "principal · school or unit · committee", latest decision first.
    const principals = (await texts(page, '[aria-labelledby="register-heading"] .muted')).map((l) => l.split(' · ')[0])
    expect(principals).toEqual(['Perstorps kommun', 'Borlänge kommun', 'Landskrona kommun', 'Trelleborgs kommun'])
    expect(leading(await tableRows(page, '[aria-labelledby="open-heading"] table'))).toContainEqual([
      'Huvudmannens kompensatoriska arbete',
      'Skolinspektionen: Borlänge kommun, beslut 2023-02-02',
    ])
    expect(await axeViolations(page)).toEqual([])
  })
})

// One decision letter followed from registration to its report, in order: each test starts where the last left off.
describe('a new decision letter, from registration to the report to the authority', () => {
  let inspectionPath = ''
  let areaPath = ''

  /** Opens a page an earlier test created; fails at once, rather than waiting for links, when it did not. */
  async function openCreated(path: string) {
    expect(path, 'created by an earlier test').not.toBe('')
    expect(await e2e.open(path)).toBe(200)
  }

  it('registers the inspection, after the form came back without its decision date and the input kept', async () => {
    const { page } = e2e
    await openRegister(page)
    expect(await follow(page, 'link', 'Registrera extern granskning')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Registrera extern granskning'])
    // The secretary keeps both demo committees; the letter is Grundskolenämnden's, whose 2020 plan it links to.
    await choose(page, 'Ansvarig nämnd', 'Grundskolenämnden (Malmö stad)')
    expect(await fieldValue(page, 'Granskande myndighet')).toBe(letter.authority)

    await choose(page, 'Typ av granskning', letter.kind)
    for (const [label, value] of letterFields) await fill(page, label, value)
    // A date field holds only real dates (the server's check of 2026-11-31 is a route test's): leave it empty.
    expect(await follow(page, 'button', 'Registrera granskningen')).toBe(400)
    expect(await page.title()).toBe('Fel: Registrera extern granskning – Internkontroll')
    expect(await texts(page, '.error-summary li')).toEqual(['Ange beslutsdatum, som i beslutet.'])
    expect(await page.$eval('.error-summary a', (a) => a.getAttribute('href'))).toBe('#field-decisionDate')
    expect(await page.$eval('#field-decisionDate', (input) => input.getAttribute('aria-invalid'))).toBe('true')
    expect(await fieldValue(page, 'Beslutsdatum')).toBe('')
    expect(await fieldValue(page, 'Typ av granskning')).toBe(letter.kind)
    // Soft: a field not kept as typed fails the test, but the letter is still registered for the tests that follow.
    for (const [label, value] of letterFields) expect.soft(await fieldValue(page, label), label).toBe(value)
    // The form with its error summary and a field in error: the most the form ever shows.
    expect(await axeViolations(page)).toEqual([])

    await fill(page, 'Beslutsdatum', letter.decisionDate)
    expect(await follow(page, 'button', 'Registrera granskningen')).toBe(200)
    inspectionPath = new URL(page.url()).pathname
    expect(await texts(page, '.caption')).toEqual([`${letter.authority} · ${letter.kind} · Grundskolenämnden`])
    expect(await texts(page, 'h1')).toEqual([letter.title])
    expect(await texts(page, '.summary-list > div')).toEqual([
      `Huvudman ${letter.principal}`,
      'Granskad skola eller enhet Kroksbäcksskolan',
      'Period höstterminen 2026',
      'Myndighetens diarienummer SI 2026:9123',
      `Beslut ${letter.decisionDate}`,
      `Redovisas senast ${letter.reportDeadline}`,
      'Nämndens godkännande Inget beslut registrerat',
      `Redovisningen ${daysLeft} dagar kvar`,
      'Uppföljningsbeslut –',
      'Granskningen Pågående',
      'Undertecknare Beslutsfattare: Maria Nord Föredragande: Jonas Berg',
    ])
    expect(await texts(page, 'main p')).toContain('Inga utvecklingsområden registrerade ännu.')
  })

  it('adds a development area and links it to a risk and a measure of the 2020 plan', async () => {
    const { page } = e2e
    await openCreated(inspectionPath)
    expect(await follow(page, 'link', 'Nytt utvecklingsområde')).toBe(200)
    await fill(page, 'Utvecklingsområde', area.heading)
    await fill(page, 'Författningsstöd (valfritt)', area.legalBasis)
    await fill(
      page,
      'Vad som behöver utvecklas (valfritt)',
      'Huvudmannen behöver säkerställa att elevhälsan arbetar förebyggande och hälsofrämjande.',
    )
    expect(await follow(page, 'button', 'Lägg till utvecklingsområdet')).toBe(200)
    areaPath = new URL(page.url()).pathname
    expect(await texts(page, 'h1')).toEqual([`Utvecklingsområde: ${area.heading}`])
    expect(await texts(page, 'main > p .tag')).toEqual(['Pågående'])
    expect(await texts(page, '.summary-list > div')).toContain(`Författningsstöd ${area.legalBasis}`)

    await choose(page, 'Koppla till en risk', `2020: ${risk}`)
    expect(await follow(page, 'button', 'Koppla risken')).toBe(200)
    expect(leading(await tableRows(page, '#risks-heading + table'))).toEqual([['2020', risk]])

    await choose(page, 'Koppla till en åtgärd', `2020: ${linkedMeasure} – Utbildningsområden`)
    expect(await follow(page, 'button', 'Koppla åtgärden')).toBe(200)
    expect((await tableRows(page, '#measures-heading + table')).map((row) => row.slice(0, 4))).toEqual([
      [linkedMeasure, 'Utbildningsområden', 'Pågående', '2020'],
    ])
    expect(await axeViolations(page)).toEqual([])
  })

  it('creates a measure from the area, whose page leads back to the area as its origin', async () => {
    const { page } = e2e
    await openCreated(areaPath)
    expect(await follow(page, 'link', `Ny åtgärd härifrån för risken ${risk}`)).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Ny förbättringsåtgärd'])
    expect(await fieldValue(page, 'Risk')).toBe(risk)
    expect(await fieldValue(page, 'Ursprung (valfritt)')).toBe(areaOrigin)
    await fill(page, 'Åtgärd', newMeasure)
    await fill(
      page,
      'Vad ska göras (valfritt)',
      'Elevhälsoteamen tar fram en gemensam årsplan för det förebyggande arbetet.',
    )
    await choose(page, 'Ansvarig enhet', 'Utbildningsområden')
    await fill(page, 'Klart senast (valfritt)', '2027-02-15')
    expect(await follow(page, 'button', 'Lägg till åtgärden')).toBe(200)
    expect(await texts(page, 'h1')).toEqual([`Åtgärd: ${newMeasure}`])
    expect(await texts(page, '.summary-list > div')).toContain(
      `Ursprung Utvecklingsområde i extern granskning: ${areaOrigin}`,
    )

    expect(await follow(page, 'link', areaOrigin)).toBe(200)
    expect(new URL(page.url()).pathname).toBe(areaPath)
    expect((await tableRows(page, '#measures-heading + table')).map((row) => row.slice(0, 5))).toEqual([
      [newMeasure, 'Utbildningsområden', 'Ej påbörjad', '2020', 'Har sitt ursprung här'],
      [linkedMeasure, 'Utbildningsområden', 'Pågående', '2020', `Kopplad Koppla bort åtgärden ${linkedMeasure}`],
    ])
  })

  it('lists the report as coming, beside Perstorp’s sent late, and leads to the inspection with its area', async () => {
    const { page } = e2e
    await openRegister(page)
    expect(await follow(page, 'link', 'Tidsfrister för redovisningar')).toBe(200)
    expect(await texts(page, '.lead')).toEqual([
      `När kommunen senast ska redovisa till myndigheten vad den har gjort, räknat från i dag ${swedishDate(new Date())}.`,
    ])
    const due = await tableRows(page, '[aria-labelledby="due-heading"] table')
    expect(due.find((row) => row[2]?.startsWith(letter.title))?.slice(0, 2)).toEqual([
      letter.reportDeadline,
      `${daysLeft} dagar kvar`,
    ])
    // Perstorp's deadline was 2025-06-06; Skolinspektionen received the report on 2025-06-10.
    const sent = await tableRows(page, '[aria-labelledby="sent-heading"] table')
    expect(sent.find((row) => row[3]?.includes('Perstorps kommun'))?.slice(0, 3)).toEqual([
      '2025-06-10',
      '2025-06-06',
      'Skickad 4 dagar för sent',
    ])
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'link', letter.title)).toBe(200)
    expect(await tableRows(page, 'main table:not(.record-history)')).toEqual([
      [area.heading, 'Inte bedömt ännu', 'Pågående', '2'],
    ])
    expect(await axeViolations(page)).toEqual([])
  })

  it('makes the report to the authority as a PDF, signed by the name and role typed on the inspection’s page', async () => {
    const { page } = e2e
    await openCreated(inspectionPath)
    // A name left out is asked for, and the rest stays as typed.
    await fill(page, 'Namn', '')
    await fill(page, 'Befattning eller roll', 'förvaltningsdirektör')
    expect(await follow(page, 'button', 'Skapa redovisningen (PDF)')).toBe(400)
    expect(await texts(page, '#field-name-error')).toEqual(['Fel: Ange namnet på den som undertecknar redovisningen.'])
    expect(await fieldValue(page, 'Befattning eller roll')).toBe('förvaltningsdirektör')
    expect(await axeViolations(page)).toEqual([])

    await fill(page, 'Namn', 'Anna Andersson')
    // Sent as the button would send it, from the page, so the request carries the secretary's session cookie.
    const answer = await page.evaluate(async () => {
      const form = [...document.forms].find((f) => f.action.endsWith('/redovisning')) as HTMLFormElement
      const query = new URLSearchParams(new FormData(form) as unknown as Record<string, string>)
      const response = await fetch(`${form.action}?${query}`)
      return { status: response.status, type: response.headers.get('content-type'), query: query.toString() }
    })
    expect(answer).toEqual({
      status: 200,
      type: 'application/pdf',
      query: expect.stringMatching(/^name=Anna\+Andersson&role=f%C3%B6rvaltningsdirekt%C3%B6r&email=/),
    })
  })

  it('keeps multi-line signatories as they are when the inspection is saved unchanged', async () => {
    const { page } = e2e
    await openCreated(inspectionPath)
    // Typed afresh, so the stored text is the letter's whatever the registration's failed post kept.
    expect(await follow(page, 'link', 'Redigera granskningen')).toBe(200)
    await fill(page, 'Undertecknare (valfritt)', signatories)
    expect(await follow(page, 'button', 'Spara ändringarna')).toBe(200)

    const shown: string[] = []
    for (let save = 0; save < 2; save++) {
      expect(await follow(page, 'link', 'Redigera granskningen')).toBe(200)
      shown.push(await fieldValue(page, 'Undertecknare (valfritt)'))
      expect(await follow(page, 'button', 'Spara ändringarna')).toBe(200)
    }
    expect(shown).toEqual([signatories, signatories])
  })
})
