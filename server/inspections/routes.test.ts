import type { CheerioAPI } from 'cheerio'
import type { Response } from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { demoDataActor } from '../../db/seed/demo.js'
import { aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { busyPrinter } from '../../test/helpers/busy-printer.js'
import { pageTexts, pageWords, squash } from '../../test/helpers/pdf.js'
import { createTestApp, html, submitForm, type TestAgent } from '../../test/helpers/test-app.js'

const register = '/externa-granskningar'
const inspectionHref = (inspection: { id: number }) => `${register}/${inspection.id}`
const areaHref = (area: { id: number; inspection_id: number }) => `${register}/${area.inspection_id}/omraden/${area.id}`

/** A demo inspection (looked up by its principal, not assumed) with its development areas in decision order. */
async function demoInspection(db: Db, principal: string) {
  const inspection = await db
    .selectFrom('inspection')
    .selectAll()
    .where('principal', '=', principal)
    .executeTakeFirstOrThrow()
  const areas = await db
    .selectFrom('development_area')
    .selectAll()
    .where('inspection_id', '=', inspection.id)
    .orderBy('position')
    .execute()
  const area = (heading: string) => {
    const found = areas.find((a) => a.heading === heading)
    if (!found) throw new Error(`${principal} has no area ${heading}`)
    return found
  }
  return { ...inspection, areas, area }
}

const compensatory = 'Huvudmannens kompensatoriska arbete'
const grading = 'Rättvisande och likvärdiga betyg (Asmundtorps skola)'

/** The two measures of the grading risk that the demo links Landskrona's area to, in their order in the plan. */
async function landskronaMeasureTitles(db: Db): Promise<[string, string]> {
  const area = (await demoInspection(db, 'Landskrona kommun')).area(grading)
  const measures = await db
    .selectFrom('measure')
    .innerJoin('development_area_measure as link', 'link.measure_id', 'measure.id')
    .select('measure.title')
    .where('link.area_id', '=', area.id)
    .orderBy('measure.position')
    .execute()
  expect(measures).toHaveLength(2)
  return measures.map((m) => m.title) as [string, string]
}

/** Borlänge's compensatory work: left with further measures needed when Skolinspektionen closed the inspection. */
async function borlangeOpenArea(db: Db) {
  return (await demoInspection(db, 'Borlänge kommun')).area(compensatory)
}

async function demoCommitteeId(db: Db): Promise<number> {
  return (
    await db.selectFrom('committee').select('id').where('name', '=', 'Grundskolenämnden').executeTakeFirstOrThrow()
  ).id
}

/** A risk in a plan of a committee the secretary has nothing to do with. */
async function riskOfAnotherCommittee(db: Db): Promise<number> {
  const administration = await db
    .selectFrom('administration')
    .select(['id', 'municipality_id'])
    .executeTakeFirstOrThrow()
  const committee = await db
    .insertInto('committee')
    .values({
      municipality_id: administration.municipality_id,
      administration_id: administration.id,
      name: 'Gymnasie- och vuxenutbildningsnämnden',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const plan = await db
    .insertInto('plan')
    .values({
      committee_id: committee.id,
      year: 2020,
      title: 'Internkontrollplan 2020',
      introduction: '',
      measures_introduction: '',
      adopted_meeting_date: null,
      adopted_minutes_paragraph: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return aRisk(db, plan.id, { title: 'Betygssättning i gymnasieskolan' })
}

/** What a secretary types into the registration form for an inspection of the demo committee. */
function inspectionFields(committeeId: number, changes: Record<string, string> = {}): Record<string, string> {
  return {
    committeeId: String(committeeId),
    authority: 'skolinspektionen',
    kind: 'planned_quality_review',
    title: 'Planerad kvalitetsgranskning av Malmö stad',
    authorityDiaryNumber: '2024:1234',
    principal: 'Malmö stad',
    subject: 'Huvudmannanivå',
    period: 'höstterminen 2024',
    decisionDate: '2024-12-17',
    reportDeadline: '2025-06-06',
    approvalMeetingDate: '',
    approvalMinutesParagraph: '',
    reportSentDate: '',
    followUpDecisionDate: '',
    signatories: 'Beslutsfattare: Kerstin Martinsson\nFöredragande: Douglas Rinaldo',
    ...changes,
  }
}

/** Registers an inspection through the form; returns the address of its page. */
async function registerInspection(agent: TestAgent, fields: Record<string, string>): Promise<string> {
  const created = await submitForm(agent, `${register}/ny`, fields, 303)
  return created.headers.location as string
}

async function page(agent: TestAgent, path: string): Promise<CheerioAPI> {
  return html((await agent.get(path).expect(200)).text)
}

/** The rows of the tables under a selector, each as the squashed text of its cells. */
function rows($: CheerioAPI, selector: string): string[][] {
  return $(selector)
    .find('tbody tr')
    .map((_, row) => [
      $(row)
        .find('td')
        .map((_, cell) => squash($(cell).text()))
        .get(),
    ])
    .get()
}

/** A summary list as `term: description` pairs, lines of a description joined by " / ". */
function summary($: CheerioAPI): Record<string, string> {
  return Object.fromEntries(
    $('.summary-list > div')
      .map((_, entry) => {
        const description = $(entry).find('dd').clone()
        description.find('br').replaceWith(' / ')
        return [[squash($(entry).find('dt').text()), squash(description.text())]]
      })
      .get(),
  )
}

/** The state tag an area page shows below its heading. */
const areaStateOf = ($: CheerioAPI) => squash($('main h1 + .error-summary + p, main h1 + p').find('.tag').text())

/**
 * Posts to an action no form on the page offers (as a stale page or a crafted request would), with the session's
 * CSRF token taken from another form, so that the answer is the route's own and not a CSRF refusal.
 */
async function postWithToken(agent: TestAgent, formPage: string, action: string, fields: Record<string, string>) {
  const $ = await page(agent, formPage)
  const token = $('main form[method="post"] input[name="_csrf"]').first().val()
  expect(typeof token).toBe('string')
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: String(token), ...fields })
}

/** The audit rows of a development area, oldest first, with the links its snapshot records after each change. */
async function areaAuditRows(db: Db, areaId: number) {
  const events = await db
    .selectFrom('audit_event')
    .select(['action', 'plan_id', 'committee_id', 'after'])
    .where('entity', '=', 'development_area')
    .where('entity_id', '=', areaId)
    .where('user_name', '!=', demoDataActor)
    .orderBy('id')
    .execute()
  return events.map((e) => {
    const after = JSON.parse(e.after ?? '{}') as { risks?: number[]; measures?: number[] }
    return {
      action: e.action,
      planId: e.plan_id,
      committeeId: e.committee_id,
      risks: after.risks,
      measures: after.measures,
    }
  })
}

/** Collects a response body as raw bytes, whatever its content type (as in server/reports/routes.test.ts). */
function binary(res: Response, done: (error: Error | null, body: Buffer) => void) {
  // In Node, superagent hands a parser the response stream itself.
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
}

async function download(agent: TestAgent, path: string): Promise<Response & { body: Buffer }> {
  const response = await agent.get(path).buffer(true).parse(binary)
  if (response.status !== 200) {
    throw new Error(`GET ${path}: expected 200, got ${response.status}: ${String(response.body)}`)
  }
  return response as Response & { body: Buffer }
}

/** Checks that each part occurs in the text, after the one before it. */
function expectInOrder(text: string, parts: string[]) {
  let from = 0
  for (const part of parts) {
    const at = text.indexOf(part, from)
    expect(at, `"${part}" after position ${from}`).toBeGreaterThanOrEqual(from)
    from = at + part.length
  }
}

/** The text of the whole PDF as pdftotext reads it, whitespace collapsed. */
const pdfText = (bytes: Uint8Array) => squash(pageTexts(bytes).join(' '))

// Printing starts a real Chromium.
const pdfTimeout = 60_000

/** The form on an inspection's page that makes its report to the authority, with the values it shows. */
async function accountForm(agent: TestAgent, inspection: { id: number }) {
  const $ = await page(agent, inspectionHref(inspection))
  const form = $(`main form[method="get"][action="${inspectionHref(inspection)}/redovisning"]`)
  expect(form).toHaveLength(1)
  const values = Object.fromEntries(
    form
      .find('input')
      .map((_, input) => [[$(input).attr('name'), String($(input).val())]])
      .get(),
  ) as Record<string, string>
  return { $, action: String(form.attr('action')), values }
}

/** Submits that form as a browser does, with what was typed over the values it shows. */
async function requestAccount(agent: TestAgent, inspection: { id: number }, typed: Record<string, string> = {}) {
  const { action, values } = await accountForm(agent, inspection)
  return `${action}?${new URLSearchParams({ ...values, ...typed })}`
}

const signer = {
  name: 'Anna Andersson',
  role: 'förvaltningsdirektör',
  email: 'anna.andersson@malmo.se',
  phone: '040-34 10 00',
}

describe('registering an inspection', () => {
  it('registers an inspection from the form and shows what was typed on its page and in the register', async () => {
    const { agent, db } = await createTestApp({ today: '2025-01-10' })
    const form = await page(agent, `${register}/ny`)
    expect(form('h1').text()).toBe('Registrera extern granskning')
    expect(form('#field-authority option[selected]').text()).toBe('Skolinspektionen')

    const href = await registerInspection(agent, inspectionFields(await demoCommitteeId(db)))
    expect(href).toMatch(/^\/externa-granskningar\/\d+$/)
    const $ = await page(agent, href)
    expect($('h1').text()).toBe('Planerad kvalitetsgranskning av Malmö stad')
    expect($('main .caption').first().text()).toBe(
      'Skolinspektionen · Planerad kvalitetsgranskning · Grundskolenämnden',
    )
    expect(summary($)).toEqual({
      Huvudman: 'Malmö stad',
      'Granskad skola eller enhet': 'Huvudmannanivå',
      Period: 'höstterminen 2024',
      'Myndighetens diarienummer': '2024:1234',
      Beslut: '2024-12-17',
      'Redovisas senast': '2025-06-06',
      'Nämndens godkännande': 'Inget beslut registrerat',
      Redovisningen: '147 dagar kvar',
      Uppföljningsbeslut: '–',
      Granskningen: 'Pågående',
      Undertecknare: 'Beslutsfattare: Kerstin Martinsson / Föredragande: Douglas Rinaldo',
    })
    expect($('main').text()).toContain('Inga utvecklingsområden registrerade ännu.')

    const list = await page(agent, register)
    const row = list('#register-heading')
      .parent()
      .find('tbody tr')
      .filter((_, r) => list(r).text().includes('Malmö stad'))
    expect(row.find('a').attr('href')).toBe(href)
  })

  const refusals: { case: string; change: Record<string, string>; field: string; message: string }[] = [
    {
      case: 'a missing title',
      change: { title: '' },
      field: 'title',
      message: 'Ange granskningens rubrik, som i beslutet.',
    },
    {
      case: 'an impossible date',
      change: { decisionDate: '2021-02-30' },
      field: 'decisionDate',
      message: 'Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.',
    },
    {
      case: 'a report deadline before the decision',
      change: { reportDeadline: '2024-12-01' },
      field: 'reportDeadline',
      message: 'Sista dag för redovisningen kan inte vara före beslutsdatumet 2024-12-17.',
    },
  ]

  it.each(refusals)(
    'refuses $case with a Swedish message, keeps what was typed and stores nothing',
    async ({ change, field, message }) => {
      const { agent, db } = await createTestApp()
      const fields = inspectionFields(await demoCommitteeId(db), change)
      const $ = html((await submitForm(agent, `${register}/ny`, fields, 400)).text)
      expect($('.error-summary').text()).toContain(message)
      expect(squash($(`#field-${field}-error`).text())).toBe(`Fel: ${message}`)
      // The user's own input comes back, the faulty value included.
      expect($(`#field-${field}`).val()).toBe(fields[field])
      expect($('#field-principal').val()).toBe('Malmö stad')
      expect($('#field-kind option[selected]').val()).toBe('planned_quality_review')
      expect(await db.selectFrom('inspection').select('id').execute()).toHaveLength(4)
      const logged = db.selectFrom('audit_event').select('id').where('entity', '=', 'inspection')
      expect(await logged.where('user_name', '!=', demoDataActor).execute()).toEqual([])
    },
  )

  // Fails: Handlebars indents every line of an indented partial's output, the textarea's content included.
  it('gives multi-line text back exactly as typed, so saving the edit form unchanged changes nothing', async () => {
    const { agent, db } = await createTestApp()
    const fields = inspectionFields(await demoCommitteeId(db))
    // Shown again after a refused post…
    const refused = html((await submitForm(agent, `${register}/ny`, { ...fields, title: '' }, 400)).text)
    expect.soft(refused('#field-signatories').text()).toBe(fields.signatories)
    // …and on the edit page, whose textarea the browser sends back as it shows it.
    const href = await registerInspection(agent, fields)
    const form = await page(agent, `${href}/redigera`)
    expect.soft(form('#field-signatories').text()).toBe(fields.signatories)
    await submitForm(agent, `${href}/redigera`, { ...fields, signatories: form('#field-signatories').text() }, 303)
    const stored = await db
      .selectFrom('inspection')
      .select('signatories')
      .where('id', '=', Number(href.split('/').at(-1)))
      .executeTakeFirstOrThrow()
    expect(stored.signatories).toBe(fields.signatories)
  })

  it('is not offered to a reader, who gets 403 on the form', async () => {
    const { agent } = await createTestApp({ as: 'lasare' })
    const $ = await page(agent, register)
    expect($('a[href="/externa-granskningar/ny"]')).toHaveLength(0)
    await agent.get(`${register}/ny`).expect(403)
  })

  it('adds a development area to an inspection, shown on the area page and in the inspection’s list', async () => {
    const { agent, db } = await createTestApp()
    const inspection = await registerInspection(agent, inspectionFields(await demoCommitteeId(db)))
    const created = await submitForm(
      agent,
      `${inspection}/omraden/ny`,
      {
        heading: 'Huvudmannens analys av studieresultat och trygghet',
        legalBasis: '1 kap. 9 §, 4 kap. 3, 5–7 §§ skollagen',
        initialAssessment: 'Huvudmannen gör i låg utsträckning relevanta analyser.',
        requiredDevelopment: 'Malmö stad behöver **utveckla** sin analys av studieresultat.',
        outcome: '',
        outcomeComment: '',
      },
      303,
    )
    const href = created.headers.location as string
    expect(href).toMatch(new RegExp(`^${inspection}/omraden/\\d+$`))

    const $ = await page(agent, href)
    expect($('h1').text()).toBe('Utvecklingsområde: Huvudmannens analys av studieresultat och trygghet')
    // Not assessed yet, in an inspection the authority has not closed.
    expect(areaStateOf($)).toBe('Pågående')
    expect(summary($)).toMatchObject({
      Författningsstöd: '1 kap. 9 §, 4 kap. 3, 5–7 §§ skollagen',
      Huvudman: 'Malmö stad · Huvudmannanivå',
      'Bedömning i uppföljningen': 'Inte bedömt ännu',
    })
    expect($('h2:contains("Vad som behöver utvecklas") + .prose strong').text()).toBe('utveckla')
    expect($('main').text()).toContain('Inte kopplat till någon risk ännu.')

    const list = await page(agent, inspection)
    expect(rows(list, 'main table:not(.record-history)')).toEqual([
      ['Huvudmannens analys av studieresultat och trygghet', 'Inte bedömt ännu', 'Pågående', '0'],
    ])
  })

  it('refuses an area without a heading', async () => {
    const { agent, db } = await createTestApp()
    const perstorp = await demoInspection(db, 'Perstorps kommun')
    const fields = { heading: '', legalBasis: '', initialAssessment: '', requiredDevelopment: 'Text', outcome: '' }
    const $ = html((await submitForm(agent, `${inspectionHref(perstorp)}/omraden/ny`, fields, 400)).text)
    expect($('#field-heading-error').text()).toContain('Ange utvecklingsområdets rubrik.')
    expect($('#field-requiredDevelopment').text()).toBe('Text')
    expect(
      await db.selectFrom('development_area').select('id').where('inspection_id', '=', perstorp.id).execute(),
    ).toHaveLength(2)
  })
})

describe('linking a development area to risks and measures', () => {
  /** Perstorp's first area, which the demo links to nothing, and the 2020 plan's first risk and its measure. */
  async function setup() {
    const app = await createTestApp()
    const plan = await demoPlan(app.db)
    const risk = plan.risks[0] as { id: number; title: string }
    const measure = await app.db
      .selectFrom('measure')
      .select(['id', 'title'])
      .where('risk_id', '=', risk.id)
      .executeTakeFirstOrThrow()
    const area = (await demoInspection(app.db, 'Perstorps kommun')).area(
      'Huvudmannens analys av studieresultat och trygghet',
    )
    return { ...app, ...plan, risk, measure, area, areaPage: areaHref(area) }
  }

  const perstorpLabel =
    'Skolinspektionen: Perstorps kommun, beslut 2024-12-17 – Huvudmannens analys av studieresultat och trygghet'

  it('links and unlinks a risk and a measure, shown on the area, risk and measure pages, each change in the log', async () => {
    const { agent, db, planId, risk, measure, area, areaPage } = await setup()
    const linked = await submitForm(agent, areaPage, { riskId: String(risk.id) }, 303, `${areaPage}/risker`)
    expect(linked.headers.location).toBe(`${areaPage}#risks-heading`)
    await submitForm(agent, areaPage, { measureId: String(measure.id) }, 303, `${areaPage}/atgarder`)

    let $ = await page(agent, areaPage)
    expect(rows($, 'h2#risks-heading + table').map((r) => r.slice(0, 2))).toEqual([['2020', risk.title]])
    expect(rows($, 'h2#measures-heading + table')).toEqual([
      [measure.title, 'Grundskolenämnden', 'Genomförd – fortsatt arbete', '2020', expect.stringMatching(/^Kopplad/)],
    ])
    // What is linked is no longer offered in the lists.
    expect($(`#field-riskId option[value="${risk.id}"]`)).toHaveLength(0)
    expect($(`#field-measureId option[value="${measure.id}"]`)).toHaveLength(0)

    const riskPage = `/planer/${planId}/risker/${risk.id}`
    const riskLinks = (await page(agent, riskPage))('dt:contains("Externa granskningar") + dd a')
    expect(riskLinks.text()).toBe(perstorpLabel)
    expect(riskLinks.attr('href')).toBe(areaPage)
    expect(summary(await page(agent, `/planer/${planId}/atgarder/${measure.id}`))['Kopplad till']).toBe(perstorpLabel)

    await submitForm(agent, areaPage, { riskId: String(risk.id) }, 303, `${areaPage}/risker/ta-bort`)
    await submitForm(agent, areaPage, { measureId: String(measure.id) }, 303, `${areaPage}/atgarder/ta-bort`)
    $ = await page(agent, areaPage)
    expect($('main').text()).toContain('Inte kopplat till någon risk ännu.')
    expect($('main').text()).toContain('Inga åtgärder ännu.')
    expect((await page(agent, riskPage))('dt:contains("Externa granskningar")')).toHaveLength(0)

    // The area's snapshot after each change shows its links; the rows belong to the committee, not to a plan.
    const committeeId = await demoCommitteeId(db)
    const change = (risks: number[], measures: number[]) => ({
      action: 'update',
      planId: null,
      committeeId,
      risks,
      measures,
    })
    expect(await areaAuditRows(db, area.id)).toEqual([
      change([risk.id], []),
      change([risk.id], [measure.id]),
      change([], [measure.id]),
      change([], []),
    ])
    // Unlinking again changes nothing, and the log records no change.
    const again = await postWithToken(agent, areaPage, `${areaPage}/risker/ta-bort`, { riskId: String(risk.id) })
    expect(again.status).toBe(303)
    expect(await areaAuditRows(db, area.id)).toHaveLength(4)
  })

  it('refuses a risk of another committee and one that does not exist with 400, linking nothing', async () => {
    const { agent, db, area, areaPage } = await setup()
    const foreignRisk = await riskOfAnotherCommittee(db)
    for (const riskId of [foreignRisk, 999_999]) {
      const $ = html((await submitForm(agent, areaPage, { riskId: String(riskId) }, 400, `${areaPage}/risker`)).text)
      expect($('.error-summary').text(), String(riskId)).toContain('Välj en risk i listan.')
      expect($('#field-riskId-error').text(), String(riskId)).toContain('Välj en risk i listan.')
    }
    const $ = html((await submitForm(agent, areaPage, { measureId: '999999' }, 400, `${areaPage}/atgarder`)).text)
    expect($('#field-measureId-error').text()).toContain('Välj en åtgärd i listan.')

    expect(await db.selectFrom('development_area_risk').selectAll().where('area_id', '=', area.id).execute()).toEqual(
      [],
    )
    expect(
      await db.selectFrom('development_area_measure').selectAll().where('area_id', '=', area.id).execute(),
    ).toEqual([])
    expect(await areaAuditRows(db, area.id)).toEqual([])
  })

  it('creates a measure from the area that shows the area as its origin', async () => {
    const { agent, db, planId, unit } = await setup()
    // The demo links Landskrona's area to the 2020 plan's grading risk; "Ny åtgärd härifrån" starts from there.
    const area = (await demoInspection(db, 'Landskrona kommun')).area(grading)
    const areaPage = areaHref(area)
    const gradingRisk = await db
      .selectFrom('risk')
      .select('id')
      .where('title', '=', 'Diskrepans mellan betyg på nationella proven och betyg')
      .executeTakeFirstOrThrow()
    const newMeasure = (await page(agent, areaPage))('a:contains("Ny åtgärd härifrån")').attr('href') as string
    expect(newMeasure).toBe(`/planer/${planId}/atgarder/ny?risk=${gradingRisk.id}&ursprung=${area.id}`)

    const form = await page(agent, newMeasure)
    expect(form('#field-riskId option[selected]').val()).toBe(String(gradingRisk.id))
    expect(form('#field-originAreaId option[selected]').val()).toBe(String(area.id))
    // The heading's own brackets are the option's last: none meet the principal's.
    expect(form('#field-originAreaId option[selected]').text()).toBe(
      `Skolinspektionen: Landskrona kommun, beslut 2021-12-06 – ${grading}`,
    )
    expect(
      form('select option')
        .map((_, o) => form(o).text())
        .get()
        .filter((text) => /\)\s*[()]|\(\s*\(/.test(text)),
    ).toEqual([])
    const title = 'Kollegial bedömning av nationella prov på Asmundtorps skola'
    const created = await submitForm(
      agent,
      newMeasure,
      {
        riskId: String(gradingRisk.id),
        title,
        whatToDo: 'Lärarna sambedömer proven.',
        progress: '',
        ownerUnitId: String(unit('Utbildningsområden')),
        responsiblePerson: '',
        dueDate: '',
        status: 'not_started',
        originAreaId: String(form('#field-originAreaId option[selected]').val()),
      },
      303,
    )

    const measure = await page(agent, created.headers.location as string)
    expect(summary(measure).Ursprung).toBe(
      `Utvecklingsområde i extern granskning: Skolinspektionen: Landskrona kommun, beslut 2021-12-06 – ${grading}`,
    )
    expect(measure('dt:contains("Ursprung") + dd a').attr('href')).toBe(areaPage)

    const $ = await page(agent, areaPage)
    const row = rows($, 'h2#measures-heading + table').find((r) => r[0] === title)
    expect(row).toEqual([title, 'Utbildningsområden', 'Ej påbörjad', '2020', 'Har sitt ursprung här'])
  })
})

describe('deadline page', () => {
  // The demo's reports: Perstorp sent 2025-06-10 after its deadline 2025-06-06, Borlänge before its deadline.
  const today = '2025-07-01'

  it('shows each sent report as in time or late, the late one marked', async () => {
    const { agent } = await createTestApp({ today })
    const $ = await page(agent, `${register}/tidsfrister`)
    const sent = $('#sent-heading').parent()
    const row = (principal: string) => sent.find('tbody tr').filter((_, r) => $(r).text().includes(principal))
    expect(squash(row('Perstorps kommun').find('td').eq(2).text())).toBe('Skickad 4 dagar för sent')
    expect(row('Perstorps kommun').find('.tag--overdue').text()).toBe('Skickad 4 dagar för sent')
    expect(squash(row('Borlänge kommun').find('td').eq(2).text())).toBe('Skickad i tid')
    expect(row('Borlänge kommun').find('.tag--overdue')).toHaveLength(0)
    expect($('#due-heading').parent().text()).toContain('Ingen redovisning väntar.')
  })

  it('counts down to the coming deadlines, nearest first, and marks an overdue report', async () => {
    const { agent, db } = await createTestApp({ today })
    const committeeId = await demoCommitteeId(db)
    const inspection = (title: string, reportDeadline: string) =>
      registerInspection(agent, inspectionFields(committeeId, { title, decisionDate: '2025-01-15', reportDeadline }))
    await inspection('Granskning med tid kvar', '2025-08-30')
    await inspection('Granskning nära sin tidsfrist', '2025-07-11')
    await inspection('Granskning som är försenad', '2025-06-26')

    const $ = await page(agent, `${register}/tidsfrister`)
    const due = $('#due-heading').parent().find('tbody tr')
    expect(
      due.map((_, r) => [[squash($(r).find('td').eq(2).find('a').text()), squash($(r).find('td').eq(1).text())]]).get(),
    ).toEqual([
      ['Granskning som är försenad', 'Försenad med 5 dagar'],
      ['Granskning nära sin tidsfrist', '10 dagar kvar'],
      ['Granskning med tid kvar', '60 dagar kvar'],
    ])
    const overdue = due.first()
    expect(overdue.hasClass('row--alert')).toBe(true)
    expect(overdue.find('.tag--overdue').text()).toBe('Försenad med 5 dagar')
    expect(due.slice(1).filter('.row--alert')).toHaveLength(0)
    expect(due.slice(1).find('.tag--overdue')).toHaveLength(0)
  })
})

describe('areas left open after the authority closes the inspection', () => {
  /** The open areas on the register page, each as its heading with the inspection's principal. */
  async function openAreas(agent: TestAgent) {
    const $ = await page(agent, register)
    return rows($, '#open-heading + p + table').map(([heading, inspection]) => `${heading} (${inspection})`)
  }

  /** The areas a plan's page offers, as their link texts. */
  async function offered(agent: TestAgent, planId: number) {
    const $ = await page(agent, `/planer/${planId}`)
    return $('.offered-areas li > a:first-child')
      .map((_, a) => $(a).text())
      .get()
  }

  const borlangeLabel = `Skolinspektionen: Borlänge kommun, beslut 2023-02-02 – ${compensatory}`
  const trelleborgLabel = `Skolinspektionen: Trelleborgs kommun, beslut 2021-03-23 – ${compensatory}`

  it('keeps Borlänge’s compensatory work open, and no area the authority assessed otherwise', async () => {
    const { agent, db } = await createTestApp()
    // Trelleborg's follow-up also left its compensatory work with further measures needed.
    expect(await openAreas(agent)).toEqual([
      `${compensatory} (Skolinspektionen: Borlänge kommun, beslut 2023-02-02)`,
      `${compensatory} (Skolinspektionen: Trelleborgs kommun, beslut 2021-03-23)`,
    ])
    // The register counts as open what that list shows: Trelleborg's other area awaits the authority's follow-up.
    const register = await page(agent, '/externa-granskningar')
    const trelleborg = rows(register, '#register-heading + table').find((row) => row[1]?.includes('Trelleborg'))
    expect(trelleborg?.[4]).toBe('2 (1 öppet)')

    const borlange = await demoInspection(db, 'Borlänge kommun')
    const $ = await page(agent, inspectionHref(borlange))
    expect(summary($).Granskningen).toBe('Avslutad av myndigheten')
    expect(
      rows($, 'main table:not(.record-history)').map(([heading, outcome, state]) => [heading, outcome, state]),
    ).toEqual([
      [
        'Huvudmannens analys av studieresultat och trygghet',
        'Arbete påbörjat i linje med bedömningen',
        'Avslutat av myndigheten',
      ],
      [compensatory, 'Ytterligare åtgärder behövs', 'Öppet – ytterligare åtgärder behövs'],
    ])
    const area = await page(agent, areaHref(borlange.area(compensatory)))
    expect(areaStateOf(area)).toBe('Öppet – ytterligare åtgärder behövs')
    expect(area('main .tag--open').text()).toBe('Öppet – ytterligare åtgärder behövs')

    for (const principal of ['Perstorps kommun', 'Landskrona kommun']) {
      for (const closed of (await demoInspection(db, principal)).areas) {
        expect(areaStateOf(await page(agent, areaHref(closed))), closed.heading).toBe('Avslutat av myndigheten')
      }
    }
  })

  it('is offered to a plan from 2024, not to the 2020 plan, until a risk of the plan takes it up', async () => {
    const { agent, db } = await createTestApp()
    const { planId: plan2020 } = await demoPlan(db)
    const plan2023 = await anotherPlan(db, 2023)
    const plan2024 = await anotherPlan(db, 2024)
    const area = await borlangeOpenArea(db)
    expect(await offered(agent, plan2020)).toEqual([])
    expect((await page(agent, `/planer/${plan2020}`))('#offered-heading')).toHaveLength(0)
    // Borlänge's report went in 2023: its area is offered from the plan of the year after.
    expect(await offered(agent, plan2023)).toEqual([trelleborgLabel])
    expect(await offered(agent, plan2024)).toEqual([borlangeLabel, trelleborgLabel])
    const planPage = await page(agent, `/planer/${plan2024}`)
    expect(planPage('#offered-heading').text()).toBe('Öppna utvecklingsområden från externa granskningar')

    // "Lägg till som risk" beside Borlänge's area.
    const takeUp = planPage('.offered-areas li')
      .filter((_, li) => planPage(li).text().includes('Borlänge kommun'))
      .find('a:contains("Lägg till som risk")')
      .attr('href') as string
    expect(takeUp).toBe(`/planer/${plan2024}/risker/ny?omrade=${area.id}`)
    const form = await page(agent, takeUp)
    expect(form('#field-title').val()).toBe(compensatory)
    expect(form('#field-description').text()).toBe(area.required_development)
    expect(squash(form('main .lead').text())).toBe(
      `Risken tas upp från utvecklingsområdet ${borlangeLabel} och kopplas till det.`,
    )

    // The secretary keeps the prefilled text and posts the form.
    const created = await submitForm(
      agent,
      takeUp,
      {
        title: String(form('#field-title').val()),
        description: form('#field-description').text(),
        likelihood: '3',
        consequence: '3',
        treatment: 'review',
        scope: 'committee',
      },
      303,
    )
    const riskPage = created.headers.location as string
    expect(riskPage).toMatch(new RegExp(`^/planer/${plan2024}/risker/\\d+$`))
    const risk = await page(agent, riskPage)
    expect(risk('h1').text()).toBe(`Risk: ${compensatory}`)
    expect(risk('dt:contains("Externa granskningar") + dd a').text()).toBe(borlangeLabel)
    expect(rows(await page(agent, areaHref(area)), 'h2#risks-heading + table').map((r) => r.slice(0, 2))).toEqual([
      ['2024', compensatory],
    ])
    expect(await offered(agent, plan2024)).toEqual([trelleborgLabel])

    const riskId = Number(riskPage.split('/').at(-1))
    const committeeId = await demoCommitteeId(db)
    expect(await areaAuditRows(db, area.id)).toEqual([
      { action: 'update', planId: null, committeeId, risks: [riskId], measures: [] },
    ])
  })

  it('is closed by the committee, after which it is neither open nor offered, and a second closing from the old page is refused', async () => {
    const { agent, db } = await createTestApp()
    const plan2024 = await anotherPlan(db, 2024)
    const area = await borlangeOpenArea(db)
    const areaPage = areaHref(area)
    await submitForm(
      agent,
      areaPage,
      { meetingDate: '2024-09-23', minutesParagraph: '137' },
      303,
      `${areaPage}/avsluta`,
    )

    const $ = await page(agent, areaPage)
    expect(areaStateOf($)).toBe('Avslutat av nämnden')
    expect(summary($)['Avslutat av nämnden']).toBe('Sammanträde 2024-09-23, protokoll §137')
    expect($(`form[action="${areaPage}/avsluta"]`)).toHaveLength(0)
    expect(await openAreas(agent)).toEqual([
      `${compensatory} (Skolinspektionen: Trelleborgs kommun, beslut 2021-03-23)`,
    ])
    expect(await offered(agent, plan2024)).toEqual([trelleborgLabel])

    // The form a colleague still has open was based on the version before the closing.
    const again = await postWithToken(agent, areaPage, `${areaPage}/avsluta`, {
      meetingDate: '2024-10-21',
      version: String(area.version),
    })
    expect(again.status).toBe(409)
    expect(html(again.text)('h1').text()).toBe('Någon annan hann ändra först')
    const closed = await db
      .selectFrom('development_area')
      .select(['closed_meeting_date', 'closed_minutes_paragraph'])
      .where('id', '=', area.id)
      .executeTakeFirstOrThrow()
    expect(closed).toEqual({ closed_meeting_date: '2024-09-23', closed_minutes_paragraph: 137 })
  })

  it('refuses to close an area the authority did not leave open, and a closing without a meeting date', async () => {
    const { agent, db } = await createTestApp()
    const finished = (await demoInspection(db, 'Perstorps kommun')).area(compensatory)
    const finishedPage = areaHref(finished)
    expect((await page(agent, finishedPage))(`form[action="${finishedPage}/avsluta"]`)).toHaveLength(0)
    // No page offers the form for such an area; a post made anyway closes nothing.
    const refused = await postWithToken(agent, finishedPage, `${finishedPage}/avsluta`, {
      meetingDate: '2025-09-23',
      version: String(finished.version),
    })
    expect(refused.status).toBe(303)

    const open = await borlangeOpenArea(db)
    const openPage = areaHref(open)
    const undated = html((await submitForm(agent, openPage, { meetingDate: '' }, 400, `${openPage}/avsluta`)).text)
    expect(undated('#field-meetingDate-error').text()).toContain('Ange datum för nämndens sammanträde.')

    const areas = await db
      .selectFrom('development_area')
      .select('id')
      .where('closed_meeting_date', 'is not', null)
      .execute()
    expect(areas).toEqual([])
    expect(await areaAuditRows(db, finished.id)).toEqual([])
  })
})

describe('PDFs', () => {
  it(
    'prints the report to the authority on Landskrona’s inspection, with the area and the measures taken',
    async () => {
      const { agent, db } = await createTestApp()
      const landskrona = await demoInspection(db, 'Landskrona kommun')
      const response = await download(agent, await requestAccount(agent, landskrona, signer))
      expect(response.headers['content-type']).toMatch(/^application\/pdf/)
      expect(response.body.subarray(0, 5).toString('latin1')).toBe('%PDF-')

      const text = pdfText(response.body)
      const area = landskrona.area(grading)
      const [first, second] = await landskronaMeasureTitles(db)
      // In the order the authority reads it: what was asked for, then what was done.
      const inOrder = [
        'Redovisning av vidtagna åtgärder',
        `Utvecklingsområde: ${grading}`,
        'Vad som behöver utvecklas',
        squash(area.required_development),
        'Vidtagna åtgärder',
        first,
        'Status: Genomförd – fortsatt arbete',
        '(Utbildningsområden)',
        second,
        'Status: Genomförd',
        '(Utbildningsområden)',
        'Planerade åtgärder',
        'Inga ytterligare åtgärder planerade.',
      ]
      expectInOrder(text, inOrder)
    },
    pdfTimeout,
  )

  it('answers, while the PDF printer is busy, with a page that tries the same report again and leads back', async () => {
    const busy = busyPrinter()
    try {
      const { agent, db } = await createTestApp({ pdf: busy.printer })
      const landskrona = await demoInspection(db, 'Landskrona kommun')
      const path = `${inspectionHref(landskrona)}/redovisning?${new URLSearchParams(signer)}`
      const held = busy.hold()
      const refused = await agent.get(path).expect(503)
      await held
      expect(refused.headers['retry-after']).toBe('10')
      const $ = html(refused.text)
      expect($('h1').text()).toBe('PDF-filen skapas strax')
      expect($('main a:contains("Försök igen nu")').attr('href')).toBe(path)
      expect($('main a:contains("Tillbaka till granskningen")').attr('href')).toBe(inspectionHref(landskrona))
    } finally {
      await busy.printer.close()
    }
  })

  it('refuses the report to the authority to a reader', async () => {
    const { agent, db } = await createTestApp({ as: 'lasare' })
    const landskrona = await demoInspection(db, 'Landskrona kommun')
    const $ = await page(agent, inspectionHref(landskrona))
    expect($('#account-heading, form[action$="/redovisning"]')).toHaveLength(0)
    await agent.get(`${inspectionHref(landskrona)}/redovisning?${new URLSearchParams(signer)}`).expect(403)
  })

  it(
    'dates the report to the authority the day it was sent when that is registered, and today until then',
    async () => {
      const { agent, db } = await createTestApp({ today: '2026-12-02' })
      const dated = async (principal: string) => {
        const inspection = await demoInspection(db, principal)
        const { $ } = await accountForm(agent, inspection)
        const said = squash($('#account-heading').next('p').text())
        const first = pageTexts((await download(agent, await requestAccount(agent, inspection, signer))).body)[0]
        return { said, letter: /Datum\s+(\S+)/.exec(first ?? '')?.[1] }
      }
      // Trelleborg's report went to Skolinspektionen on 2021-09-22; Landskrona's is not sent yet.
      expect(await dated('Trelleborgs kommun')).toEqual({
        said: 'Redovisningen dateras 2021-09-22, den dag den skickades till Skolinspektionen.',
        letter: '2021-09-22',
      })
      expect(await dated('Landskrona kommun')).toEqual({
        said: 'Redovisningen dateras i dag, 2026-12-02. När du registrerat att den skickats dateras den med det datumet.',
        letter: '2026-12-02',
      })
    },
    pdfTimeout,
  )

  it(
    'lists the linked measures not yet done under Planerade åtgärder, with what is to be done and by when',
    async () => {
      const { agent, db } = await createTestApp()
      const { risks, unit } = await demoPlan(db)
      const riskId = risks[0]?.id as number
      const trelleborg = await demoInspection(db, 'Trelleborgs kommun')
      const area = trelleborg.area(compensatory)
      const owner = unit('Utbildningsområden')
      const measures = [
        await aMeasure(db, riskId, owner, { title: 'Kartlägg elevhälsans insatser', status: 'done' }),
        await aMeasure(db, riskId, owner, {
          title: 'Inför stödsamtal för elever med låg närvaro',
          status: 'in_progress',
          dueDate: '2021-12-17',
          whatToDo: '**Alla mentorer** håller stödsamtal:\n\n- varje månad\n- med vårdnadshavare',
          progress: 'Rutinen är skriven.',
        }),
        await aMeasure(db, riskId, owner, { title: 'Följ upp närvaron per skola', status: 'not_started' }),
        await aMeasure(db, riskId, owner, { title: 'Köp ett nytt närvarosystem', status: 'cancelled' }),
      ]
      for (const id of measures) {
        await submitForm(agent, areaHref(area), { measureId: String(id) }, 303, `${areaHref(area)}/atgarder`)
      }
      const text = pdfText((await download(agent, await requestAccount(agent, trelleborg, signer))).body)
      const section = text.slice(text.indexOf(`Utvecklingsområde: ${compensatory}`))
      expectInOrder(section, [
        'Vidtagna åtgärder',
        'Kartlägg elevhälsans insatser',
        'Status: Genomförd',
        'Planerade åtgärder',
        'Inför stödsamtal för elever med låg närvaro',
        'Status: Pågående · Klart senast 2021-12-17',
        'Vad ska göras',
        'Alla mentorer håller stödsamtal: varje månad med vårdnadshavare',
        'Hittills genomfört',
        'Rutinen är skriven.',
        'Följ upp närvaron per skola',
        'Status: Ej påbörjad',
        'Vad ska göras',
        'Rutinen ska beskriva kontrollen.',
        'För Grundskolenämnden',
      ])
      // Markdown is printed as text, and a cancelled measure was neither taken nor is it planned.
      expect(section).not.toContain('**')
      expect(text).not.toContain('Köp ett nytt närvarosystem')
    },
    pdfTimeout,
  )

  it(
    'signs the report with the name and role chosen on the inspection’s page, by default the signed-in secretary',
    async () => {
      const { agent, db } = await createTestApp()
      const landskrona = await demoInspection(db, 'Landskrona kommun')
      const secretary = await db
        .selectFrom('app_user')
        .select(['name', 'email'])
        .where('email', '=', 'sekreterare@demo.internkontroll.se')
        .executeTakeFirstOrThrow()
      const { values } = await accountForm(agent, landskrona)
      expect(values).toEqual({ name: secretary.name, role: 'Kontaktperson', email: secretary.email, phone: '' })

      const lastPage = async (typed: Record<string, string>) =>
        squash(pageTexts((await download(agent, await requestAccount(agent, landskrona, typed))).body).at(-1) ?? '')
      expect(await lastPage({})).toMatch(
        new RegExp(`För Grundskolenämnden ${secretary.name} Kontaktperson E-post: ${secretary.email} Sida \\d`),
      )
      expect(await lastPage(signer)).toContain(
        'För Grundskolenämnden Anna Andersson förvaltningsdirektör E-post: anna.andersson@malmo.se Telefon: 040-34 10 00',
      )
    },
    pdfTimeout,
  )

  it('refuses a signer without a name, with too long a role or a wrong e-mail, keeping what was typed', async () => {
    const { agent, db } = await createTestApp()
    const landskrona = await demoInspection(db, 'Landskrona kommun')
    const typed = { name: ' ', role: 'r'.repeat(101), email: 'anna.andersson', phone: '<script>alert(1)</script>' }
    const refused = await agent.get(await requestAccount(agent, landskrona, typed)).expect(400)
    const $ = html(refused.text)
    expect($('h1').text()).toBe(landskrona.title)
    expect(
      $('.error-summary li')
        .map((_, li) => $(li).text())
        .get(),
    ).toEqual([
      'Ange namnet på den som undertecknar redovisningen.',
      'Texten får vara högst 100 tecken lång.',
      'Ange en e-postadress, till exempel anna.andersson@kommun.se, eller lämna fältet tomt.',
      'Ange telefonnumret med siffror, till exempel 0418-47 00 00, eller lämna fältet tomt.',
    ])
    expect(squash($('#field-role-error').text())).toBe('Fel: Texten får vara högst 100 tecken lång.')
    // Kept as typed, and as text: the typed markup is a field's value, not part of the page.
    const kept = Object.fromEntries(['name', 'role', 'email', 'phone'].map((f) => [f, $(`#field-${f}`).val()]))
    expect(kept).toEqual({ ...typed, name: ' ' })
    expect($('script:not([src])')).toHaveLength(0)
  })

  it(
    'numbers every page of the report to the authority, the first too, and lines up the values of its letterhead',
    async () => {
      const { agent, db } = await createTestApp()
      const trelleborg = await demoInspection(db, 'Trelleborgs kommun')
      const pdf = (await download(agent, await requestAccount(agent, trelleborg, signer))).body
      const pages = pageTexts(pdf).map(squash)
      expect(pages.length).toBeGreaterThan(1)
      expect(pages.map((p) => /Sida \d+ \(\d+\)/.exec(p)?.[0])).toEqual(
        pages.map((_, i) => `Sida ${i + 1} (${pages.length})`),
      )

      // Till / Er beteckning / Datum: each value is the word after its label, and all start at one edge.
      const words = pageWords(pdf)[0] ?? []
      const after = (label: string) => words[words.findIndex((w) => w.text === label) + 1]
      const values = ['Till', 'beteckning', 'Datum'].map(after)
      expect(values.map((w) => w?.text)).toEqual(['Skolinspektionen', 'Dnr', '2021-09-22'])
      const edges = values.map((w) => w?.x ?? 0)
      expect(Math.max(...edges) - Math.min(...edges)).toBeLessThan(0.5)
    },
    pdfTimeout,
  )

  it(
    'puts Landskrona’s inspection with its outcome and linked measures in the annual report and its contents',
    async () => {
      const { agent, db } = await createTestApp()
      const { planId } = await demoPlan(db)
      const landskrona = await demoInspection(db, 'Landskrona kommun')
      const pages = pageTexts((await download(agent, `/planer/${planId}/rapport/pdf`)).body).map((p) => squash(p))

      const contents = pages.find((p) => p.includes('Innehållsförteckning')) as string
      const entry = /Externa granskningar (\d+)/.exec(contents)
      expect(entry, contents).not.toBeNull()
      // The page the contents point at holds the section.
      const section = pages[Number(entry?.[1]) - 1] as string
      expect(section).toMatch(/^Externa granskningar/)
      expect(section).toContain(landskrona.title)
      expect(section).toContain(`Utvecklingsområde: ${grading}`)
      expect(section).toContain('Bedömning: Kvaliteten har höjts')

      const [first, second] = await landskronaMeasureTitles(db)
      const text = pages.join(' ')
      expect(text).toContain(`${first} – Genomförd – fortsatt arbete (Utbildningsområden, plan 2020)`)
      expect(text).toContain(`${second} – Genomförd (Utbildningsområden, plan 2020)`)
    },
    pdfTimeout,
  )
})
