import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { demoPlan, demoRiskHeadings } from '../helpers/builders.js'
import { busyPrinter } from '../helpers/busy-printer.js'
import { createTestApp } from '../helpers/test-app.js'
import { axeViolations, fill, follow, linkPath, logIn, type Page, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

async function openReport(page: Page) {
  expect((await page.goto(`${e2e.server.baseUrl}/planer`))?.status()).toBe(200)
  expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
  expect(await follow(page, 'link', 'Uppföljningsrapport')).toBe(200)
  expect(new URL(page.url()).pathname).toMatch(/^\/planer\/\d+\/rapport$/)
}

/** The secretary's report page in a browser of its own that saves downloads in a folder, removed afterwards. */
async function withDownloads(test: (page: Page, downloads: string) => Promise<void>) {
  const downloads = await mkdtemp(join(tmpdir(), 'ik-downloads-'))
  const context = await e2e.browser.createBrowserContext({
    downloadBehavior: { policy: 'allow', downloadPath: downloads },
  })
  try {
    const page = await context.newPage()
    await page.setCacheEnabled(false)
    await logIn(page, e2e.server.baseUrl, 'sekreterare')
    await openReport(page)
    await test(page, downloads)
  } finally {
    await context.close()
    await rm(downloads, { recursive: true, force: true })
  }
}

/** Fetches a path from inside the page, with its cookies, as a click on a download link would. */
function fetchInPage(page: Page, path: string) {
  return page.evaluate(async (url) => {
    const answer = await fetch(url)
    const bytes = new Uint8Array(await answer.arrayBuffer())
    return {
      status: answer.status,
      type: answer.headers.get('content-type'),
      disposition: answer.headers.get('content-disposition'),
      start: String.fromCharCode(...bytes.subarray(0, 5)),
      size: bytes.length,
    }
  }, path)
}

describe('the follow-up report, used in a browser', () => {
  it('previews the report without accessibility violations, and marks it final', async () => {
    const { page } = e2e
    await openReport(page)
    expect(await texts(page, '.report-cover__title')).toEqual(['Uppföljning förbättringsåtgärder 2020'])
    expect(await texts(page, '.report-toc h2')).toEqual(['Innehållsförteckning'])
    expect(await texts(page, '.report-risk h3')).toEqual(demoRiskHeadings)
    expect(await texts(page, '.report-toolbar p')).toContain('Rapporten har inte fastställts ännu.')
    expect(await axeViolations(page)).toEqual([])

    const name = 'Anna Andersson, nämndsekreterare'
    await fill(page, 'Fastställd av', name)
    expect(await follow(page, 'button', 'Fastställ och spara PDF')).toBe(200)
    expect(new URL(page.url()).hash).toBe('#versions-heading')
    const rows = await tableRows(page, '.report-toolbar table')
    expect(rows).toHaveLength(1)
    const [version, madeAt, by, size, hash, link] = rows[0] as string[]
    expect([version, by, link]).toEqual(['1', name, 'Ladda ner version 1'])
    expect(madeAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(size).toMatch(/^\d+ kB$/)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await texts(page, '.report-toolbar p')).not.toContain('Rapporten har inte fastställts ännu.')

    // The stored file is the one the table describes.
    const cookie = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    const stored = await fetch(e2e.server.baseUrl + (await linkPath(page, 'Ladda ner version 1')), {
      headers: { cookie },
    })
    expect(stored.status).toBe(200)
    expect(stored.headers.get('content-type')).toMatch(/^application\/pdf/)
    const bytes = Buffer.from(await stored.arrayBuffer())
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash)
  })

  it('downloads the draft PDF from the "Ladda ner PDF" link', async () => {
    const { page } = e2e
    await openReport(page)
    const href = await linkPath(page, 'Ladda ner PDF')
    expect(href).toBe(`${new URL(page.url()).pathname}/pdf`)
    const answer = await fetchInPage(page, href)
    expect(answer.status).toBe(200)
    expect(answer.type).toMatch(/^application\/pdf/)
    expect(answer.disposition).toMatch(/^attachment;/)
    expect(answer.start).toBe('%PDF-')
    expect(answer.size).toBeGreaterThan(10_000)
  })

  it('shows the Swedish explanation when the PDF cannot be made right now', async () => {
    const { page } = e2e
    const unavailable = await unavailablePage()
    await openReport(page)
    // The e2e server's Chromium works, so its answer is replaced by what the app answers when Chromium is missing.
    await page.setRequestInterception(true)
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/rapport/pdf')) void request.respond(unavailable)
      else void request.continue()
    })
    const navigation = page.waitForNavigation({ timeout: 5_000 }).catch(() => null)
    await page.locator('::-p-aria([name="Ladda ner PDF"][role="link"])').click()
    const response = await navigation
    expect(response?.status(), 'clicking "Ladda ner PDF" should show the page that explains the 503').toBe(503)
    expect(await texts(page, 'h1')).toEqual(['Det gick inte att skapa PDF-filen just nu'])
    expect((await texts(page, 'main p'))[0]).toContain('webbläsaren som skapar PDF-filer inte kunde startas')
  })
})

