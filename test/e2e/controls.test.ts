import { beforeAll, describe, expect, it } from 'vitest'
import { swedishDate } from '../../server/dates.js'
import {
  axeViolations,
  follow,
  itIsAccessible,
  linkPath,
  logIn,
  type Page,
  tableRows,
  texts,
  useBrowser,
} from './browser.js'

const e2e = useBrowser()

// The demo's Förskolenämnden keeps its plan through controls: HR-avdelningen's quarterly check of criminal-record
// extracts has its last occasion of the year unreported whatever the date, and the monthly invoice check found a
// deviation that became a measure.
const hrControl = 'Utdrag ur belastningsregistret vid nyanställning'
const invoiceControl = 'Attest av leverantörsfakturor'

/** Every new page type, found by following the links a secretary would, from the plan list. */
const pages = new Map<string, string>()

beforeAll(async () => {
  const page = await e2e.newPage()
  const from = async (path: string, links: Record<string, string>) => {
    expect(await page.goto(e2e.server.baseUrl + path).then((r) => r?.status())).toBe(200)
    for (const [name, link] of Object.entries(links)) pages.set(name, await linkPath(page, link))
  }
  await page.goto(`${e2e.server.baseUrl}/planer`)
  const plan = await page.$$eval(
    'main section',
    (sections, title) => {
      const section = sections.find((s) => s.querySelector('h2')?.textContent?.startsWith('Förskolenämnden '))
      const link = [...(section?.querySelectorAll('a') ?? [])].find((a) => a.textContent?.trim() === title)
      return link ? new URL(link.href).pathname : ''
    },
    `Internkontrollplan ${swedishDate(new Date()).slice(0, 4)}`,
  )
  await from(plan, { 'control list': '6 kontrollmoment med tillfällen och trafikljus' })
  await from(pages.get('control list') ?? '', {
    'new-control form': 'Nytt kontrollmoment',
    'control page': invoiceControl,
    'hr control page': hrControl,
  })
  await from(pages.get('control page') ?? '', {
    'control edit form': 'Redigera kontrollmomentet',
    'control delete confirmation': 'Ta bort kontrollmomentet',
    'move-date form': 'Flytta datum för tillfälle 12',
  })
  // The occasion whose check found the deviation, and what was made of it.
  const found = await page.$$eval('.control-deviations a', (links) => (links[0] as HTMLAnchorElement).pathname)
  pages.set('run page', found)
  await from(found, {
    'run report form': 'Redigera rapporten',
    'new-deviation form': 'Ny avvikelse',
  })
  const deviationLinks = await page.$$eval('main table a', (links) =>
    links.map((a) => ({ text: a.textContent?.trim() ?? '', path: new URL((a as HTMLAnchorElement).href).pathname })),
  )
  pages.set('deviation edit form', deviationLinks.find((l) => l.text.startsWith('Redigera'))?.path ?? '')
  pages.set('deviation delete confirmation', deviationLinks.find((l) => l.text.startsWith('Ta bort'))?.path ?? '')
  pages.set('measure from a deviation', deviationLinks.find((l) => !l.path.includes('/kontroller/'))?.path ?? '')
  await page.close()
})

const pageTypes = [
  'control list',
  'new-control form',
  'control page',
  'control edit form',
  'control delete confirmation',
  'move-date form',
  'run page',
  'run report form',
  'new-deviation form',
  'deviation edit form',
  'deviation delete confirmation',
  'measure from a deviation',
]

describe('control pages, checked with axe-core', () => {
  itIsAccessible(e2e, pages, pageTypes)

  it('a report sent back with errors has no violations and names each error', async () => {
    const { page } = e2e
    expect(await e2e.open(`${pages.get('hr control page')}`)).toBe(200)
    const unreported = await page.$$eval('.control-runs tbody tr', (rows) =>
      rows
        .filter((row) => !row.textContent?.includes('genomförd'))
        .map((row) => (row.querySelector('a') as HTMLAnchorElement).pathname),
    )
    expect(await e2e.open(`${unreported.at(-1)}/rapportera`)).toBe(200)
    expect(await follow(page, 'button', 'Spara rapporten')).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual([
      'Välj resultatet av kontrollen.',
      'Ange vilket datum kontrollen genomfördes.',
    ])
    expect(await axeViolations(page)).toEqual([])
  })
})

const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLInputElement | null
    return { tag: element?.tagName, name: element?.name, type: element?.type, text: element?.textContent?.trim() }
  })

