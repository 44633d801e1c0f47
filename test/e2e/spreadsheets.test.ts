import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoRiskHeadings } from '../helpers/builders.js'
import { generatedPlanRows } from '../helpers/spreadsheets.js'
import { axeViolations, choose, fill, follow, linkPath, type Page, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()
let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ik-import-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Chooses a file in the upload form, as a user would in the file dialog. */
async function chooseFile(page: Page, name: string, bytes: Uint8Array) {
  const path = join(dir, name)
  await writeFile(path, bytes)
  const input = await page.$('input[type="file"]')
  if (!input) throw new Error('No file field')
  await input.uploadFile(path)
}

async function startImport(page: Page, year: string) {
  expect(await e2e.open('/planer')).toBe(200)
  expect(await follow(page, 'link', 'Importera plan från Excel')).toBe(200)
  expect(await texts(page, 'h1')).toEqual(['Importera plan från Excel'])
  // The secretary keeps both demo committees; the sheets are Grundskolenämnden's, with its units.
  await choose(page, 'Nämnd', 'Grundskolenämnden (Malmö stad)')
  await fill(page, 'År', year)
  await fill(page, 'Rubrik', `Importerad plan ${year}`)
}

describe('importing a plan in a browser', () => {
  it('exports the demo plan to Excel and imports it as a new plan, through upload, columns and preview', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer')).toBe(200)
    expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
    const exportPath = await linkPath(page, 'Exportera till Excel')
    const exported = await page.evaluate(async (path) => {
      const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer())
      return Array.from(bytes)
    }, exportPath)

    await startImport(page, '2021')
    expect(await axeViolations(page)).toEqual([])
    // Sent without a file: the message, and the year and title still there.
    expect(await follow(page, 'button', 'Läs in filen')).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual(['Välj en Excel-fil (.xlsx) eller CSV-fil att importera.'])
    expect(await page.$eval('#field-title', (i) => (i as HTMLInputElement).value)).toBe('Importerad plan 2021')
    expect(await axeViolations(page)).toEqual([])

    await chooseFile(page, 'plan.xlsx', Uint8Array.from(exported))
    expect(await follow(page, 'button', 'Läs in filen')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Importera plan: kolumner'])
    expect(await texts(page, '.import-steps [aria-current="step"]')).toEqual(['Kolumner'])
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'button', 'Fortsätt till kontroll')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Importera plan: kontrollera'])
    expect(await texts(page, '.summary-list dd')).toContain('6 risker, 12 åtgärder, 8 granskningar')
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'button', 'Importera')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Importerad plan 2021'])
    expect(await texts(page, 'article.risk h3')).toEqual(demoRiskHeadings)
    expect(await tableRows(page, 'article.risk table')).toHaveLength(12)
  })

  it('lists the problems of a sheet, creates a missing unit and leaves out rows with errors, saying it is importing', async () => {
    const { page } = e2e
    await startImport(page, '2022')
    const due = `${new Date().getFullYear() + 1}-05-31`
    const sheet = [
      'Risk;Åtgärd;Ansvarig;Status;Klart senast',
      `Röjande av sekretess;Loggkontroll;HR-avdelningen;Pågående;${due}`,
      'Röjande av sekretess;Utbildning;Ekonomiavdelningen;Klar;2022-06-30',
      'Felaktiga utbetalningar;Attest i två steg;Ekonomiavdelningen;Ej påbörjad;30/6',
    ].join('\r\n')
    await chooseFile(page, 'plan.csv', new TextEncoder().encode(sheet))
    expect(await follow(page, 'button', 'Läs in filen')).toBe(200)
    expect(await follow(page, 'button', 'Fortsätt till kontroll')).toBe(200)
    expect(await tableRows(page, '.import-problems')).toEqual([
      [
        'Okänd ansvarig enhet ”Ekonomiavdelningen” Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen',
        '2 rader: 3–4',
        'C (Ansvarig)',
      ],
      [
        'Okänd status ”Klar”. Ange Ej påbörjad, Pågående, Delvis genomförd, Genomförd, Genomförd – fortsatt arbete eller Avbruten.',
        'rad 3',
        'D (Status)',
      ],
      ['Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.', 'rad 4', 'E (Klart senast)'],
    ])
    expect(await axeViolations(page)).toEqual([])

    // Importing with the problems left: refused, with the page's message.
    expect(await follow(page, 'button', 'Importera')).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual([
      'Filen har fel på 2 rader. Rätta dem i filen och ladda upp den igen, eller välj att utelämna raderna med fel.',
    ])
    expect(await axeViolations(page)).toEqual([])

    await page.locator('::-p-text(Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen)').click()
    await page.click('label[for="field-skipErrors"]')
    // Stop the first submit after the page's own handler has run, to see the button as the import runs.
    await page.$eval('form[data-busy] .actions button[type=submit]', (button) =>
      (button as HTMLButtonElement).form?.addEventListener('submit', (event) => event.preventDefault(), { once: true }),
    )
    await page.click('form[data-busy] .actions button[type=submit]')
    expect(await texts(page, 'form[data-busy] .actions button[type=submit]')).toEqual(['Importerar…'])
    expect(await page.$eval('form[data-busy] .actions button[type=submit]', (b) => b.getAttribute('aria-busy'))).toBe(
      'true',
    )
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.$eval('form[data-busy] .actions button[type=submit]', (button) =>
        (button as HTMLButtonElement).form?.submit(),
      ),
    ])
    expect(response?.status()).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Importerad plan 2022'])
    expect(await tableRows(page, 'article.risk table')).toEqual([['Loggkontroll', 'HR-avdelningen', 'Pågående', due]])
  })

  it('keeps a 300-row sheet with an unknown unit on 75 rows usable: each problem once, the remedy beside it, counts that follow it', async () => {
    const { page } = e2e
    await startImport(page, '2023')
    const csv = generatedPlanRows()
      .map((row) => row.join(';'))
      .join('\r\n')
    await chooseFile(page, 'stor plan.csv', new TextEncoder().encode(csv))
    expect(await follow(page, 'button', 'Läs in filen')).toBe(200)
    expect(await follow(page, 'button', 'Fortsätt till kontroll')).toBe(200)
    expect((await tableRows(page, '.import-problems')).map((row) => row.slice(1))).toEqual([
      ['75 rader: 3–77', 'F (Ansvarig)'],
      ['3 rader: 100–101, 150', 'G (Status)'],
    ])
    expect(await texts(page, '#csv-limits strong')).toEqual(['En CSV-fil har bara en tabell: risker och åtgärder.'])
    expect(await texts(page, '.summary-list dd')).toContain(
      '31 risker, 222 åtgärder, 0 granskningar – utan 78 rader med fel',
    )
    // The remedy is beside its problem, near the top, not under 300 rows.
    const remedy = await page.$eval('.import-problems input[name="createUnits"]', (e) => e.getBoundingClientRect().top)
    expect(remedy).toBeLessThan(1000)
    expect(await axeViolations(page)).toEqual([])

    await page.locator('::-p-text(Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen)').click()
    expect(await follow(page, 'button', 'Räkna om med valda enheter')).toBe(200)
    expect(await texts(page, '.summary-list dd')).toContain(
      '40 risker, 297 åtgärder, 0 granskningar och 1 ny ansvarig enhet – utan 3 rader med fel',
    )
    await page.click('label[for="field-skipErrors"]')
    expect(await follow(page, 'button', 'Importera')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Importerad plan 2023'])
    expect(await page.$$('article.risk')).toHaveLength(40)
    expect(await tableRows(page, 'article.risk table')).toHaveLength(297)
  })
})
