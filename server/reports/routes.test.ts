import { createHash } from 'node:crypto'
import { PDFArray, PDFDict, type PDFDocument, PDFName } from 'pdf-lib'
import type { Response } from 'supertest'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { loadPdf, namedDestinationPages } from '../../reports/pdf-document.js'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { aMeasure, anotherPlan, aRisk, demoContents, demoPlan } from '../../test/helpers/builders.js'
import { busyPrinter } from '../../test/helpers/busy-printer.js'
import { pageTexts, pdfInfo, squash } from '../../test/helpers/pdf.js'
import { demoPlanWithControls } from '../../test/helpers/report-controls.js'
import { createTestApp, html, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { auditKey } from '../audit/anchor.js'
import { verifyAudit } from '../audit/verify.js'
import { insertReportVersion } from './repository.js'

async function setup() {
  const app = await createTestApp({ today: '2021-03-15' })
  return { ...app, ...(await demoPlan(app.db)) }
}

const headingsOf = (contents: [string, string[]][]) =>
  contents.flatMap(([risk, measures]) => [`Risk: ${risk}`, ...measures.map((m) => `Åtgärd: ${m}`)])

const finalMessage = 'Ange vem som fastställer rapporten, till exempel namn och roll.'
const author = 'Anna Andersson, nämndsekreterare'

/** Collects a response body as raw bytes, whatever its content type. */
function binary(res: Response, done: (error: Error | null, body: Buffer) => void) {
  // In Node, superagent hands a parser the response stream itself.
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
}

async function download(agent: TestAgent, path: string, expectedStatus = 200): Promise<Response & { body: Buffer }> {
  const response = await agent.get(path).buffer(true).parse(binary)
  if (response.status !== expectedStatus) {
    throw new Error(`GET ${path}: expected ${expectedStatus}, got ${response.status}: ${String(response.body)}`)
  }
  return response as Response & { body: Buffer }
}

/** The file name a browser saves the download as: the RFC 5987 `filename*`, decoded. */
function savedFileName(response: Response): string {
  const disposition = String(response.headers['content-disposition'])
  expect(disposition).toMatch(/^attachment;/)
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1]
  if (!encoded) throw new Error(`No filename* in ${disposition}`)
  return decodeURIComponent(encoded)
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** The text of the whole PDF, or of its cover, as pdftotext reads it, whitespace collapsed. */
const pdfText = (bytes: Uint8Array) => squash(pageTexts(bytes).join(' '))
const coverText = (bytes: Uint8Array) => squash(pageTexts(bytes)[0] ?? '')

/** The rows of the table of final versions, each as the text of its cells. */
async function versionRows(agent: TestAgent, planId: number) {
  const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
  return $('.report-toolbar table tbody tr')
    .map((_, row) => [
      {
        cells: $(row)
          .find('td')
          .map((_, cell) => $(cell).text().replace(/\s+/g, ' ').trim())
          .get(),
        href: $(row).find('a').attr('href'),
      },
    ])
    .get()
}

/** Sends a form with the values it shows, changed by `changes`, as a user editing one field would. */
async function editThroughForm(agent: TestAgent, formPage: string, changes: Record<string, string>) {
  const $ = html((await agent.get(formPage).expect(200)).text)
  const form = $('main form[method="post"]').last()
  const fields: Record<string, string> = {}
  form.find('input[name], textarea[name], select[name]').each((_, element) => {
    const field = $(element)
    const name = field.attr('name') as string
    if (name === '_csrf') return
    if (element.tagName === 'select') fields[name] = String(field.find('option[selected]').val() ?? '')
    else if (element.tagName === 'textarea') fields[name] = field.text()
    else fields[name] = String(field.val() ?? '')
  })
  return submitForm(agent, formPage, { ...fields, ...changes }, 303)
}

describe('report preview', () => {
  it('shows the cover, every risk and measure in the plan’s order, the reviews and no final version yet', async () => {
    const { agent, planId } = await setup()
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    expect($('.report-cover__title').text()).toBe('Uppföljning förbättringsåtgärder 2020')
    expect($('.report-cover__committee').text()).toBe('Grundskolenämnden')
    expect($('.report-cover__edition').text()).toBe('Utkast 2021-03-15 10:00')
    expect($('#report-toc').text()).toBe('Innehållsförteckning')
    expect(
      $('.report-risk h3, .report-measure h4')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(headingsOf(demoContents))
    const reviews = $('.report-reviews li')
      .map((_, e) => $(e).text())
      .get()
    expect(reviews).toHaveLength(8)
    expect(reviews[0]).toBe(
      'GRF-2020-11639 Uppföljning av internkontrollplan 2020 - Försent betalda leverantörsfakturor. Sammanträde 2020-06-16, protokoll §95.',
    )
    const pdfLink = $('a').filter((_, a) => $(a).text().trim() === 'Ladda ner PDF')
    expect(pdfLink.attr('href')).toBe(`/planer/${planId}/rapport/pdf`)
    expect($('.report-toolbar p').text()).toContain('Rapporten har inte fastställts ännu.')
    expect($('.report-toolbar table')).toHaveLength(0)
  })

  it('opens with its h1, its headings one level at a time, and its contents linking to the sections on the page', async () => {
    const { agent, planId } = await setup()
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    expect($('title').text()).toBe('Förhandsvisning: Uppföljning förbättringsåtgärder 2020 – Internkontroll')
    const levels = $('main :header')
      .map((_, h) => Number(h.tagName.slice(1)))
      .get()
    expect(levels[0]).toBe(1)
    expect($('main h1').text()).toBe('Förhandsvisning: Uppföljning förbättringsåtgärder 2020')
    expect(levels.filter((level) => level === 1)).toHaveLength(1)
    expect($('body').text()).not.toMatch(/npm run|README/)
    expect(levels.filter((level, i) => i > 0 && level > (levels[i - 1] ?? 0) + 1)).toEqual([])
    const hrefs = $('.report-toc a')
      .map((_, a) => $(a).attr('href'))
      .get()
    // Inledning, Sammanfattning, Förbättringsåtgärder and Externa granskningar, each risk and each measure.
    expect(hrefs).toHaveLength(4 + demoContents.length + demoContents.flatMap(([, measures]) => measures).length)
    for (const href of hrefs) {
      expect(href, href).toMatch(/^#./)
      expect($(`[id="${href.slice(1)}"]`), href).toHaveLength(1)
    }
  })

  it('shows the controls under their risks and in the summary, their wide tables scrolling in a named region', async () => {
    const { agent, db } = await createTestApp({ today: '2020-10-15' })
    const { planId } = await demoPlanWithControls(db)
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    expect(
      $('.report-control h4')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual([
      'Kontrollmoment: Genomgång av sekretessmarkeringar i elevakter',
      'Kontrollmoment: Avstämning av behörigheter i elevregistret',
      'Kontrollmoment: Kontroll av utdrag ur belastningsregistret',
    ])
    // Judged on the app's today: the third occasion of the quarterly control is overdue.
    expect($('.report-table--controls tbody tr').last().find('td').last().text()).toBe(
      'Röd – tillfälle missat eller försenat',
    )
    const regions = $('.table-scroll[role="region"][tabindex="0"]')
    expect(regions.map((_, r) => $(r).attr('aria-label')).get()).toEqual([
      'Förbättringsåtgärder per ansvarig enhet',
      'Kontrollmoment och trafikljus',
      'Kontrolltillfällen: Genomgång av sekretessmarkeringar i elevakter',
      'Kontrolltillfällen: Avstämning av behörigheter i elevregistret',
      'Kontrolltillfällen: Kontroll av utdrag ur belastningsregistret',
    ])
    expect(regions.find('table')).toHaveLength(5)
    // The headings still go down one level at a time.
    const levels = $('main :header')
      .map((_, h) => Number(h.tagName.slice(1)))
      .get()
    expect(levels.filter((level, i) => i > 0 && level > (levels[i - 1] ?? 0) + 1)).toEqual([])
  })

  it('follows the plan’s new order after a risk is moved up', async () => {
    const { agent, planId, risks } = await setup()
    await submitForm(
      agent,
      `/planer/${planId}`,
      { direction: 'up' },
      303,
      `/planer/${planId}/risker/${risks[1]?.id}/flytta`,
    )
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    const [first, second, ...rest] = demoContents
    expect(
      $('.report-risk h3, .report-measure h4')
        .map((_, e) => $(e).text())
        .get(),
    ).toEqual(headingsOf([second, first, ...rest] as [string, string[]][]))
  })

  it('answers 404 for a plan that does not exist', async () => {
    const { agent } = await setup()
    const $ = html((await agent.get('/planer/999999/rapport').expect(404)).text)
    expect($('h1').text()).toBe('Planen finns inte')
  })
})

describe('the plan’s adoption and the measures’ due dates in the report', () => {
  it('prints the adoption decision in the Inledning once it is registered on the plan', async () => {
    const { agent, planId } = await setup()
    const introduction = async () =>
      html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)('#report-introduction')
        .next()
        .text()
    expect(await introduction()).not.toContain('antogs')
    await editThroughForm(agent, `/planer/${planId}/redigera`, {
      adoptedMeetingDate: '2019-12-17',
      adoptedMinutesParagraph: '180',
      adoptedDiaryNumber: 'GRF-2019-12001',
    })
    const adoption =
      'Internkontrollplanen antogs av Grundskolenämnden: Sammanträde 2019-12-17, protokoll §180 (dnr GRF-2019-12001).'
    expect(await introduction()).toBe(adoption)
    const pages = pageTexts((await download(agent, `/planer/${planId}/rapport/pdf`)).body).map(squash)
    expect(pages.find((page) => page.startsWith('Inledning'))).toContain(`Inledning ${adoption}`)
  })

  it('shows each measure’s due date, Försenad when it has passed unfinished, and the totals', async () => {
    const { agent, db, planId, risks, unit } = await setup()
    const risk = risks[0]?.id as number
    const hr = unit('HR-avdelningen')
    await aMeasure(db, risk, hr, { title: 'Sen', status: 'in_progress', dueDate: '2021-03-14' })
    await aMeasure(db, risk, hr, { title: 'Klar i tid', status: 'done', dueDate: '2021-02-01' })
    await aMeasure(db, risk, hr, { title: 'Inte sen än', status: 'not_started', dueDate: '2021-03-15' })
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    const statusOf = (title: string) =>
      $('.report-measure')
        .filter((_, m) => $(m).find('h4').text() === `Åtgärd: ${title}`)
        .find('.report-status')
        .text()
    expect(statusOf('Sen')).toBe('Status: Pågående · Klart senast 2021-03-14 · Försenad')
    expect(statusOf('Klar i tid')).toBe('Status: Genomförd · Klart senast 2021-02-01')
    expect(statusOf('Inte sen än')).toBe('Status: Ej påbörjad · Klart senast 2021-03-15')
    expect(statusOf(demoContents[0]?.[1][0] as string)).toBe('Status: Genomförd – fortsatt arbete')
    const totals = $('caption')
      .filter((_, c) => $(c).text() === 'Förbättringsåtgärder per status')
      .parent()
      .find('tfoot tr')
      .map((_, row) =>
        $(row)
          .children()
          .map((_, cell) => $(cell).text())
          .get()
          .join(' '),
      )
      .get()
    expect(totals).toEqual(['Totalt 15', 'Varav försenade 1'])
  })
})

describe('draft PDF', () => {
  it('downloads the report as a PDF file named after it', async () => {
    const { agent, planId } = await setup()
    const response = await download(agent, `/planer/${planId}/rapport/pdf`)
    expect(response.headers['content-type']).toMatch(/^application\/pdf/)
    expect(savedFileName(response)).toBe('Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden (utkast).pdf')
    expect(response.body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const cover = coverText(response.body)
    expect(cover).toContain('Uppföljning förbättringsåtgärder 2020')
    expect(cover).toContain('Utkast 2021-03-15 10:00')
    expect(cover).not.toMatch(/fastställd/i)
  })

  it('names the committee as author, the app as creator and the draft’s time in the PDF’s information', async () => {
    const { agent, planId } = await setup()
    const info = pdfInfo((await download(agent, `/planer/${planId}/rapport/pdf`)).body)
    expect(info).toMatchObject({
      Title: 'Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden',
      Author: 'Grundskolenämnden',
      Creator: 'Internkontroll',
      Subject: 'Utkast 2021-03-15 10:00',
    })
  })

  it('tells the preview page that the download has arrived with a short-lived cookie its script may read', async () => {
    const { agent, planId } = await setup()
    const $ = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    const link = $(`a[href="/planer/${planId}/rapport/pdf"]`)
    expect(link.attr('data-busy')).toBe('Skapar PDF…')
    expect(link.attr('data-busy-until')).toBe('ik_pdf_ready')
    const cookies = (await download(agent, `/planer/${planId}/rapport/pdf`)).headers[
      'set-cookie'
    ] as unknown as string[]
    const ready = cookies.find((c) => c.startsWith('ik_pdf_ready='))
    expect(ready).toMatch(/Max-Age=60;/)
    expect(ready).toMatch(/Path=\/;/)
    expect(ready).not.toMatch(/HttpOnly/)
  })
})

describe('the risk matrix in the PDF', () => {
  it('prints the grid and its legend in the summary, each risk a link to the page of its heading', async () => {
    const { agent, db, planId } = await setup()
    const scored = await aRisk(db, planId, { title: 'Risk för felaktiga utbetalningar' })
    const pdf = (await download(agent, `/planer/${planId}/rapport/pdf`)).body
    const pages = pageTexts(pdf).map(squash)
    const matrixPage = pages.findIndex((text) => text.includes('Risker efter sannolikhet och konsekvens'))
    expect(matrixPage).toBeGreaterThan(1)
    const text = pages[matrixPage] ?? ''
    for (const label of ['Sannolikhet', 'Konsekvens', '4 Sannolik', '1 Osannolik', '1 Försumbar', '4 Allvarlig']) {
      expect(text).toContain(label)
    }
    expect(text).toContain('12 Hög')
    expect(text).toContain('Risk för felaktiga utbetalningar sannolikhet 3 × konsekvens 4, riskvärde 12 (Hög)')
    expect(text).toContain(`Ej bedömda 1 ${demoContents[0]?.[0]}`)

    // The circle in the grid and the legend's line both jump to the risk's heading, on the page it is printed on.
    const doc = await loadPdf(pdf)
    const links = linkTargets(doc, matrixPage)
    expect(links.filter((target) => target === `risk-${scored}`)).toHaveLength(2)
    expect(links).toHaveLength(8)
    const headingPage = pages.findIndex((page, i) => i > 1 && page.includes('Risk: Risk för felaktiga utbetalningar'))
    expect(namedDestinationPages(doc).get(`risk-${scored}`)).toBe(headingPage + 1)
  })
})

/** The named destination of every internal link on a page (0-based). */
function linkTargets(doc: PDFDocument, pageIndex: number): string[] {
  const annots = doc.getPages()[pageIndex]?.node.lookup(PDFName.of('Annots'))
  if (!(annots instanceof PDFArray)) return []
  return annots
    .asArray()
    .map((ref) => doc.context.lookup(ref))
    .filter((annot): annot is PDFDict => annot instanceof PDFDict)
    .map((annot) => annot.get(PDFName.of('Dest')))
    .filter((dest) => dest instanceof PDFName)
    .map((dest) => (dest as PDFName).decodeText())
}

describe('final versions', () => {
  it('refuses to mark the report final without a name, and stores nothing', async () => {
    const { agent, db, planId } = await setup()
    const response = await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: '  ' }, 400)
    const $ = html(response.text)
    expect($('.error-summary').text()).toContain(finalMessage)
    expect($('#field-createdBy-error').text()).toContain(finalMessage)
    expect($('.report-toolbar p').text()).toContain('Rapporten har inte fastställts ännu.')
    expect(await db.selectFrom('report_version').select('id').execute()).toEqual([])
  })

  it('marks the report final and keeps the PDF with its author and SHA-256', async () => {
    const { agent, db, planId } = await setup()
    const answer = await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: author }, 303)
    expect(answer.headers.location).toBe(`/planer/${planId}/rapport#versions-heading`)

    const rows = await versionRows(agent, planId)
    expect(rows).toHaveLength(1)
    const [row] = rows as [(typeof rows)[number]]
    expect(row.cells.slice(0, 3)).toEqual(['1', '2021-03-15 10:00', author])
    expect(row.cells[3]).toMatch(/^\d+ kB$/)
    expect(row.cells[5]).toBe('Ladda ner version 1')
    const page = html((await agent.get(`/planer/${planId}/rapport`)).text)
    expect(page('.report-toolbar').text()).not.toContain('Rapporten har inte fastställts ännu.')

    const file = await download(agent, row.href as string)
    expect(file.headers['content-type']).toMatch(/^application\/pdf/)
    expect(savedFileName(file)).toBe('Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden (version 1).pdf')
    expect(file.body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(row.cells[4]).toBe(sha256(file.body))
    // The stored bytes never change: their hash is the ETag, and the browser may keep them.
    expect(file.headers.etag).toBe(`"${sha256(file.body)}"`)
    expect(file.headers['cache-control']).toBe('private, max-age=31536000, immutable')
    const cover = coverText(file.body)
    expect(cover).toContain('Uppföljning förbättringsåtgärder 2020')
    expect(cover).toContain(`Version 1, fastställd 2021-03-15 av ${author}`)
    expect(cover).not.toContain('Utkast')

    // The cover pins the audit log as it stood: audit:verify finds the printed head, and refuses a changed one.
    const printed =
      /Ändringsloggen vid fastställandet: (\d+) rader, kontrollsumma ([0-9a-f]{16}), signatur ([0-9a-f]{16})/.exec(
        cover,
      )
    expect(printed).not.toBeNull()
    const [count, shortHash, tag] = (printed as RegExpExecArray).slice(1) as [string, string, string]
    expect(cover).toContain(`audit:verify --rapport ${count}:${shortHash}:${tag}`)
    const missing = async (head: { count: number; shortHash: string; tag: string }) =>
      (await verifyAudit(db, { key: auditKey(), anchorFile: null, reportHeads: [head] })).findings.filter(
        (f) => f.kind === 'report-head-missing',
      )
    expect(await missing({ count: Number(count), shortHash, tag })).toEqual([])
    expect(await missing({ count: Number(count), shortHash, tag: '0123456789abcdef' })).toHaveLength(1)
  })

  it('serves a final version byte for byte after the plan changes, while the draft and a new version show the change', async () => {
    const { agent, db, planId } = await setup()
    await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: author }, 303)
    const [first] = await versionRows(agent, planId)
    const before = await download(agent, first?.href as string)

    const measure = await db
      .selectFrom('measure')
      .select('id')
      .where('title', '=', 'Fördjupad analys och upprättande av handlingsplan')
      .executeTakeFirstOrThrow()
    const newTitle = 'Ny rubrik efter fastställandet'
    await editThroughForm(agent, `/planer/${planId}/atgarder/${measure.id}/redigera`, { title: newTitle })
    expect(
      html((await agent.get(`/planer/${planId}/rapport`)).text)('.report-measure h4')
        .first()
        .text(),
    ).toBe(`Åtgärd: ${newTitle}`)

    const after = await download(agent, first?.href as string)
    expect(after.body.equals(before.body)).toBe(true)
    expect(sha256(after.body)).toBe(first?.cells[4])
    expect(pdfText(after.body)).toContain('Åtgärd: Fördjupad analys och upprättande av handlingsplan')
    expect(pdfText(after.body)).not.toContain(newTitle)

    const draft = await download(agent, `/planer/${planId}/rapport/pdf`)
    expect(draft.body.equals(before.body)).toBe(false)
    expect(pdfText(draft.body)).toContain(`Åtgärd: ${newTitle}`)

    await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: 'Bertil Berg, förvaltningsekonom' }, 303)
    const rows = await versionRows(agent, planId)
    expect(rows.map((r) => [r.cells[0], r.cells[2], r.cells[5]])).toEqual([
      ['2', 'Bertil Berg, förvaltningsekonom', 'Ladda ner version 2'],
      ['1', author, 'Ladda ner version 1'],
    ])
    expect(rows[1]).toEqual(first)
    const second = await download(agent, rows[0]?.href as string)
    expect(savedFileName(second)).toBe('Uppföljning förbättringsåtgärder 2020 – Grundskolenämnden (version 2).pdf')
    const edition = 'Version 2, fastställd 2021-03-15 av Bertil Berg, förvaltningsekonom'
    expect(coverText(second.body)).toContain(edition)
    expect(pdfInfo(second.body)).toMatchObject({
      Author: 'Grundskolenämnden',
      Creator: 'Internkontroll',
      Subject: edition,
    })
    expect(pdfInfo(before.body).Subject).toBe(`Version 1, fastställd 2021-03-15 av ${author}`)
    expect(sha256(second.body)).toBe(rows[0]?.cells[4])
    expect(pdfText(second.body)).toContain(`Åtgärd: ${newTitle}`)
    expect((await download(agent, first?.href as string)).body.equals(before.body)).toBe(true)
  })

  it('says which version was stored, and the preview is that version until the plan changes', async () => {
    const { agent, db, planId } = await setup()
    const preview = async (path = `/planer/${planId}/rapport`) => html((await agent.get(path).expect(200)).text)
    for (const [version, by] of [
      [1, author],
      [2, 'Bertil Berg, förvaltningsekonom'],
    ] as const) {
      const answer = await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: by }, 303)
      const $ = await preview(answer.headers.location as string)
      expect($('main .notice[role="status"]').text()).toBe(`Rapporten är fastställd som version ${version}.`)
      expect($('.report-cover__edition').text()).toBe(`Version ${version}, fastställd 2021-03-15 av ${by}`)
    }
    expect((await preview())('.report-cover__edition').text()).toContain('Version 2')
    expect((await preview())('.report-toolbar p').first().text()).toMatch(
      /^Rapporten nedan är version 2, fastställd 2021-03-15 \d\d:\d\d: planen har inte ändrats sedan dess\./,
    )

    const measure = await db.selectFrom('measure').select('id').executeTakeFirstOrThrow()
    await editThroughForm(agent, `/planer/${planId}/atgarder/${measure.id}/redigera`, { title: 'Ändrad efteråt' })
    expect((await preview())('.report-cover__edition').text()).toBe('Utkast 2021-03-15 10:00')
    expect((await preview())('.report-toolbar p').first().text()).toMatch(
      /^Rapporten nedan är skapad från planens aktuella innehåll\./,
    )
  })

  it('is a draft again when the plan its risks came from changes, since it says what changed since last year', async () => {
    const { agent, db, planId } = await setup()
    const created = await submitForm(agent, `/planer/${planId}/nasta-ar`, { title: 'Internkontrollplan 2021' }, 303)
    const nextPlan = String(created.headers.location)
    await submitForm(agent, `${nextPlan}/rapport`, { createdBy: author }, 303)
    const edition = async () =>
      html((await agent.get(`${nextPlan}/rapport`).expect(200)).text)('.report-cover__edition').text()
    expect(await edition()).toBe(`Version 1, fastställd 2021-03-15 av ${author}`)
    const earlier = await db.selectFrom('risk').select('id').where('plan_id', '=', planId).executeTakeFirstOrThrow()
    await editThroughForm(agent, `/planer/${planId}/risker/${earlier.id}/redigera`, { likelihood: '3' })
    expect(await edition()).toBe('Utkast 2021-03-15 10:00')
  })

  it('stores one version when two people mark the same report final at once, and tells the other', async () => {
    const { agent, planId } = await setup()
    const page = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    const form = page(`form[action="/planer/${planId}/rapport/faststall"]`)
    const token = String(form.find('input[name="_csrf"]').val())
    expect(form.find('input[name="seenVersions"]').val()).toBe('0')
    const post = (createdBy: string) =>
      agent
        .post(`/planer/${planId}/rapport/faststall`)
        .type('form')
        .send({ _csrf: token, seenVersions: '0', createdBy })
    const answers = await Promise.all([post('Anna Andersson'), post('Bertil Berg')])
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409])
    const refused = answers.find((a) => a.status === 409)
    expect(html(refused?.text ?? '')('.error-summary').text()).toContain('Rapporten fastställdes nyss (version 1)')
    expect((await versionRows(agent, planId)).map((r) => r.cells[0])).toEqual(['1'])
  })

  it('answers 404 for an unknown version and for a version of another plan', async () => {
    const { agent, db, planId } = await setup()
    const otherPlanId = await anotherPlan(db)
    const otherVersion = await insertReportVersion(db, {
      planId: otherPlanId,
      versionNumber: 1,
      fileName: 'Annan plan (version 1).pdf',
      pdf: new TextEncoder().encode('%PDF-1.7 the other plan'),
      createdAt: '2021-03-01T09:00:00.000Z',
      createdBy: 'Cecilia Ceder',
    })
    // The other plan's version is there to be found, under its own plan.
    await download(agent, `/planer/${otherPlanId}/rapport/versioner/${otherVersion.id}`)

    for (const path of [
      `/planer/${planId}/rapport/versioner/${otherVersion.id}`,
      `/planer/${planId}/rapport/versioner/999999`,
      `/planer/${planId}/rapport/versioner/abc`,
      `/planer/999999/rapport/versioner/${otherVersion.id}`,
    ]) {
      const $ = html((await agent.get(path).expect(404)).text)
      expect($('h1').text(), path).toMatch(/^(Rapportversionen|Planen) finns inte$/)
    }
  })
})

