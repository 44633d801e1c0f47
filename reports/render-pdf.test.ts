import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createViews } from '../server/views.js'
import { demoPlan } from '../test/helpers/builders.js'
import { pageTexts, pdfFonts, pdfInfo, squash } from '../test/helpers/pdf.js'
import { createTestApp } from '../test/helpers/test-app.js'
import type { ReportData } from './build-data.js'
import { makeReportPdf } from './make-report.js'
import { documentLanguage, loadPdf, namedDestinationPages, outlineItems } from './pdf-document.js'
import { PdfPrinter } from './render-pdf.js'

const printer = new PdfPrinter({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' })
afterAll(() => printer.close())

let data: ReportData
let pdf: Uint8Array
let prints: number
let pages: string[]

beforeAll(async () => {
  const { db } = await createTestApp()
  const { planId } = await demoPlan(db)
  const made = await makeReportPdf({ db, views: createViews(), pdf: printer }, planId, {
    madeOn: '2021-03-15',
    final: false,
  })
  if (!made) throw new Error('no report')
  ;({ data, pdf, prints } = made)
  pages = pageTexts(pdf)
})

const headings = () =>
  data.risks.flatMap((risk) => [`Risk: ${risk.title}`, ...risk.measures.map((m) => `Åtgärd: ${m.title}`)])

/** The page a heading is printed on, found in the text after the table of contents. */
function pageOfHeading(heading: string, after: number): number {
  const index = pages.findIndex((text, i) => i >= after && squash(text).includes(heading))
  return index + 1
}

describe('the demo plan’s report as a PDF', () => {
  it('is A4, tagged, titled, in Swedish, with its fonts embedded', async () => {
    const info = pdfInfo(pdf)
    expect(info.Tagged).toBe('yes')
    expect(info.Title).toBe('Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden')
    expect(info['Page size']).toContain('(A4)')
    const fonts = pdfFonts(pdf).split('\n').slice(2).filter(Boolean)
    expect(fonts.length).toBeGreaterThan(0)
    for (const font of fonts) expect(font).toMatch(/DejaVu\S*\s+CID TrueType\s+Identity-H\s+yes/)
    expect(squash(pages.join(' '))).toContain('Kartläggning av förvaltningsspecifika förbättringsbehov')
  })

  it('has every risk and measure, in order, after the cover and the contents', () => {
    const text = squash(pages.slice(2).join(' '))
    let from = 0
    for (const heading of headings()) {
      const at = text.indexOf(heading, from)
      expect(at, heading).toBeGreaterThan(-1)
      from = at + heading.length
    }
    expect(squash(pages[0] ?? '')).toContain('Uppföljning förbättringsåtgärder 2020 Grundskolenämnden')
    expect(squash(pages[1] ?? '')).toMatch(/^Innehållsförteckning/)
  })

  it('prints in its contents the page each heading really lands on, from one print', async () => {
    expect(prints).toBe(1)
    const contents = pageTexts(pdf, true)[1] ?? ''
    const landed = namedDestinationPages(await loadPdf(pdf))
    for (const risk of data.risks) {
      for (const [anchor, heading] of [
        [risk.anchor, `Risk: ${risk.title}`],
        ...risk.measures.map((m) => [m.anchor, `Åtgärd: ${m.title}`]),
      ] as [string, string][]) {
        // The number stands at the end of the entry's first line.
        const firstWords = heading.split(' ').slice(0, 4).join(' ')
        const line = contents.split('\n').find((l) => l.trim().startsWith(firstWords))
        const printed = Number(line?.match(/(\d+)\s*$/)?.[1])
        expect(printed, heading).toBe(pageOfHeading(heading, 2))
        expect(printed, heading).toBe(landed.get(anchor))
      }
    }
  })

  it('carries "Sida X (Y)" on every page but the cover', () => {
    const total = pages.length
    expect(Number(pdfInfo(pdf).Pages)).toBe(total)
    expect(pages[0]).not.toMatch(/Sida \d+/)
    pages.slice(1).forEach((text, i) => {
      expect(text).toContain(`Sida ${i + 2} (${total})`)
    })
  })

  it('keeps each heading on the page of the text that follows it', () => {
    for (const risk of data.risks) {
      for (const measure of risk.measures) {
        const page = pages[pageOfHeading(`Åtgärd: ${measure.title}`, 2) - 1] ?? ''
        const after = squash(page).split(`Åtgärd: ${measure.title}`)[1] ?? ''
        expect(after, measure.title).toMatch(/^ Status: /)
      }
      const page = pages[pageOfHeading(`Risk: ${risk.title}`, 2) - 1] ?? ''
      expect(squash(page).split(`Risk: ${risk.title}`)[1], risk.title).toMatch(/^ Beskrivning av risk/)
    }
  })

  it('has a bookmark for every risk and measure and declares Swedish', async () => {
    const doc = await loadPdf(pdf)
    expect(documentLanguage(doc)).toBe('sv')
    const titles = outlineItems(doc).map((o) => o.title)
    expect(titles.slice(0, 5)).toEqual([
      'Uppföljning förbättringsåtgärder 2020',
      'Innehållsförteckning',
      'Inledning',
      'Sammanfattning',
      'Förbättringsåtgärder',
    ])
    for (const heading of headings()) expect(titles).toContain(heading)
  })
})

describe('PdfPrinter', () => {
  it('prints again with the real pages when the prediction was wrong', async () => {
    // Print styles the screen layout cannot see make the prediction miss by a page.
    const html = `<!doctype html><html lang="sv"><head><title>t</title><style>
      body { margin: 0 } @page { size: A4; margin: 20mm 20mm 22mm 20mm }
      @media print { .tall { height: 1200px } } .page-start { break-before: page }</style></head>
      <body><p>Innehåll: <a href="#a">A</a> <span data-page-of="a"></span></p>
      <div class="tall"></div><h2 id="a">Målet</h2></body></html>`
    const result = await printer.printWithPageNumbers(html)
    expect(result.prints).toBe(2)
    expect(squash(pageTexts(result.pdf)[0] ?? '')).toContain('Innehåll: A 2')
    expect(squash(pageTexts(result.pdf)[1] ?? '')).toContain('Målet')
  })

  it('gives up on a job past its deadline with a Swedish message, and prints again afterwards', async () => {
    const hasty = new PdfPrinter({
      executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
      timeoutMs: 1,
    })
    try {
      await expect(hasty.printOnce('<p>x</p>')).rejects.toThrow('Det tog för lång tid att skapa PDF-filen')
    } finally {
      await hasty.close()
    }
    const pdf = await printer.printOnce('<!doctype html><title>t</title><p>Efteråt</p>')
    expect(squash(pageTexts(pdf)[0] ?? '')).toBe('Efteråt')
  })
})