describe('while a PDF is being made', () => {
  const pdfLink = 'a[href$="/rapport/pdf"]'
  const finalButton = 'form[action$="/rapport/faststall"] button[type="submit"]'

  const busy = { busy: 'true', text: 'Skapar PDF…', note: 'Skapar PDF-filen. Det tar några sekunder.', spinner: true }

  /**
   * Every state the control goes through from now on (busy or not, its text, the page's status message), as a
   * user would see them; recorded in the page as they happen, so however fast the PDF is made none is missed.
   */
  async function recordStates(page: Page, selector: string) {
    const states: unknown[] = []
    await page.exposeFunction('recordState', (state: unknown) => states.push(state))
    await page.$eval(selector, (control) => {
      const note = document.querySelector('[role="status"]')
      const record = () =>
        (window as unknown as { recordState: (state: unknown) => void }).recordState({
          busy: control.getAttribute('aria-busy'),
          text: control.textContent,
          note: note?.textContent,
          spinner: control.classList.contains('is-busy'),
        })
      new MutationObserver(record).observe(control, { attributes: true, childList: true, characterData: true })
    })
    return states
  }

  /** How many requests the page has made for paths ending in `suffix`. */
  function countRequests(page: Page, suffix: string) {
    let count = 0
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith(suffix)) count++
    })
    return () => count
  }

  it('the PDF link says so until the download has arrived, and clicks meanwhile make no second PDF', async () => {
    await withDownloads(async (page, downloads) => {
      const pdfRequests = countRequests(page, '/rapport/pdf')
      const states = await recordStates(page, pdfLink)
      const idle = { busy: null, text: 'Ladda ner PDF', note: '', spinner: false }

      await page.click(pdfLink)
      await expect.poll(() => states, { timeout: 30_000 }).toEqual([busy, idle])
      const name = 'Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden (utkast).pdf'
      await expect.poll(() => readdir(downloads), { timeout: 10_000 }).toEqual([name])
      expect((await readFile(join(downloads, name))).subarray(0, 5).toString('latin1')).toBe('%PDF-')
      expect(pdfRequests()).toBe(1)

      await page.$eval(pdfLink, (link) => {
        for (const _ of [1, 2, 3]) (link as HTMLAnchorElement).click()
      })
      await expect.poll(() => states, { timeout: 30_000 }).toEqual([busy, idle, busy, idle])
      expect(pdfRequests()).toBe(2)
    })
  })

  it('the Fastställ button says so until the final version is stored and listed, and sends it once', async () => {
    const { page } = e2e
    await openReport(page)
    const before = await tableRows(page, '.report-toolbar table')
    const name = 'Bo Berg, IK-samordnare'
    await fill(page, 'Fastställd av', name)
    const posts = countRequests(page, '/rapport/faststall')
    const states = await recordStates(page, finalButton)
    const navigation = page.waitForNavigation()
    await page.$eval(finalButton, (button) => {
      for (const _ of [1, 2]) (button as HTMLButtonElement).click()
    })
    expect((await navigation)?.status()).toBe(200)
    expect(states).toEqual([busy])
    expect(posts()).toBe(1)
    const rows = await tableRows(page, '.report-toolbar table')
    expect(rows).toHaveLength(before.length + 1)
    const [version, , by] = rows[0] as string[]
    expect([version, by]).toEqual([String(before.length + 1), name])
    expect(await texts(page, finalButton)).toEqual(['Fastställ och spara PDF'])
  })
})