describe('a plan changed while its final version is printed', () => {
  /** A real printer that, while it prints, lets the test change the plan as a colleague would. */
  class PrinterWithColleague extends PdfPrinter {
    meanwhile: (() => Promise<unknown>) | undefined
    override async printWithPageNumbers(...args: Parameters<PdfPrinter['printWithPageNumbers']>) {
      const printing = super.printWithPageNumbers(...args)
      const change = this.meanwhile
      this.meanwhile = undefined
      await change?.()
      return printing
    }
  }
  const printer = new PrinterWithColleague({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
  })
  afterAll(() => printer.close())

  it('stores no version (no PDF and no open-data copy of another moment), says why, and stores one when sent again', async () => {
    const app = await createTestApp({ today: '2021-03-15', pdf: printer })
    const { agent, db } = app
    const { planId } = await demoPlan(db)
    const measure = await db
      .selectFrom('measure')
      .select('id')
      .where('title', '=', 'Fördjupad analys och upprättande av handlingsplan')
      .executeTakeFirstOrThrow()
    const newTitle = 'Rubrik ändrad medan rapporten skapades'
    printer.meanwhile = () =>
      editThroughForm(agent, `/planer/${planId}/atgarder/${measure.id}/redigera`, { title: newTitle })

    const refused = await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: author }, 409)
    expect(html(refused.text)('.error-summary').text()).toContain('Planen ändrades medan rapporten skapades')
    expect(html(refused.text)('input[name="createdBy"]').val()).toBe(author)
    // The colleague's change is saved; nothing of the refused version is.
    expect(
      (await db.selectFrom('measure').select('title').where('id', '=', measure.id).executeTakeFirstOrThrow()).title,
    ).toBe(newTitle)
    expect(await db.selectFrom('report_version').select('id').execute()).toEqual([])

    await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: author }, 303)
    const stored = await db.selectFrom('report_version').select(['pdf', 'open_data']).executeTakeFirstOrThrow()
    const openData = JSON.parse(stored.open_data as string)
    const titles = openData.risks.flatMap((r: { measures: { title: string }[] }) => r.measures.map((m) => m.title))
    // The PDF and its open-data copy tell the same plan: both the changed title.
    expect(titles).toContain(newTitle)
    expect(pdfText(stored.pdf)).toContain(`Åtgärd: ${newTitle}`)
    expect(openData.finalReport.sha256).toBe(sha256(stored.pdf))
  })
})

