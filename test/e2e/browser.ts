import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AxeResults } from 'axe-core'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
import { demoPassword } from '../../db/seed/demo.js'
import { chromiumArgs } from '../../reports/render-pdf.js'
import { type RunningServer, startServer } from './server.js'

export type { Page }

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  })
}

export interface E2e {
  server: RunningServer
  browser: Browser
  /** The current test's tab. */
  page: Page
  /** A new tab that always asks the server (a page seen before would otherwise answer 304 Not Modified). */
  newPage(): Promise<Page>
  /** Opens a path of the server in the test's tab and returns the HTTP status it answered with. */
  open(path: string): Promise<number | undefined>
  /** Runs `use` in a tab of a browser of its own, signed in as nobody (the shared one is the secretary's). */
  inOwnBrowser(use: (page: Page) => Promise<void>): Promise<void>
}

/**
 * Registers the hooks of an end-to-end test file: one real server and one Chromium for the file,
 * and a fresh tab for every test. The returned object is filled in before the first test runs.
 */
export function useBrowser(): E2e {
  const e2e = {
    async newPage() {
      const page = await e2e.browser.newPage()
      await page.setCacheEnabled(false)
      return page
    },
    async open(path: string) {
      return (await e2e.page.goto(e2e.server.baseUrl + path))?.status()
    },
    async inOwnBrowser(use: (page: Page) => Promise<void>) {
      const context = await e2e.browser.createBrowserContext()
      try {
        await use(await context.newPage())
      } finally {
        await context.close()
      }
    },
  } as E2e
  beforeAll(async () => {
    const [server, browser] = await Promise.allSettled([startServer(), launchBrowser()])
    if (server.status === 'fulfilled') e2e.server = server.value
    if (browser.status === 'fulfilled') e2e.browser = browser.value
    for (const started of [server, browser]) if (started.status === 'rejected') throw started.reason
    // Every tab of the browser shares the cookies: log in once, as the committee's secretary.
    const page = await e2e.newPage()
    await logIn(page, e2e.server.baseUrl, 'sekreterare')
    await page.close()
  })
  afterAll(async () => {
    await e2e.browser?.close()
    await e2e.server?.stop()
  })
  beforeEach(async () => {
    e2e.page = await e2e.newPage()
  })
  afterEach(async () => {
    await e2e.page?.close()
  })
  return e2e
}

const aria = (role: 'link' | 'button', name: string) =>
  `::-p-aria([name="${name.replaceAll('"', '\\"')}"][role="${role}"])`

/** Clicks the link or button with this accessible name and waits for the page it leads to; returns its status. */
export async function follow(page: Page, role: 'link' | 'button', name: string): Promise<number | undefined> {
  const [response] = await Promise.all([page.waitForNavigation(), page.locator(aria(role, name)).click()])
  return response?.status()
}

/** Where the link with this accessible name leads, as a path. */
export async function linkPath(page: Page, name: string): Promise<string> {
  const link = await page.waitForSelector(aria('link', name), { timeout: 2_000 })
  if (!link) throw new Error(`No link "${name}" on ${page.url()}`)
  const href = await link.evaluate((a) => (a as HTMLAnchorElement).href)
  return new URL(href).pathname + new URL(href).search
}

/** The `#id` of the field whose <label> reads exactly `label`. */
async function fieldSelector(page: Page, label: string): Promise<string> {
  const id = await page.$$eval(
    'label',
    (labels, text) => labels.find((l) => l.textContent?.trim() === text)?.htmlFor,
    label,
  )
  if (!id) throw new Error(`No field labelled "${label}" on ${page.url()}`)
  return `#${id}`
}

/**
 * Replaces the text of the field labelled `label` by typing `value`. A date field is typed in segments ordered by the
 * browser's locale, so it is given its ISO value as its date picker would, with the events a choice fires.
 */
export async function fill(page: Page, label: string, value: string): Promise<void> {
  const selector = await fieldSelector(page, label)
  if (await page.$eval(selector, (field) => (field as HTMLInputElement).type === 'date')) {
    const held = await page.$eval(
      selector,
      (field, iso) => {
        const input = field as HTMLInputElement
        input.value = iso
        input.dispatchEvent(new Event('input', { bubbles: true }))
        input.dispatchEvent(new Event('change', { bubbles: true }))
        return input.value
      },
      value,
    )
    // A date field drops what is not a real date (2026-11-31): say so here rather than at the server.
    if (held !== value) throw new Error(`The date field "${label}" cannot hold "${value}"`)
    return
  }
  await page.locator(selector).fill('')
  await page.type(selector, value)
}