describe('when the PDF printer is busy', () => {
  /**
   * Clicks "Ladda ner PDF"; its first request finds the printer busy, as the app answers then, and the page's
   * own retries reach the server. Returns how many PDF requests the page has made.
   */
  async function clickIntoBusyPage(page: Page) {
    const busyPage = await printerBusyPage()
    const pdfPath = await linkPath(page, 'Ladda ner PDF')
    let requests = 0
    await page.setRequestInterception(true)
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === pdfPath && requests++ === 0) {
        void request.respond({ ...busyPage, body: busyPage.body.replaceAll(busyPage.path, pdfPath) })
      } else void request.continue()
    })
    const navigation = page.waitForNavigation()
    await page.locator('::-p-aria([name="Ladda ner PDF"][role="link"])').click()
    expect((await navigation)?.status()).toBe(503)
    expect(await texts(page, 'h1')).toEqual(['PDF-filen skapas strax'])
    expect(await linkPath(page, 'Tillbaka till rapporten')).toBe(pdfPath.replace(/\/pdf$/, ''))
    return () => requests
  }

  const status = (page: Page) => texts(page, '[role="status"]')
  const stopShown = (page: Page) => page.$eval('button[data-retry-stop]', (button) => button.checkVisibility())
  const busyControls = (page: Page) => page.$$eval('[aria-busy="true"]', (busy) => busy.length)

  it('the PDF link leads to a page that tries again by itself, and says when the download has arrived', async () => {
    await withDownloads(async (page, downloads) => {
      const requests = await clickIntoBusyPage(page)
      expect(await status(page)).toEqual(['Sidan försöker igen av sig själv om 10 sekunder.'])
      expect(await busyControls(page)).toBe(0)
      expect(await stopShown(page)).toBe(true)
      expect(await axeViolations(page)).toEqual([])

      // Without a click the page asks again, says it is making the PDF, and ends that once the download is there.
      await expect.poll(() => status(page), { timeout: 30_000 }).toEqual(['PDF-filen är klar och har laddats ner.'])
      expect(requests()).toBe(2)
      expect(await stopShown(page)).toBe(false)
      expect(await busyControls(page)).toBe(0)
      expect(await texts(page, 'a[data-retry-after]')).toEqual(['Försök igen nu'])
      await expect.poll(() => readdir(downloads), { timeout: 10_000 }).toHaveLength(1)
    })
  })

  it('stops trying by itself when asked, and leaves the focus on "Försök igen nu"', async () => {
    await withDownloads(async (page) => {
      const requests = await clickIntoBusyPage(page)
      await page.locator('::-p-aria([name="Sluta försöka igen av sig själv"][role="button"])').click()
      expect(await status(page)).toEqual(['Försöker inte igen av sig själv. Välj Försök igen nu när du vill.'])
      expect(await stopShown(page)).toBe(false)
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Försök igen nu')
      // Past the seconds the page named, it has not asked again.
      await new Promise((resolve) => setTimeout(resolve, 11_000))
      expect(requests()).toBe(1)
    })
  })
})

/** The app's real answer to a draft-PDF request when Chromium cannot be started. */
async function unavailablePage() {
  const missing = new PdfPrinter({ executablePath: '/nonexistent/chromium' })
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    const app = await createTestApp({ pdf: missing })
    const { planId } = await demoPlan(app.db)
    const answer = await app.agent.get(`/planer/${planId}/rapport/pdf`).expect(503)
    await app.db.destroy()
    return { status: 503, contentType: String(answer.headers['content-type']), body: answer.text }
  } finally {
    logged.mockRestore()
    await missing.close()
  }
}

/** The app's real answer to a draft-PDF request while its printer is busy with another PDF, and the path asked for. */
async function printerBusyPage() {
  const busy = busyPrinter()
  try {
    const app = await createTestApp({ pdf: busy.printer })
    const { planId } = await demoPlan(app.db)
    const path = `/planer/${planId}/rapport/pdf`
    const held = busy.hold()
    const answer = await app.agent.get(path).expect(503)
    await held
    await app.db.destroy()
    return { path, status: 503, contentType: String(answer.headers['content-type']), body: answer.text }
  } finally {
    await busy.printer.close()
  }
}