describe('when Chromium cannot be started', () => {
  const missing = new PdfPrinter({ executablePath: '/nonexistent/chromium' })
  afterAll(() => missing.close())

  it('answers the draft PDF with 503 and a Swedish explanation at once, and the preview still works', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const app = await createTestApp({ pdf: missing })
      const { agent } = app
      const { planId } = await demoPlan(app.db)
      const started = Date.now()
      const response = await agent.get(`/planer/${planId}/rapport/pdf`).expect(503)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(response.headers['content-type']).toMatch(/^text\/html/)
      const $ = html(response.text)
      expect($('h1').text()).toBe('Det gick inte att skapa PDF-filen just nu')
      expect($('main p').first().text()).toContain('webbläsaren som skapar PDF-filer inte kunde startas')
      expect(response.text).not.toMatch(/\bat .+\.(ts|js):\d+/)
      expect($('pre')).toHaveLength(0)
      // The operator learns what is wrong from the log.
      expect(String(logged.mock.calls[0]?.[0])).toContain('/nonexistent/chromium')

      // Every attempt tries to start Chromium again, and fails the same way.
      await agent.get(`/planer/${planId}/rapport/pdf`).expect(503)

      const preview = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)
      expect(preview('.report-cover__title').text()).toBe('Uppföljning förbättringsåtgärder 2020')
    } finally {
      logged.mockRestore()
    }
  })
})