/** Picks the option whose text is `option` in the select labelled `label`. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  const selector = await fieldSelector(page, label)
  const value = await page.$eval(
    selector,
    (select, text) => [...(select as HTMLSelectElement).options].find((o) => o.text.trim() === text)?.value,
    option,
  )
  if (value === undefined) throw new Error(`No option "${option}" in the field "${label}"`)
  await page.select(selector, value)
}

/** What the field labelled `label` holds: its text, or for a select the text of the chosen option. */
export async function fieldValue(page: Page, label: string): Promise<string> {
  return page.$eval(await fieldSelector(page, label), (field) =>
    field instanceof HTMLSelectElement
      ? (field.selectedOptions[0]?.text.trim() ?? '')
      : (field as HTMLInputElement | HTMLTextAreaElement).value,
  )
}

/** The visible text of every element matching `selector`, whitespace collapsed. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) =>
    // innerText, not textContent: the text as rendered, so <dt>Status</dt><dd>Pågående</dd> reads "Status Pågående".
    elements.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
  )
}

/** The rows of the tables matching `table` (tbody only), each as the text of its cells, whitespace collapsed. */
export function tableRows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`${table} tbody tr`, (rows) =>
    rows.map((row) => [...row.cells].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())),
  )
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const wcag21aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** axe-core's WCAG 2.1 A/AA violations on the page, one line each with the elements at fault. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated over DevTools, so the page's Content-Security-Policy does not block it.
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async (tags) => {
    const { axe } = window as unknown as { axe: typeof import('axe-core') }
    const results: AxeResults = await axe.run(document, { runOnly: { type: 'tag', values: tags } })
    return results.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }))
  }, wcag21aa)
  return violations.map((v) => `${v.id} (${v.help}): ${v.targets.join(', ')}`)
}

/** Logs the browser in with the login form as one of the demo accounts (sekreterare, hr, utbildning, lasare, admin). */
export async function logIn(page: Page, baseUrl: string, account: string): Promise<void> {
  await page.goto(`${baseUrl}/logga-in`)
  await page.type('#field-email', `${account}@demo.internkontroll.se`)
  await page.type('#field-password', demoPassword)
  await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')])
  if (new URL(page.url()).pathname === '/logga-in') throw new Error(`Could not log in as ${account}`)
}

/** The widths the pages are checked at: a desktop, and 320 CSS px, a phone or 1280 px at 400 % zoom (WCAG 1.4.10). */
export const desktop = { width: 1280, height: 800 }
export const phone = { width: 320, height: 640 }

/**
 * What keeps the page from reflowing at its width (WCAG 1.4.10): the page scrolling sideways, or a header link
 * that lies off screen or outside the header (where it reads white on white). Opens the header's menu first
 * when it is folded behind its button.
 */
export async function reflowProblems(page: Page): Promise<string[]> {
  const toggle = await page.$('.site-header__toggle[aria-expanded="false"]')
  if (toggle && (await toggle.isVisible())) await toggle.click()
  return page.evaluate(() => {
    const problems: string[] = []
    const width = document.documentElement.clientWidth
    const pageWidth = document.documentElement.scrollWidth
    if (pageWidth > width) problems.push(`the page is ${pageWidth} px wide`)
    const header = document.querySelector('.site-header')?.getBoundingClientRect()
    for (const link of document.querySelectorAll<HTMLElement>('.site-header a, .site-header button')) {
      // The menu's button is for narrow screens only.
      if (link.matches('.site-header__toggle') && !link.checkVisibility()) continue
      const box = link.getBoundingClientRect()
      const inside = header && box.left >= header.left && box.right <= header.right && box.bottom <= header.bottom
      if (!link.checkVisibility() || box.left < 0 || box.right > width || !inside)
        problems.push(`the header link "${link.textContent?.trim()}" is off screen`)
    }
    return problems
  })
}

/** Opens the address at the desktop's width and at the phone's: it answers `status`, axe finds nothing at either, and it reflows at 320 px. */
export async function expectAccessible(page: Page, url: string, status = 200): Promise<void> {
  for (const viewport of [desktop, phone]) {
    await page.setViewport(viewport)
    expect((await page.goto(url))?.status()).toBe(status)
    expect(await axeViolations(page)).toEqual([])
    if (viewport === phone) expect(await reflowProblems(page)).toEqual([])
  }
}

/**
 * One test per page type: the address found for it before the tests ran (`pages`, by following a user's links)
 * passes expectAccessible. A page type no link led to fails its test.
 */
export function itIsAccessible(e2e: E2e, pages: ReadonlyMap<string, string>, pageTypes: readonly string[]): void {
  it.each(pageTypes)('the %s has no violations, and at 320 px none and no sideways scrolling', async (pageType) => {
    const path = pages.get(pageType)
    if (!path) throw new Error(`No link led to the ${pageType}`)
    await expectAccessible(e2e.page, e2e.server.baseUrl + path)
  })
}
