import { createHash } from 'node:crypto'
import supertest from 'supertest'
import { afterAll, describe, expect, it } from 'vitest'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { busyPrinter } from '../../test/helpers/busy-printer.js'
import { pageTexts, pdfInfo, squash } from '../../test/helpers/pdf.js'
import { asBytes } from '../../test/helpers/spreadsheets.js'
import { createTestApp, type DemoLogin, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { auditKey } from '../audit/anchor.js'
import { verifyAudit } from '../audit/verify.js'
import { insertRollupReportVersion } from './report-repository.js'

const today = '2021-03-15'
const year = 2021
const author = 'Kim Karlsson, kommunsekreterare'

async function setup(as: DemoLogin = 'samordnare', pdf?: PdfPrinter) {
  const app = await createTestApp({ as, currentYear: true, today, pdf })
  const municipality = await app.db.selectFrom('municipality').select(['id', 'name']).executeTakeFirstOrThrow()
  const page = `/kommun/${municipality.id}/${year}/sammanstallning`
  return { ...app, municipality, page }
}

async function download(agent: TestAgent, path: string) {
  const response = await agent.get(path).buffer(true).parse(asBytes)
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`)
  return response as typeof response & { body: Buffer }
}

/** The file name a browser saves the download as: the RFC 5987 `filename*`, decoded. */
const savedFileName = (response: { headers: Record<string, string> }) =>
  decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(String(response.headers['content-disposition']))?.[1] ?? '')

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** The rows of the table of final versions, each as the text of its cells and its download link. */
async function versionRows(agent: TestAgent, page: string) {
  const $ = html((await agent.get(page).expect(200)).text)
  return $('main table tbody tr')
    .map((_, row) => [
      {
        cells: $(row)
          .find('td')
          .map((_, cell) => $(cell).text().replace(/\s+/g, ' ').trim())
          .get(),
        href: String($(row).find('a').attr('href')),
      },
    ])
    .get()
}

describe('the roll-up report page', () => {
  it('is linked from the roll-up with its filter, and offers the draft, the final versions and the Fastställ form', async () => {
    const { agent, db, municipality, page } = await setup()
    const administration = await db
      .selectFrom('administration')
      .select(['id', 'name'])
      .where('name', '=', 'Grundskoleförvaltningen')
      .executeTakeFirstOrThrow()
    const rollup = html((await agent.get(`/kommun/${municipality.id}/${year}`).expect(200)).text)
    expect(rollup(`a[href="${page}"]`).text()).toBe('Sammanställning för kommunstyrelsen (PDF)')
    const filtered = html(
      (await agent.get(`/kommun/${municipality.id}/${year}?forvaltning=${administration.id}`).expect(200)).text,
    )
    expect(filtered(`a[href="${page}?forvaltning=${administration.id}"]`)).toHaveLength(1)

    const $ = html((await agent.get(page).expect(200)).text)
    expect($('h1').text()).toBe(`Sammanställning för kommunstyrelsen ${year}`)
    const draft = $('a[data-busy]')
    expect(draft.attr('href')).toBe(`${page}/pdf`)
    expect(draft.attr('data-busy')).toBe('Skapar PDF…')
    expect(draft.attr('data-busy-until')).toBe('ik_pdf_ready')
    expect($('[data-busy-note]')).toHaveLength(1)
    expect($('main').text()).toContain(`Sammanställningen för ${year} har inte fastställts ännu.`)
    const form = $(`form[action="${page}/faststall"]`)
    expect(form.attr('data-busy')).toBe('Skapar PDF…')
    expect(form.find('input[name="seenVersions"]').val()).toBe('0')
    expect(form.find('input[name="_csrf"]').val()).toBeTruthy()

    // With the roll-up's filter, the draft is that administration's.
    const one = html((await agent.get(`${page}?forvaltning=${administration.id}`).expect(200)).text)
    expect(one('a[data-busy]').attr('href')).toBe(`${page}/pdf?forvaltning=${administration.id}`)
    expect(one('main').text()).toContain(`för nämnder och bolag i ${administration.name}`)
    // The way back is to the roll-up as it was filtered, named as the roll-up's other pages name it.
    const back = one('nav.breadcrumbs a').last()
    expect(back.text()).toBe(`Sammanställning ${year}`)
    expect(back.attr('href')).toBe(`/kommun/${municipality.id}/${year}?forvaltning=${administration.id}`)
  })

  it('is the administrator’s and the coordinator’s: others are refused, and an unknown municipality or year is 404', async () => {
    for (const as of ['sekreterare', 'lasare', 'hr'] as const) {
      const { agent, page } = await setup(as)
      await agent.get(page).expect(403)
      await agent.get(`${page}/pdf`).expect(403)
    }
    // The coordinator of Malmö stad is no one's coordinator elsewhere.
    const { agent: coordinator, db } = await setup('samordnare')
    const other = await db
      .insertInto('municipality')
      .values({ name: 'Lunds kommun' })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const path of ['', '/pdf', '/versioner/1']) {
      await coordinator.get(`/kommun/${other.id}/${year}/sammanstallning${path}`).expect(403)
    }
    const { agent, page } = await setup('admin')
    await agent.get(page).expect(200)
    await agent.get(`/kommun/${other.id}/${year}/sammanstallning`).expect(404)
    await agent.get(`/kommun/999/${year}/sammanstallning`).expect(404)
    await agent.get(page.replace(String(year), '20x1')).expect(404)
  })
})

describe('the draft PDF', () => {
  it('downloads the whole municipality’s report as a draft, named after it', async () => {
    const { agent, page, municipality } = await setup()
    const file = await download(agent, `${page}/pdf`)
    expect(file.headers['content-type']).toMatch(/^application\/pdf/)
    expect(savedFileName(file)).toBe(`Sammanställning intern kontroll ${year} – ${municipality.name} (utkast).pdf`)
    expect(file.headers['set-cookie']?.toString()).toContain('ik_pdf_ready=1')
    const cover = squash(pageTexts(file.body)[0] ?? '')
    expect(cover).toContain(
      `${municipality.name} Sammanställning av nämndernas och bolagens uppföljning av intern kontroll ${year} Kommunstyrelsen`,
    )
    expect(cover).toContain('Utkast 2021-03-15 10:00')
    expect(pdfInfo(file.body).Title).toBe(
      `Sammanställning av nämndernas och bolagens uppföljning av intern kontroll ${year} – ${municipality.name}`,
    )
  })

  it('covers one administration when the roll-up was filtered, and refuses a filter naming none', async () => {
    const { agent, db, page } = await setup()
    const administration = await db
      .selectFrom('administration')
      .select(['id', 'name'])
      .where('name', '=', 'Förskoleförvaltningen')
      .executeTakeFirstOrThrow()
    const file = await download(agent, `${page}/pdf?forvaltning=${administration.id}`)
    expect(savedFileName(file)).toContain(`(utkast, ${administration.name}).pdf`)
    const text = squash(pageTexts(file.body).join(' '))
    expect(text).toContain(`Urval: ${administration.name}`)
    expect(text).toContain('Förskolenämnden')
    expect(text).not.toContain('Grundskolenämnden')
    await agent.get(`${page}/pdf?forvaltning=999`).expect(404)
  })
})

describe('final versions of the roll-up report', () => {
  it('refuses to mark it final without a name, keeps the form, and stores nothing', async () => {
    const { agent, db, page } = await setup()
    const response = await submitForm(agent, page, { createdBy: '  ' }, 400, `${page}/faststall`)
    const $ = html(response.text)
    expect($('.error-summary').text()).toContain('Ange vem som fastställer sammanställningen')
    expect(await db.selectFrom('rollup_report_version').select('id').execute()).toEqual([])
  })

  it('marks it final, audited, and serves the stored PDF byte for byte with its SHA-256', async () => {
    const { agent, app, db, page, municipality } = await setup()
    const answer = await submitForm(agent, page, { createdBy: author }, 303, `${page}/faststall`)
    expect(answer.headers.location).toBe(`${page}#versions-heading`)
    const notice = html((await agent.get(page).expect(200)).text)
    expect(notice('[role="status"]').first().text()).toContain('Sammanställningen är fastställd som version 1.')

    const rows = await versionRows(agent, page)
    expect(rows).toHaveLength(1)
    const [row] = rows as [(typeof rows)[number]]
    expect(row.cells.slice(0, 3)).toEqual(['1', '2021-03-15 10:00', author])
    const file = await download(agent, row.href)
    expect(savedFileName(file)).toBe(`Sammanställning intern kontroll ${year} – ${municipality.name} (version 1).pdf`)
    expect(row.cells[4]).toBe(sha256(file.body))
    // The stored bytes never change: their hash is the ETag, and the browser may keep them.
    expect(file.headers.etag).toBe(`"${sha256(file.body)}"`)
    expect(file.headers['cache-control']).toBe('private, max-age=31536000, immutable')
    const stored = await db.selectFrom('rollup_report_version').selectAll().executeTakeFirstOrThrow()
    expect(Buffer.from(stored.pdf).equals(file.body)).toBe(true)
    expect(stored).toMatchObject({
      municipality_id: municipality.id,
      year,
      version_number: 1,
      byte_size: file.body.length,
    })
    const cover = squash(pageTexts(file.body)[0] ?? '')
    expect(cover).toContain(`Version 1, fastställd 2021-03-15 av ${author}`)
    expect(cover).toMatch(/Ändringsloggen vid fastställandet: \d+ rader/)
    expect(cover).not.toContain('Utkast')

    // One audit row, outside any plan, by the coordinator, which the administrator's log shows.
    const events = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('entity', '=', 'rollup_report_version')
      .execute()
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ action: 'create', entity_id: stored.id, plan_id: null })
    const coordinator = await db
      .selectFrom('app_user')
      .select('name')
      .where('email', '=', 'samordnare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    expect(events[0]?.user_name).toBe(coordinator.name)
    expect(JSON.parse(String(events[0]?.after))).toMatchObject({ sha256: stored.sha256, created_by: author })
    // audit:verify finds the stored bytes as logged, and names a PDF swapped behind the app's back.
    const verify = async () =>
      (await verifyAudit(db, { key: auditKey(), anchorFile: null, reportHeads: [] })).findings.map((f) => f.message)
    expect(await verify()).toEqual([])
    await db
      .updateTable('rollup_report_version')
      .set({ pdf: new TextEncoder().encode('%PDF-1.7 en annan fil') })
      .where('id', '=', stored.id)
      .execute()
    expect(await verify()).toEqual([
      `Fastställd sammanställning ${stored.id} (”${stored.file_name}”) har ändrats utan att ändringen loggats: ` +
        'PDF-filen är inte den som fastställdes, dess SHA-256 skiljer sig från den sparade.',
    ])
    const admin = supertest.agent(app)
    await logIn(admin, 'admin')
    const log = html((await admin.get('/logg?typ=rollup_report_version').expect(200)).text)
    expect(log('main').text()).toContain('Fastställd sammanställning')
  })

  it('answers 404 for an unknown version and for one of another year', async () => {
    const { agent, db, page, municipality } = await setup()
    const other = await insertRollupReportVersion(db, {
      municipalityId: municipality.id,
      year: 2020,
      versionNumber: 1,
      fileName: 'Sammanställning 2020 (version 1).pdf',
      pdf: new TextEncoder().encode('%PDF-1.7 2020'),
      createdAt: '2021-01-01T09:00:00.000Z',
      createdBy: 'Kim Karlsson',
    })
    const file = await download(agent, `/kommun/${municipality.id}/2020/sammanstallning/versioner/${other}`)
    expect(file.body.toString('latin1')).toBe('%PDF-1.7 2020')
    for (const path of [`${page}/versioner/${other}`, `${page}/versioner/999999`, `${page}/versioner/abc`]) {
      await agent.get(path).expect(404)
    }
  })
})

