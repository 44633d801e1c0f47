import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createViews } from '../server/views.js'
import { measureStatuses } from '../server/vocabulary.js'
import { aBigPlan } from '../test/helpers/big-plan.js'
import { demoPlan } from '../test/helpers/builders.js'
import { pageTexts, pageWords, pdfFonts, pdfInfo, squash } from '../test/helpers/pdf.js'
import { demoPlanWithControls, monthlyControl } from '../test/helpers/report-controls.js'
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
  // The adoption's line in the Inledning brings the risk matrix to a page's very end, where a page box off by
  // a fraction of a pixel from the printed one moved every later heading.
  await db
    .updateTable('plan')
    .set({ adopted_meeting_date: '2019-12-17', adopted_minutes_paragraph: 180, adopted_diary_number: 'GRF-2019-1' })
    .execute()
  const made = await makeReportPdf({ db, views: createViews(), pdf: printer }, planId, {
    madeAt: new Date('2021-03-15T09:00:00Z'),
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
    const lines = contents.split('\n').map((l) => l.trim())
    // The number stands at the end of the entry's first line.
    const printedPage = (heading: string) => {
      const firstWords = heading.split(' ').slice(0, 4).join(' ')
      const line = lines.find((l) => l === firstWords || l.startsWith(`${firstWords} `))
      return Number(line?.match(/(\d+)$/)?.[1])
    }
    // Malmö's sections, in their order, with the risks and measures under Förbättringsåtgärder.
    expect(lines.filter(Boolean).map((l) => l.replace(/\s+\d+$/, ''))).toEqual(
      expect.arrayContaining(['Inledning', 'Sammanfattning', 'Förbättringsåtgärder', 'Externa granskningar']),
    )
    const order = ['Inledning', 'Sammanfattning', 'Förbättringsåtgärder', `Risk: ${data.risks[0]?.title}`]
    expect(order.map((h) => lines.findIndex((l) => l.startsWith(h)))).toEqual(
      order.map((h) => lines.findIndex((l) => l.startsWith(h))).sort((a, b) => a - b),
    )
    for (const [anchor, heading] of [
      ['report-introduction', 'Inledning'],
      ['report-summary', 'Sammanfattning'],
      ['report-measures', 'Förbättringsåtgärder'],
      ['report-inspections', 'Externa granskningar'],
    ]) {
      expect(printedPage(heading as string), heading).toBe(landed.get(anchor as string))
      expect(squash(pages[(landed.get(anchor as string) ?? 0) - 1] ?? ''), heading).toContain(heading)
    }
    for (const risk of data.risks) {
      for (const [anchor, heading] of [
        [risk.anchor, `Risk: ${risk.title}`],
        ...risk.measures.map((m) => [m.anchor, `Åtgärd: ${m.title}`]),
      ] as [string, string][]) {
        const printed = printedPage(heading)
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

describe('the report of a plan with controls as a PDF', () => {
  let made: { data: ReportData; pdf: Uint8Array; prints: number }
  let texts: string[]
  let measureTitle: string

  beforeAll(async () => {
    const { db } = await createTestApp()
    const plan = await demoPlanWithControls(db)
    measureTitle = plan.measureTitle
    const report = await makeReportPdf({ db, views: createViews(), pdf: printer }, plan.planId, {
      madeAt: new Date('2020-10-15T09:00:00Z'),
    })
    if (!report) throw new Error('no report')
    made = report
    texts = pageTexts(made.pdf)
  })

  const controlHeadings = () =>
    made.data.risks.flatMap((risk) => risk.controls.map((c) => [c.anchor, `Kontrollmoment: ${c.title}`] as const))

  /** The body's text from a control's heading to the next control's or risk's (a risk's controls come last). */
  function sectionOf(heading: string): string {
    const body = squash(texts.slice(2).join(' ')).replace(/Sida \d+ \(\d+\)/g, '')
    const start = body.indexOf(heading)
    expect(start, heading).toBeGreaterThan(-1)
    const rest = body.slice(start + heading.length)
    const end = rest.search(/(Kontrollmoment|Risk): /)
    return squash(end === -1 ? rest : rest.slice(0, end))
  }

  /** The printed lines, columns apart, after the first line with `text` past the contents, whitespace collapsed. */
  function linesAfter(text: string): string[] {
    const lines = pageTexts(made.pdf, true)
      .slice(2)
      .flatMap((page) => page.split('\n'))
      .map(squash)
    return lines.slice(lines.findIndex((l) => l.includes(text)))
  }
  /** The first of these lines on which `start` is printed: a table's row, or a fact with its value. */
  const lineOf = (lines: string[], start: string) => lines.find((l) => l.includes(start)) ?? ''

  it('reads each control under its risk after the measures: light, runs done, samples, deviations and their measures', () => {
    const section = sectionOf('Kontrollmoment: Kontroll av utdrag ur belastningsregistret')
    expect(section).toMatch(/^Trafikljus: Röd – tillfälle missat eller försenat · 2 av 4 genomförda Metod/)
    const control = linesAfter('Kontrollmoment: Kontroll av utdrag ur belastningsregistret')
    expect(lineOf(control, 'Metod')).toBe('Metod Stickprov')
    expect(lineOf(control, 'Frekvens')).toBe('Frekvens Kvartalsvis')
    expect(lineOf(control, 'Ansvarig')).toBe('Ansvarig HR-avdelningen')
    // The occasions' samples, row by row: occasion, performed, result, population, sample, checked, deviations.
    expect(section).toContain('Kontrolltillfällen och stickprov')
    expect(lineOf(control, '2020-04-03')).toBe('1 2020-04-03 Utan anmärkning 118 20 20 0')
    expect(lineOf(control, '2020-07-02')).toBe('2 2020-07-02 Med avvikelser 97 15 15 2')
    // The overdue occasion's result wraps in its cell, its date (kept whole) on the line below.
    const overdue = control.indexOf(lineOf(control, 'Försenat'))
    expect(control[overdue]).toBe('3 – Försenat, planerat – – – –')
    expect(control[overdue + 1]).toBe('2020-09-30')
    // The runs' comments after the occasions, each under the occasion it was written for.
    expect(section).toContain(
      'Kommentarer Tillfälle 1 Alla utdrag i urvalet var visade före anställningsdagen. Tillfälle 2 Två ' +
        'anställningar saknade utdrag: en lärare i maj en elevassistent i juni Avvikelser',
    )
    expect(section).toContain(
      'Avvikelser 1. Två anställningar utan registrerat utdrag före anställningsdagen. Tillfälle 2 · ' +
        'Allvarlighetsgrad: Hög · Beslut: Åtgärd krävs',
    )
    // pdftotext drops the hyphen where a line breaks at it.
    expect(section).toContain(`Åtgärd: ${measureTitle} (HR`)
    expect(section).toMatch(/\(HR-?avdelningen\) – Pågående 2\. Utdraget arkiverades i fel akt\./)
    expect(section).toMatch(/Beslut: Ingen åtgärd: Rättat direkt av HR-?administratören\.$/)
    // The risk's measures, the one decided for the deviation among them, come before its control.
    const text = squash(texts.slice(2).join(' '))
    const risk = text.indexOf(`Risk: ${made.data.risks[3]?.title}`)
    const measure = text.indexOf(`Åtgärd: ${measureTitle}`, risk)
    expect(risk).toBeGreaterThan(-1)
    expect(measure).toBeGreaterThan(risk)
    expect(text.indexOf('Kontrollmoment: Kontroll av utdrag ur belastningsregistret', risk)).toBeGreaterThan(measure)
  })

  it('has a row per control with its light in the Sammanfattning’s table', () => {
    // A row's cells start on one printed line: the risk (on its first row), control, frequency, done, deviations, light.
    const table = linesAfter('Kontrollmoment och trafikljus per 2020-10-15')
    expect(table.length).toBeGreaterThan(0)
    expect(lineOf(table, 'Röjande av')).toMatch(/^Röjande av Genomgång av Halvårsvis 1 av 2 0 Grön –/)
    expect(lineOf(table, 'Avstämning av')).toMatch(/^Avstämning av Månadsvis 9 av 12 1 Gul –/)
    expect(lineOf(table, 'Kvartalsvis')).toMatch(
      /^Bristfällig kontroll Kontroll av utdrag ur Kvartalsvis 2 av 4 2 Röd –/,
    )
  })

  it('prints in its contents the page each control heading really lands on, from one print', async () => {
    expect(made.prints).toBe(1)
    const landed = namedDestinationPages(await loadPdf(made.pdf))
    const lines = (pageTexts(made.pdf, true)[1] ?? '').split('\n').map((l) => l.trim())
    expect(controlHeadings()).toHaveLength(3)
    for (const [anchor, heading] of controlHeadings()) {
      const line = lines.find((l) => l.startsWith(heading))
      const printed = Number(line?.match(/(\d+)$/)?.[1])
      expect(printed, heading).toBe(landed.get(anchor))
      expect(squash(texts[printed - 1] ?? ''), heading).toContain(heading)
    }
  })

  it('has a bookmark for every control, and ends no page on a control’s heading or its labels', async () => {
    const titles = outlineItems(await loadPdf(made.pdf)).map((o) => o.title)
    for (const [, heading] of controlHeadings()) expect(titles).toContain(heading)
    const stranded = texts.slice(2).flatMap((text, i) => {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^Sida \d+ \(\d+\)$/.test(l))
      const last = lines.at(-1) ?? ''
      const end = squash(lines.join(' '))
      const heading = controlHeadings().some(([, h]) => end.endsWith(h))
      return heading ||
        ['Avvikelser', 'Kommentarer', 'Kontrolltillfällen och stickprov'].includes(last) ||
        last.startsWith('Trafikljus:')
        ? [`${i + 3}: ${last}`]
        : []
    })
    expect(stranded).toEqual([])
  })
})

describe('the demo’s plan kept through controls as a PDF', () => {
  it('starts each table of occasions on the page of its caption', async () => {
    const today = '2026-12-07'
    const { db } = await createTestApp({ currentYear: true, today })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.name', '=', 'Förskolenämnden')
      .executeTakeFirstOrThrow()
    const made = await makeReportPdf({ db, views: createViews(), pdf: printer }, plan.id, {
      madeAt: new Date(`${today}T16:00:00Z`),
    })
    if (!made) throw new Error('no report')
    // On this day HR-avdelningen's table came right at a page's end, where its caption was once left behind.
    const lastLines = pageTexts(made.pdf).map((text) => {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^Sida \d+ \(\d+\)$/.test(l))
      return lines.at(-1)
    })
    expect(lastLines.filter((line) => line === 'Kontrolltillfällen och stickprov')).toEqual([])
    expect(made.data.risks.flatMap((r) => r.controls)).toHaveLength(6)
  })
})

describe('the report of a plan with a long table of controls', () => {
  let made: { data: ReportData; pdf: Uint8Array; prints: number }
  let texts: string[]

  beforeAll(async () => {
    const { db } = await createTestApp()
    const plan = await demoPlanWithControls(db)
    for (const [i, risk] of plan.risks.entries()) {
      for (const n of [1, 2, 3]) {
        await monthlyControl(db, risk.id, plan.hr, `Månadskontroll ${i + 1}.${n} av behörigheter`, {
          until: 9,
          deviationsIn: [2, 7],
        })
      }
    }
    const report = await makeReportPdf({ db, views: createViews(), pdf: printer }, plan.planId, {
      madeAt: new Date('2020-10-15T09:00:00Z'),
    })
    if (!report) throw new Error('no report')
    made = report
    texts = pageTexts(made.pdf)
  })

  it('runs the Sammanfattning’s table over pages with its head repeated, and still numbers the contents from one print', async () => {
    // The pages of the table: after the contents and before the body, those with a control's row.
    const body = texts.findIndex((text) => text.startsWith('Förbättringsåtgärder\n'))
    const intro = texts.findIndex((text) => text.startsWith('Inledning\n'))
    const summary = texts.flatMap((text, i) => (i > intro && i < body && text.includes('Månadskontroll') ? [i] : []))
    expect(summary.length).toBeGreaterThan(1)
    for (const page of summary) expect(squash(texts[page] ?? '')).toContain('Genomförda av planerade')
    expect(made.prints).toBe(1)
    const landed = namedDestinationPages(await loadPdf(made.pdf))
    const controls = made.data.risks.flatMap((r) => r.controls)
    expect(controls).toHaveLength(21)
    const contents = texts.slice(
      1,
      texts.findIndex((text) => text.startsWith('Inledning')),
    )
    const lines = pageTexts(made.pdf, true)
      .slice(1, contents.length + 1)
      .flatMap((text) => text.split('\n').map((l) => l.trim()))
    for (const control of controls) {
      const heading = `Kontrollmoment: ${control.title}`
      const line = lines.find((l) => l.startsWith(`${heading} `))
      const printed = Number(line?.match(/ (\d+)$/)?.[1])
      expect(printed, heading).toBe(landed.get(control.anchor))
      expect(squash(texts[printed - 1] ?? ''), heading).toContain(heading)
    }
  })
})

describe('the report of a plan of several hundred measures with texts of every length', () => {
  let big: { data: ReportData; pdf: Uint8Array; prints: number }
  let bigPages: string[]

  beforeAll(async () => {
    const { db } = await createTestApp()
    const { planId, measures } = await aBigPlan(db, { risks: 40 })
    expect(measures).toBeGreaterThan(250)
    const made = await makeReportPdf({ db, views: createViews(), pdf: printer }, planId, {
      madeAt: new Date('2099-06-15T09:00:00Z'),
    })
    if (!made) throw new Error('no report')
    big = made
    bigPages = pageTexts(made.pdf)
  }, 120_000)

  it('ends no page with a heading or a label whose text starts on the next page', () => {
    const headings = big.data.risks.flatMap((risk) => [
      `Risk: ${risk.title}`,
      ...risk.measures.map((m) => `Åtgärd: ${m.title}`),
    ])
    // The labels of views/partials/report-body.hbs, and the headings of the generated texts.
    const labels = ['Beskrivning av risk', 'Vad ska göras:', 'Genomförda åtgärder', 'Delrapport', 'Resultat']
    const body = bigPages.findIndex((text) => text.startsWith('Förbättringsåtgärder'))
    expect(body).toBeGreaterThan(1)
    const stranded = bigPages.slice(body).flatMap((text, i) => {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !/^Sida \d+ \(\d+\)$/.test(l))
      const last = lines.at(-1) ?? ''
      const end = squash(lines.join(' '))
      const strandedHeading = headings.some((h) => end.endsWith(h))
      return strandedHeading || labels.includes(last) || last.startsWith('Status: ') ? [`${body + i + 1}: ${last}`] : []
    })
    expect(stranded).toEqual([])
    // Long texts still run on from one page to the next.
    expect(bigPages.slice(body).filter((text) => /^(Mening|Punkt)/.test(text)).length).toBeGreaterThan(20)
  })

  it('prints the page of every heading in the contents from one print', async () => {
    expect(big.prints).toBe(1)
    const landed = namedDestinationPages(await loadPdf(big.pdf))
    const end = bigPages.findIndex((text) => text.startsWith('Inledning'))
    const lines = pageTexts(big.pdf, true)
      .slice(1, end)
      .flatMap((text) => text.split('\n').map((l) => l.trim()))
    for (const risk of big.data.risks) {
      for (const measure of risk.measures) {
        // "Åtgärd: Åtgärd 73: …" is unique; the number stands at the end of the entry's first line.
        const line = lines.find((l) => l.startsWith(`Åtgärd: ${measure.title.split(' ').slice(0, 2).join(' ')} `))
        const printed = Number(line?.match(/ (\d+)$/)?.[1])
        expect(printed, measure.title).toBe(landed.get(measure.anchor))
        expect(squash(bigPages[printed - 1] ?? '')).toContain(`Åtgärd: ${measure.title}`)
      }
    }
  })

  it('prints every status whole in the head of the table of measures per owner', () => {
    const page = bigPages.findIndex((text) => text.includes('Förbättringsåtgärder per ansvarig enhet')) + 1
    // The words as printed, cell by cell: the caption, then the head's cells up to Totalt.
    const words = (pageWords(big.pdf)[page - 1] ?? []).map((w) => w.text)
    const caption = words.findIndex((word, i) => word === 'ansvarig' && words[i + 1] === 'enhet') + 1
    const head = words.slice(caption + 1, words.indexOf('Totalt', caption) + 1)
    expect(big.data.statusSummary).toHaveLength(measureStatuses.length)
    const labels = ['Ansvarig enhet', ...measureStatuses.map((s) => s.label), 'Totalt']
    const whole = new Set(labels.flatMap((label) => label.split(' ')))
    expect(head.filter((word) => !whole.has(word))).toEqual([])
    for (const label of labels) for (const word of label.split(' ')) expect(head, label).toContain(word)
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

  it('lets a job wait its turn for a bounded time, then turns it away as busy', async () => {
    const single = (waitMs: number) =>
      new PdfPrinter({
        executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
        concurrency: 1,
        waitMs,
      })
    const long = `<!doctype html><title>t</title>${'<p>Lång rad som tar tid att skriva ut.</p>'.repeat(4000)}`
    const patient = single(60_000)
    const hasty = single(1)
    try {
      const [first, second] = await Promise.all([patient.printOnce(long), patient.printOnce('<p>Sedan</p>')])
      expect(Buffer.from(first.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
      expect(squash(pageTexts(second)[0] ?? '')).toBe('Sedan')
      const held = hasty.printOnce(long)
      await expect(hasty.printOnce('<p>x</p>')).rejects.toMatchObject({
        message: expect.stringContaining('Just nu skapas många PDF-filer åt andra'),
        retryAfterSeconds: 10,
      })
      await held
    } finally {
      await Promise.all([patient.close(), hasty.close()])
    }
  })
})
