import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createViews } from '../server/views.js'
import { aMunicipalItem, planOfCommittee } from '../test/helpers/municipal-items.js'
import { pageTexts, pdfInfo, squash } from '../test/helpers/pdf.js'
import { createTestApp } from '../test/helpers/test-app.js'
import { documentLanguage, loadPdf, namedDestinationPages, outlineItems } from './pdf-document.js'
import { PdfPrinter } from './render-pdf.js'
import { makeRollupReportPdf, type RollupReportData } from './rollup-report.js'

const printer = new PdfPrinter({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' })
afterAll(() => printer.close())

const today = '2021-03-15'
const year = 2021

let data: RollupReportData
let pdf: Uint8Array
let prints: number
let pages: string[]
let landed: Map<string, number>

// The demo's Malmö stad: two committees and a company, each with its plan of the year, and one municipality-wide
// review applied to all three, reported by two of them.
beforeAll(async () => {
  const { db } = await createTestApp({ currentYear: true, today, as: null })
  const { id: municipalityId } = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  const school = await planOfCommittee(db, 'Grundskolenämnden', year)
  const preschool = await planOfCommittee(db, 'Förskolenämnden', year)
  const company = await planOfCommittee(db, 'Malmö Stadsfastigheter AB', year)
  await aMunicipalItem(db, {
    municipalityId,
    year,
    title: 'Granskning av representation och gåvor',
    diaryNumber: 'KS 2021/0042',
    description: 'Alla nämnder och bolag granskar **representation**.\n\n- stickprov om 20 fakturor\n- deltagarlistor',
    committeeIds: [school.committeeId, preschool.committeeId, company.committeeId],
    copies: [
      {
        planId: school.id,
        likelihood: 3,
        consequence: 4,
        meetingDate: '2021-02-17',
        minutesParagraph: 33,
        result: '### Iakttagelser\n\nTre av tjugo **fakturor** saknade deltagarlista.\n\n<b>inte fetstil</b>',
        measures: [
          {
            title: 'Ny rutin för deltagarlistor',
            ownerUnitId: school.unit.id,
            status: 'in_progress',
            dueDate: '2021-03-01',
          },
        ],
      },
      { planId: preschool.id, likelihood: 2, consequence: 2, result: 'Inga avvikelser i stickprovet.' },
    ],
  })
  const made = await makeRollupReportPdf(
    { db, views: createViews(), pdf: printer },
    { municipalityId, year, administrationId: null },
    { madeAt: new Date(`${today}T09:00:00Z`) },
  )
  if (!made) throw new Error('no report')
  ;({ data, pdf, prints } = made)
  pages = pageTexts(pdf)
  landed = namedDestinationPages(await loadPdf(pdf))
}, 60_000)

/** Every entry of the contents: its anchor and its heading's text, in the order of the report. */
const entries = (): [string, string][] => [
  ['rollup-introduction', 'Inledning'],
  ['rollup-summary', 'Sammanfattning'],
  ['rollup-units', 'Nämnder och bolag'],
  ...data.sections.map((s): [string, string] => [s.anchor, s.name]),
  ['rollup-matrix', 'Riskmatris för hela kommunen'],
  ['rollup-items', 'Kommungemensamma granskningar och risker'],
  ...data.items.map((i): [string, string] => [i.anchor, `${i.kindLabel}: ${i.title}`]),
]

/** The first page from `from` (1-based) whose text holds the heading. */
const pageOfHeading = (heading: string, from: number) =>
  pages.findIndex((text, i) => i + 1 >= from && squash(text).includes(heading)) + 1

describe('the roll-up report as a PDF', () => {
  it('has the cover for kommunstyrelsen and then the contents', () => {
    expect(squash(pages[0] ?? '')).toBe(
      `Malmö stad Sammanställning av nämndernas och bolagens uppföljning av intern kontroll ${year} Kommunstyrelsen ` +
        'Utkast 2021-03-15 10:00',
    )
    expect(squash(pages[1] ?? '')).toMatch(/^Innehållsförteckning/)
    expect(data.sections.map((s) => s.name)).toEqual([
      'Förskolenämnden',
      'Grundskolenämnden',
      'Malmö Stadsfastigheter AB',
    ])
  })

  it('prints in its contents the page each heading really lands on, from one print', () => {
    expect(prints).toBe(1)
    const lines = (pageTexts(pdf, true)[1] ?? '')
      .split('\n')
      .map((l) => squash(l))
      .filter((l) => l !== '' && !/^Sida \d+ \(\d+\)$/.test(l))
    // Every entry once, in the report's order, each with a page number.
    expect(lines.slice(1).map((l) => l.replace(/ \d+$/, ''))).toEqual(entries().map(([, heading]) => heading))
    const units = landed.get('rollup-units') as number
    for (const [anchor, heading] of entries()) {
      const printed = Number(lines.find((l) => l.replace(/ \d+$/, '') === heading)?.match(/ (\d+)$/)?.[1])
      expect(printed, heading).toBe(landed.get(anchor))
      // The heading is on that page: a committee's name first after the summary's table, which names them too.
      const from = data.sections.some((s) => s.anchor === anchor) ? units : 3
      expect(pageOfHeading(heading, from), heading).toBe(printed)
    }
  })

  it('has a bookmark for every heading of the contents, and declares itself tagged and Swedish', async () => {
    const doc = await loadPdf(pdf)
    const titles = outlineItems(doc).map((o) => o.title)
    expect(titles.slice(0, 2)).toEqual([data.title, 'Innehållsförteckning'])
    for (const [, heading] of entries()) expect(titles, heading).toContain(heading)
    expect(documentLanguage(doc)).toBe('sv')
    expect(pdfInfo(pdf).Tagged).toBe('yes')
    expect(pdfInfo(pdf)['Page size']).toContain('(A4)')
  })

  it('carries "Sida X (Y)" on every page but the cover', () => {
    expect(pages[0]).not.toMatch(/Sida \d+/)
    pages.slice(1).forEach((text, i) => {
      expect(text).toContain(`Sida ${i + 2} (${pages.length})`)
    })
  })

  it('sets each committee’s follow-up of the municipality-wide review side by side, its result as safe text', () => {
    // The demo's own review of the year comes before this one.
    const item = data.items.find((i) => i.title === 'Granskning av representation och gåvor')
    if (!item) throw new Error('no item')
    const at = landed.get(item.anchor) as number
    const section = squash(pages.slice(at - 1).join(' ')).replace(/Sida \d+ \(\d+\)/g, '')
    expect(section).toContain('Dnr KS 2021/0042 · Riskhantering: Granskning · Gäller 3 nämnder och bolag')
    // The side-by-side table, a row per committee in the report's order, each row's cells on its first line.
    const lines = pageTexts(pdf, true)
      .slice(at - 1)
      .flatMap((text) => text.split('\n'))
      .map(squash)
      .filter(Boolean)
    // This item's lines begin with its diary number (the demo's review has another).
    const heading = lines.findIndex((l) => l.includes('Dnr KS 2021/0042'))
    const table = lines.slice(lines.indexOf('Uppföljningen per nämnd och bolag', heading))
    expect(table[1]).toBe('Nämnd eller bolag Riskvärde Behandlad Åtgärder Försenade')
    const rows = table.filter((l) => /^(Förskolenämnden|Grundskolenämnden|Malmö) /.test(l)).slice(0, 3)
    expect(rows).toEqual([
      'Förskolenämnden 4 (Låg) Inte ännu Inga 0',
      'Grundskolenämnden 12 (Hög) Sammanträde 2021-02-17, 1, varav 0 1',
      'Malmö Planen för 2021 saknar granskningen.',
    ])
    // Each committee's own result, rendered from Markdown as the follow-up report renders it: HTML stays text.
    expect(section).toContain(
      'Grundskolenämnden Behandlad av nämnden: Sammanträde 2021-02-17, protokoll §33 · Riskvärde 12 (Hög) Resultat ' +
        'Iakttagelser Tre av tjugo fakturor saknade deltagarlista. <b>inte fetstil</b> Åtgärder ' +
        'Ny rutin för deltagarlistor – Pågående',
    )
    expect(section).not.toContain('**')
    expect(section).toContain(
      'Förskolenämnden Inte behandlad ännu · Riskvärde 4 (Låg) Resultat Inga avvikelser i stickprovet.',
    )
  })
})