describe('two people marking it final at once', () => {
  /** A real printer that holds each print until `expected` prints have started: all posts are then past the first count. */
  class GatheringPrinter extends PdfPrinter {
    printsStarted = 0
    expected = 2
    private readonly gathered: Promise<void>
    private letThrough!: () => void
    constructor() {
      super({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' })
      this.gathered = new Promise((resolve) => {
        this.letThrough = resolve
      })
    }
    override async printWithPageNumbers(...args: Parameters<PdfPrinter['printWithPageNumbers']>) {
      this.printsStarted += 1
      if (this.printsStarted >= this.expected) this.letThrough()
      await this.gathered
      return super.printWithPageNumbers(...args)
    }
  }
  const printer = new GatheringPrinter()
  afterAll(() => printer.close())

  it('stores one version, counted again in the write’s transaction, and tells the other', async () => {
    const { agent, app, page } = await setup('samordnare', printer)
    const other = supertest.agent(app)
    await logIn(other, 'admin')
    const tokenOf = async (a: TestAgent) =>
      String(html((await a.get(page).expect(200)).text)(`form[action="${page}/faststall"] input[name="_csrf"]`).val())
    const [mine, theirs] = [await tokenOf(agent), await tokenOf(other)]
    const post = (a: TestAgent, token: string, createdBy: string) =>
      a.post(`${page}/faststall`).type('form').send({ _csrf: token, seenVersions: '0', createdBy })
    const answers = await Promise.all([post(agent, mine, author), post(other, theirs, 'Ada Admin')])
    // Both were printed, so both passed the count before printing: only the count in the transaction told them apart.
    expect(printer.printsStarted).toBe(2)
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409])
    const refused = answers.find((a) => a.status === 409)
    const $ = html(refused?.text ?? '')
    expect($('.error-summary').text()).toContain('Sammanställningen fastställdes nyss (version 1)')
    // What was typed is kept, and the form now counts the stored version.
    expect($('input[name="createdBy"]').val()).toMatch(/^(Ada Admin|Kim Karlsson, kommunsekreterare)$/)
    expect($('input[name="seenVersions"]').val()).toBe('1')
    expect((await versionRows(agent, page)).map((r) => r.cells[0])).toEqual(['1'])
    // Once seen, a second version may be made final.
    await submitForm(agent, page, { createdBy: author }, 303, `${page}/faststall`)
    expect((await versionRows(agent, page)).map((r) => r.cells[0])).toEqual(['2', '1'])
  })

  it('refuses a post without the count of versions seen (400), keeps what was typed, and stores nothing', async () => {
    const { agent, db, page } = await setup('samordnare', printer)
    const token = String(
      html((await agent.get(page).expect(200)).text)(`form[action="${page}/faststall"] input[name="_csrf"]`).val(),
    )
    const refused = await agent
      .post(`${page}/faststall`)
      .type('form')
      .send({ _csrf: token, createdBy: author })
      .expect(400)
    const $ = html(refused.text)
    expect($('.error-summary').text()).toContain('Ladda om sidan och fastställ igen')
    expect($('.error-summary').text()).not.toContain('fastställdes nyss')
    expect($('input[name="createdBy"]').val()).toBe(author)
    expect(await db.selectFrom('rollup_report_version').select('id').execute()).toEqual([])
  })
})