describe('when the PDF printer is busy', () => {
  const busy = busyPrinter()
  afterAll(() => busy.printer.close())

  it('says in Swedish that the PDF is being made for others, and offers to try again and to go back', async () => {
    const app = await createTestApp({ pdf: busy.printer })
    const { planId } = await demoPlan(app.db)
    const held = busy.hold()
    const refused = await app.agent.get(`/planer/${planId}/rapport/pdf`).expect(503)
    await held
    expect(refused.headers['retry-after']).toBe('10')
    const $ = html(refused.text)
    expect($('h1').text()).toBe('PDF-filen skapas strax')
    expect($('main p').first().text()).toBe(
      'Just nu skapas många PDF-filer åt andra. Din PDF-fil skapas så snart det blir din tur – ingenting har gått förlorat.',
    )
    const again = $('main a:contains("Försök igen nu")')
    expect(again.attr('href')).toBe(`/planer/${planId}/rapport/pdf`)
    // views/assets/app.js follows it by itself after these seconds, and waits for the download as on the report.
    expect(again.attr('data-retry-after')).toBe('10')
    expect(again.attr('data-busy-until')).toBe('ik_pdf_ready')
    expect($('main button:contains("Sluta försöka igen av sig själv")').attr('hidden')).toBeDefined()
    expect($('main a:contains("Tillbaka till rapporten")').attr('href')).toBe(`/planer/${planId}/rapport`)

    // Once the printer is free, the same link gives the PDF.
    const printed = await download(app.agent, String(again.attr('href')))
    expect(printed.body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  })

  it('keeps the Fastställ form and what was typed, stores nothing, and does not try again by itself', async () => {
    const app = await createTestApp({ pdf: busy.printer })
    const { planId } = await demoPlan(app.db)
    const page = html((await app.agent.get(`/planer/${planId}/rapport`).expect(200)).text)
    const token = String(page('input[name="_csrf"]').first().val())
    const held = busy.hold()
    const refused = await app.agent
      .post(`/planer/${planId}/rapport/faststall`)
      .type('form')
      .send({ _csrf: token, seenVersions: '0', createdBy: author })
      .expect(503)
    await held
    const $ = html(refused.text)
    expect($('.error-summary h2').text()).toBe('Rapporten är inte fastställd än')
    expect($('.error-summary p').text()).toBe(
      'Just nu skapas många PDF-filer åt andra. Din PDF-fil skapas så snart det blir din tur – ingenting har gått förlorat. ' +
        'Försök igen om en stund: det du skrivit finns kvar, och ingen version har sparats.',
    )
    const form = $(`form[action="/planer/${planId}/rapport/faststall"]`)
    expect(form.find('input[name="createdBy"]').val()).toBe(author)
    expect(form.find('input[name="seenVersions"]').val()).toBe('0')
    expect(form.find('button[type="submit"]').text()).toBe('Fastställ och spara PDF')
    expect($('[data-retry-after]')).toHaveLength(0)
    expect(await versionRows(app.agent, planId)).toEqual([])
    expect(
      await app.db.selectFrom('audit_event').select('id').where('entity', '=', 'report_version').execute(),
    ).toEqual([])

    // Sent again once the printer is free, the kept form stores version 1, once.
    await app.agent
      .post(`/planer/${planId}/rapport/faststall`)
      .type('form')
      .send({ _csrf: token, seenVersions: String(form.find('input[name="seenVersions"]').val()), createdBy: author })
      .expect(303)
    expect((await versionRows(app.agent, planId)).map((r) => r.cells[0])).toEqual(['1'])
  })
})

describe('deleting a plan with a final report', () => {
  it('is refused with 409 on the confirmation page and when the form is posted anyway', async () => {
    const { agent, db, planId } = await setup()
    await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: author }, 303)

    const confirm = await agent.get(`/planer/${planId}/ta-bort`).expect(409)
    const $ = html(confirm.text)
    expect($('.warning').text()).toContain(
      'Planen kan inte tas bort eftersom dess uppföljningsrapport har fastställts (1 version). Fastställda rapporter är allmänna handlingar och sparas.',
    )
    expect($('main button').filter((_, b) => /ta bort/i.test($(b).text()))).toHaveLength(0)
    expect($('main form')).toHaveLength(0)
    expect($('main a.button').text()).toBe('Tillbaka')

    // A valid token from another form of the same session: the refusal is not just a CSRF failure.
    const edit = html((await agent.get(`/planer/${planId}/redigera`).expect(200)).text)
    const token = edit('main form[method="post"] input[name="_csrf"]').val()
    expect(typeof token).toBe('string')
    const posted = await agent
      .post(`/planer/${planId}/ta-bort`)
      .type('form')
      .send({ _csrf: String(token) })
      .expect(409)
    expect(html(posted.text)('.warning').text()).toContain('Planen kan inte tas bort')

    expect(await db.selectFrom('plan').select('id').where('id', '=', planId).execute()).toHaveLength(1)
    expect(await db.selectFrom('risk').select('id').where('plan_id', '=', planId).execute()).toHaveLength(6)
    expect(await db.selectFrom('report_version').select('id').execute()).toHaveLength(1)
    await agent.get(`/planer/${planId}`).expect(200)
  })
})
