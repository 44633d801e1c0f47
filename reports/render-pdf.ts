import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { ServiceUnavailableError } from '../server/errors.js'
import {
  appendUpdate,
  type DocumentInfo,
  loadPdf,
  namedDestinationPages,
  repairOutlineTitles,
  setDocumentInfo,
} from './pdf-document.js'

/** Page number of each heading the table of contents points at, keyed by its id. */
export type PageMap = Record<string, number>

// The only file that knows Puppeteer. One Chromium lives as long as the server and prints every report.

/** Flags for a headless Chromium on a closed network (also used by the end-to-end tests). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Print lays text out unhinted; the screen layout that predicts page numbers must measure text the same way.
  '--font-render-hinting=none',
]

// The printed page's content box in CSS px. Chromium lays a printed A4 page out as 794 × 1122⅔ px (its width
// rounded up to whole pixels, its height to whole points; found by comparing the print with the columns), less
// the page margins of views/assets/report.css (20 mm each side, 20 mm top, 22 mm bottom). With the exact
// 210 × 297 mm a line or a block that just fits on paper moves on the screen, and every page number after it is
// one off. The width is rounded to Chromium's layout unit (1/64 px) so that column n starts at exactly n × width:
// otherwise the error reaches a pixel around page 250.
const mm = 96 / 25.4
const contentWidth = Math.floor((794 - 40 * mm) * 64) / 64
const contentHeight = (842 * 96) / 72 - 42 * mm

export interface PdfPrinterOptions {
  executablePath: string
  /** Jobs printed at the same time; more wait in line. */
  concurrency?: number
  /** Jobs allowed to wait; past that a request is turned away at once with a "busy" message. */
  queueLimit?: number
  /** Longest time a job waits for its turn before it is turned away with the "busy" message. */
  waitMs?: number
  /** Longest time one PDF may take, all prints included; past it the browser is restarted. */
  timeoutMs?: number
}

export class PdfPrinter {
  private browser: Promise<Browser> | null = null
  private running = 0
  private readonly waiting: (() => void)[] = []
  private readonly concurrency: number
  private readonly queueLimit: number
  private readonly waitMs: number
  private readonly timeoutMs: number

  // Two at a time on a 2-core server: measured with the demo report, 1 to 4 at a time all print about three
  // per second, and more at once only makes each slower. A request rather waits its turn (a burst of 24 is
  // printed within some ten seconds) than is sent away; waiting is bounded in time, and the line in memory.
  constructor(private readonly options: PdfPrinterOptions) {
    this.concurrency = options.concurrency ?? 2
    this.queueLimit = options.queueLimit ?? 32
    this.waitMs = options.waitMs ?? 30_000
    this.timeoutMs = options.timeoutMs ?? 60_000
  }

  /**
   * Prints a document whose table of contents must show the pages its headings land on: each element
   * `data-page-of="id"` gets the page number of the element `id`. The pages are predicted from a column
   * layout of the page's size (Chromium fragments columns by the same rules as pages), filled in, and the
   * document printed once; the PDF's own named destinations check the prediction, and only on a mismatch
   * is it printed again with the pages the PDF reported. The numbers must not change the layout.
   * `info` goes into the PDF's document information, with the app as its creator.
   */
  async printWithPageNumbers(html: string, info: DocumentInfo = {}): Promise<{ pdf: Uint8Array; prints: number }> {
    return this.withPage(async (page) => {
      await page.setContent(html, { waitUntil: 'load' })
      const predicted = await predictPages(page)
      let pages = predicted.pages
      for (let prints = 1; prints <= 3; prints++) {
        await fillPageNumbers(page, pages)
        const pdf = await this.print(page)
        const doc = await loadPdf(pdf)
        const landed = namedDestinationPages(doc)
        const actual = Object.fromEntries(Object.keys(pages).map((a) => [a, landed.get(a) ?? 0]))
        if (Object.keys(pages).every((a) => actual[a] === pages[a])) {
          const changed = [...repairOutlineTitles(doc, predicted.headings), ...setDocumentInfo(doc, info)]
          return { pdf: appendUpdate(pdf, doc, changed), prints }
        }
        pages = actual
      }
      throw new Error('The table of contents did not settle after three prints')
    })
  }

  /** Prints finished HTML once; the benchmark's yardstick. */
  async printOnce(html: string): Promise<Uint8Array> {
    return this.withPage(async (page) => {
      await page.setContent(html, { waitUntil: 'load' })
      return this.print(page)
    })
  }