describe('when the PDF printer is busy', () => {
  const busy = busyPrinter()
  afterAll(() => busy.printer.close())

  it('keeps the Fastställ form and what was typed, stores nothing, and stores version 1 when sent again', async () => {
    const { agent, db, page } = await setup('samordnare', busy.printer)
    const token = String(
      html((await agent.get(page).expect(200)).text)(`form[action="${page}/faststall"] input[name="_csrf"]`).val(),
    )
    const held = busy.hold()
    const refused = await agent
      .post(`${page}/faststall`)
      .type('form')
      .send({ _csrf: token, seenVersions: '0', createdBy: author })
      .expect(503)
    await held
    const $ = html(refused.text)
    expect($('.error-summary h2').text()).toBe('Sammanställningen är inte fastställd än')
    expect($('.error-summary p').text()).toContain(
      'Försök igen om en stund: det du skrivit finns kvar, och ingen version har sparats.',
    )
    const form = $(`form[action="${page}/faststall"]`)
    expect(form.find('input[name="createdBy"]').val()).toBe(author)
    expect(form.find('input[name="seenVersions"]').val()).toBe('0')
    expect(await db.selectFrom('rollup_report_version').select('id').execute()).toEqual([])
    await agent
      .post(`${page}/faststall`)
      .type('form')
      .send({ _csrf: token, seenVersions: '0', createdBy: author })
      .expect(303)
    expect((await versionRows(agent, page)).map((r) => r.cells[0])).toEqual(['1'])
  })

  it('answers the draft with the busy page, which leads back to the report page', async () => {
    const { agent, page } = await setup('samordnare', busy.printer)
    const held = busy.hold()
    const refused = await agent.get(`${page}/pdf`).expect(503)
    await held
    const $ = html(refused.text)
    expect($('h1').text()).toBe('PDF-filen skapas strax')
    expect($('main a:contains("Försök igen nu")').attr('href')).toBe(`${page}/pdf`)
    expect($('main a:contains("Tillbaka till sammanställningen")').attr('href')).toBe(page)
  })
})