/** Presses Tab until the focused element is the one asked for; fails after many presses. */
async function tabTo(page: Page, wanted: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string) {
  for (let presses = 0; presses < 60; presses++) {
    if (wanted(await focused(page))) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${what} on ${page.url()}`)
}

/** Types an ISO date into a focused date field the way a person does: its segments in the browser's order. */
async function typeDate(page: Page, iso: string) {
  const [year, month, day] = iso.split('-') as [string, string, string]
  const order = await page.evaluate(() =>
    new Intl.DateTimeFormat(navigator.language)
      .formatToParts(new Date(2001, 1, 3))
      .map((p) => p.type)
      .filter((t) => t === 'year' || t === 'month' || t === 'day'),
  )
  for (const part of order) await page.keyboard.type({ year, month, day }[part as 'year' | 'month' | 'day'])
}

const pressAndWait = async (page: Page, key: 'Enter' | 'Space') =>
  (await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]))[0]?.status()

describe('an owner reporting a run', () => {
  it('reports the run of their unit’s control with the keyboard only, and the control page shows it', async () => {
    await e2e.inOwnBrowser(async (page) => {
      await logIn(page, e2e.server.baseUrl, 'hr')
      // The start page lists the owner's controls; it is accessible with them.
      expect(await texts(page, 'main h2')).toContain('Mina kontroller')
      expect(await axeViolations(page)).toEqual([])

      expect((await page.goto(e2e.server.baseUrl + pages.get('hr control page')))?.status()).toBe(200)
      const last = (await tableRows(page, '.control-runs')).at(-1) ?? []
      expect(last[2]).toBe('Ej rapporterat')
      // From the occasion's link to its report form, by keyboard.
      await tabTo(page, (f) => f.tag === 'A' && f.text === last[0], `the link ${last[0]}`)
      expect(await pressAndWait(page, 'Enter')).toBe(200)
      await tabTo(page, (f) => f.tag === 'A' && f.text === 'Rapportera', 'Rapportera')
      expect(await pressAndWait(page, 'Enter')).toBe(200)
      expect(await axeViolations(page)).toEqual([])

      // The result: the first choice with Space.
      await tabTo(page, (f) => f.name === 'result', 'the result')
      await page.keyboard.press('Space')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toMatchObject({ name: 'performed_on', type: 'date' })
      await typeDate(page, swedishDate(new Date()))
      expect(await page.$eval('#field-performed_on', (input) => (input as HTMLInputElement).value)).toBe(
        swedishDate(new Date()),
      )
      // Tab moves through the date's segments before it leaves the field.
      await tabTo(page, (f) => f.name === 'performed_by', 'Utförd av')
      await page.keyboard.press('Tab')
      await page.keyboard.type('Nyanställningar oktober–december')
      await page.keyboard.press('Tab')
      await page.keyboard.type('12')
      await page.keyboard.press('Tab')
      await page.keyboard.type('6')
      // The sampling group: from "Inte angivet" to Slumpmässigt with an arrow key.
      await page.keyboard.press('Tab')
      expect(await focused(page)).toMatchObject({ name: 'sampling' })
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('Tab')
      await page.keyboard.type('6')
      await page.keyboard.press('Tab')
      await page.keyboard.type('0')
      await page.keyboard.press('Tab')
      expect(await focused(page)).toMatchObject({ name: 'comment' })
      await page.keyboard.type('Alla sex hade utdrag som visats före anställningen.')
      await tabTo(page, (f) => f.tag === 'BUTTON', 'the submit button')
      expect(await focused(page)).toMatchObject({ text: 'Spara rapporten' })
      expect(await pressAndWait(page, 'Enter')).toBe(200)

      expect(await texts(page, 'main [role="status"]')).toEqual(['Rapporten är sparad.'])
      const shown = (await texts(page, 'main dl div')).join('\n')
      expect(shown).toContain('Status Utan anmärkning')
      expect(shown).toContain('Population Nyanställningar oktober–december')
      expect(shown).toContain('Populationens storlek 12')
      expect(shown).toContain('Stickprovets storlek 6')
      expect(shown).toContain('Urval Slumpmässigt')
      expect(shown).toContain('Antal med avvikelser 0')
      expect(await texts(page, 'main .prose')).toEqual(['Alla sex hade utdrag som visats före anställningen.'])
      expect(await axeViolations(page)).toEqual([])
    })
  })
})