  async close(): Promise<void> {
    const browser = this.browser
    this.browser = null
    if (browser) await (await browser.catch(() => null))?.close()
  }

  private print(page: Page): Promise<Uint8Array> {
    return page.pdf({
      format: 'A4',
      printBackground: true,
      tagged: true,
      outline: true,
      preferCSSPageSize: true,
      timeout: 0, // the job's own deadline applies
    })
  }

  private async withPage<T>(job: (page: Page) => Promise<T>): Promise<T> {
    await this.acquire()
    let timer: NodeJS.Timeout | undefined
    try {
      const starting = this.launch()
      const browser = await starting
      // One deadline for the whole job: a Chromium that hangs without crashing must not hold its slot forever.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          browser.process()?.kill('SIGKILL')
          if (this.browser === starting) this.browser = null
          reject(new ServiceUnavailableError('Det tog för lång tid att skapa PDF-filen. Försök igen om en stund.'))
        }, this.timeoutMs)
      })
      const page = await Promise.race([browser.newPage(), deadline])
      try {
        return await Promise.race([isolate(page).then(() => job(page)), deadline])
      } finally {
        await page.close().catch(() => undefined)
      }
    } finally {
      clearTimeout(timer)
      this.release()
    }
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const starting = puppeteer
        .launch({ executablePath: this.options.executablePath, headless: true, args: chromiumArgs })
        .then((browser) => {
          // A crashed browser is started again by the next job.
          browser.on('disconnected', () => {
            if (this.browser === starting) this.browser = null
          })
          return browser
        })
        .catch((error: unknown) => {
          this.browser = null
          console.error(
            `Cannot start Chromium at ${this.options.executablePath} to make PDFs: ${String(error)}. ` +
              'Install it (Debian/Ubuntu: apt-get install -y chromium fonts-dejavu) or set PUPPETEER_EXECUTABLE_PATH.',
          )
          throw new ServiceUnavailableError(
            'PDF-tjänsten är inte tillgänglig just nu, eftersom webbläsaren som skapar PDF-filer inte kunde startas. ' +
              'Kontakta systemförvaltningen. Förhandsvisningen i webbläsaren fungerar som vanligt.',
          )
        })
      this.browser = starting
    }
    return this.browser
  }

  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++
      return
    }
    const busy = () =>
      new ServiceUnavailableError(
        'Just nu skapas många PDF-filer åt andra. Din PDF-fil skapas så snart det blir din tur – ingenting har gått förlorat.',
        10,
      )
    if (this.waiting.length >= this.queueLimit) throw busy()
    // The finishing job hands its slot straight to the next in line, so `running` stays counted.
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(turn), 1)
        reject(busy())
      }, this.waitMs)
      this.waiting.push(turn)
    })
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }
}

/** The printed page reaches nothing outside itself: no scripts, no requests except inline data. */
async function isolate(page: Page): Promise<void> {
  await page.setJavaScriptEnabled(false)
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    if (request.url().startsWith('data:')) void request.continue()
    else void request.abort('blockedbyclient')
  })
}

/**
 * Lays the document out in columns exactly one page's content box in size, reads the column each
 * `data-page-of` target falls in, then removes the columns again. Also returns the text of every heading,
 * which the bookmarks are mended from (read here, as the page is already laid out).
 */
async function predictPages(page: Page): Promise<{ pages: PageMap; headings: string[] }> {
  return page.evaluate(
    (width, height) => {
      const style = document.createElement('style')
      style.textContent = `body { width: ${width}px; height: ${height}px; column-width: ${width}px;
        column-gap: 0; column-fill: auto; } .page-start { break-before: column; }`
      document.head.append(style)
      const origin = document.body.getBoundingClientRect().left
      const pages: Record<string, number> = {}
      for (const slot of document.querySelectorAll<HTMLElement>('[data-page-of]')) {
        const id = slot.dataset.pageOf as string
        const target = document.getElementById(id)
        if (target) pages[id] = Math.floor((target.getBoundingClientRect().left - origin + 1) / width) + 1
      }
      style.remove()
      const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) =>
        (h.textContent ?? '').replace(/\s+/g, ' ').trim(),
      )
      return { pages, headings }
    },
    contentWidth,
    contentHeight,
  )
}

async function fillPageNumbers(page: Page, pages: PageMap): Promise<void> {
  await page.evaluate((pages) => {
    for (const slot of document.querySelectorAll<HTMLElement>('[data-page-of]')) {
      slot.textContent = String(pages[slot.dataset.pageOf as string] ?? '')
    }
  }, pages)
}
