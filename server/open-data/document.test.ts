import { createHash } from 'node:crypto'
import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { aControl, aMeasure, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp } from '../../test/helpers/test-app.js'
import { insertReportVersion } from '../reports/repository.js'
import { openCsvColumns, openDataCsv } from './csv.js'
import { frozenOpenData, type OpenPlanDocument, openPlanDocument, planSchemaPath } from './document.js'
import schema from './plan.schema.json' with { type: 'json' }

const ajv = new Ajv2020.default({ strict: true, allErrors: true })
addFormats.default(ajv)
const validate = ajv.compile(schema)

function expectValid(document: unknown) {
  const valid = validate(document)
  expect(validate.errors ?? []).toEqual([])
  expect(valid).toBe(true)
}

const now = new Date('2026-12-07T10:00:00Z')

/** A strict RFC 4180 reader (";" between fields), independent of the code under test. */
function readCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') {
      if (field !== '') throw new Error(`A quote inside an unquoted field at ${i}`)
      quoted = true
    } else if (ch === ';') {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else if (ch === '\n' || ch === '\r') throw new Error(`A bare line break outside quotes at ${i}`)
    else field += ch
  }
  if (field !== '' || row.length > 0) throw new Error('The last line has no CRLF')
  return rows
}

/** A plan of the demo municipality's committee with a copy of a municipality-wide review, rows inserted directly. */
async function municipalityWideCopy(db: Db) {
  const { planId, unit } = await demoPlan(db)
  const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  const item = await db
    .insertInto('municipal_item')
    .values({
      municipality_id: municipality.id,
      year: 2020,
      kind: 'review',
      title: 'Granskning av leverantörsfakturor',
      description: 'Risk för felaktiga utbetalningar på grund av bristande attest.',
      treatment: 'review',
      diary_number: 'KS 2020/0472',
      created_at: '2020-01-10T09:00:00.000Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.insertInto('municipal_item_committee').values({ item_id: item.id, committee_id: committee.id }).execute()
  const risk = await db
    .insertInto('risk')
    .values({
      plan_id: planId,
      title: 'Granskning av leverantörsfakturor',
      description: 'Risk för felaktiga utbetalningar på grund av bristande attest.',
      likelihood: 2,
      consequence: 3,
      treatment: 'review',
      scope: 'municipality_wide',
      position: 99,
      previous_risk_id: null,
      municipal_item_id: item.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('review')
    .values({
      plan_id: planId,
      risk_id: risk.id,
      diary_number: 'KS 2020/0472',
      title: 'Granskning av leverantörsfakturor',
      meeting_date: '2020-11-18',
      minutes_paragraph: 160,
      position: 99,
      municipal_item_id: item.id,
      result: 'Attesten följdes i **19 av 20** fakturor.',
    })
    .execute()
  await aMeasure(db, risk.id, unit('HR-avdelningen'), { title: 'Utbilda attestanter', dueDate: '2020-12-31' })
  return { planId, itemId: item.id, riskId: risk.id }
}

describe('the open-data document', () => {
  it('of the demo plan follows the schema: risks in order with scores, measures with status and unit, reviews', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId, risks } = await demoPlan(db)
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    expectValid(document)
    expect(document.schema).toBe(planSchemaPath)
    expect(schema.$id).toBe(planSchemaPath)
    expect(document).toMatchObject({
      asOf: '2026-12-07',
      municipality: { name: 'Malmö stad' },
      committee: { name: 'Grundskolenämnden', kind: 'committee', kindLabel: 'Nämnd' },
      administration: { name: 'Grundskoleförvaltningen', diaryPrefix: 'GRF' },
      plan: { year: 2020 },
      finalReport: null,
    })
    expect(document.risks.map((r) => r.title)).toEqual(risks.map((r) => r.title))
    expect(document.risks.map((r) => r.number)).toEqual(risks.map((_, i) => i + 1))
    expect(document.risks.flatMap((r) => r.measures)).toHaveLength(12)
    const measure = document.risks.flatMap((r) => r.measures).find((m) => m.ownerUnit === 'HR-avdelningen')
    expect(measure).toMatchObject({ ownerUnit: 'HR-avdelningen' })
    expect(document.reviews).toHaveLength(8)
    expect(document.reviews[0]?.diaryNumber).toMatch(/^GRF-2020-/)
  })

  it('derives the score, its band and overdue as of the day, with codes and Swedish labels', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId, unit } = await demoPlan(db)
    const riskId = await aRisk(db, planId, { title: 'Poängsatt risk' })
    await aMeasure(db, riskId, unit('HR-avdelningen'), { status: 'in_progress', dueDate: '2026-12-06' })
    await aMeasure(db, riskId, unit('HR-avdelningen'), { status: 'done', dueDate: '2026-12-06' })
    await aMeasure(db, riskId, unit('HR-avdelningen'), { status: 'in_progress', dueDate: '2026-12-07' })
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    expectValid(document)
    const risk = document.risks.find((r) => r.title === 'Poängsatt risk')
    expect(risk).toMatchObject({
      likelihood: 3,
      likelihoodLabel: 'Möjlig',
      consequence: 4,
      consequenceLabel: 'Allvarlig',
      score: 12,
      scoreBand: 'high',
      scoreBandLabel: 'Hög',
      treatment: 'review',
      treatmentLabel: 'Granskning',
      scope: 'committee',
      scopeLabel: 'Nämndens egen',
      municipalItem: null,
    })
    expect(risk?.measures.map((m) => [m.status, m.statusLabel, m.overdue])).toEqual([
      ['in_progress', 'Pågående', true],
      ['done', 'Genomförd', false],
      ['in_progress', 'Pågående', false],
    ])
  })

  it('of a plan with controls carries each control and its occasions with results, samples and deviations', async () => {
    const { db } = await createTestApp({ as: null, currentYear: true, today: '2026-12-07' })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.name', '=', 'Förskolenämnden')
      .executeTakeFirstOrThrow()
    const document = (await openPlanDocument(db, plan.id, { now })) as OpenPlanDocument
    expectValid(document)
    const controls = document.risks.flatMap((r) => r.controls)
    expect(controls).toHaveLength(6)
    const occasions = controls.flatMap((c) => c.occasions)
    const reported = occasions.filter((o) => o.result !== null)
    expect(reported.length).toBeGreaterThan(0)
    expect(reported.some((o) => o.result === 'deviations' && (o.deviationCount ?? 0) > 0)).toBe(true)
    expect(reported.some((o) => o.sampleSize !== null)).toBe(true)
    expect(new Set(controls.map((c) => c.frequency)).size).toBe(6)
    expect(controls[0]).toMatchObject({ reportedToLabel: expect.any(String), ownerUnit: expect.any(String) })
  })

  it('of a company’s plan names whom its controls report to as the company’s pages do: Styrelse, Bolagets ledning', async () => {
    const { db } = await createTestApp({ as: null, currentYear: true, today: '2026-12-07' })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.kind', '=', 'company')
      .executeTakeFirstOrThrow()
    const risk = await db.selectFrom('risk').select('id').where('plan_id', '=', plan.id).executeTakeFirstOrThrow()
    const unit = await db.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
    const toBoard = await aControl(db, risk.id, unit.id, { title: 'Till styrelsen' })
    const toManagement = await aControl(db, risk.id, unit.id, { title: 'Till ledningen' })
    await db
      .updateTable('control')
      .set({ reported_to: 'management', method: 'own', method_own: 'Bolagets egen genomgång' })
      .where('id', '=', toManagement)
      .execute()
    const document = (await openPlanDocument(db, plan.id, { now })) as OpenPlanDocument
    expectValid(document)
    expect(document.committee.kind).toBe('company')
    const controls = document.risks.flatMap((r) => r.controls)
    expect(controls.find((c) => c.id === toBoard)).toMatchObject({
      reportedTo: 'committee',
      reportedToLabel: 'Styrelse',
    })
    expect(controls.find((c) => c.id === toManagement)).toMatchObject({
      reportedTo: 'management',
      reportedToLabel: 'Bolagets ledning',
      method: 'own',
      methodLabel: 'Bolagets egen genomgång',
    })
    expect(new Set(controls.map((c) => c.reportedToLabel))).toEqual(new Set(['Styrelse', 'Bolagets ledning']))
  })

  it('of a municipality-wide copy names the item and kommunstyrelsen’s diary number, on the risk and the review', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId, itemId, riskId } = await municipalityWideCopy(db)
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    expectValid(document)
    const risk = document.risks.find((r) => r.id === riskId)
    expect(risk).toMatchObject({
      scope: 'municipality_wide',
      scopeLabel: 'Kommungemensam',
      municipalItem: { id: itemId, diaryNumber: 'KS 2020/0472' },
      score: 6,
      scoreBand: 'medium',
    })
    const review = document.reviews.find((r) => r.municipalItem !== null)
    expect(review).toMatchObject({
      riskId,
      diaryNumber: 'KS 2020/0472',
      meetingDate: '2020-11-18',
      minutesParagraph: 160,
      result: 'Attesten följdes i **19 av 20** fakturor.',
      municipalItem: { id: itemId, diaryNumber: 'KS 2020/0472' },
    })
    expect(document.reviews.filter((r) => r.municipalItem === null)).toHaveLength(8)
  })

  it('of a final report carries its version, time and the PDF’s SHA-256, and follows the schema', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId } = await demoPlan(db)
    const pdf = new TextEncoder().encode('%PDF-1.7 test')
    const createdAt = '2021-03-15T09:00:00.000Z'
    const read = (await openPlanDocument(db, planId, { now: new Date(createdAt) })) as OpenPlanDocument
    const sha256 = createHash('sha256').update(pdf).digest('hex')
    const frozen = frozenOpenData(read, { versionNumber: 2, createdAt, sha256 })
    const document = JSON.parse(frozen as string)
    expectValid(document)
    expect(document.finalReport).toEqual({
      versionNumber: 2,
      createdAt: '2021-03-15T09:00:00.000Z',
      sha256,
    })
    expect(document.asOf).toBe('2021-03-15')
  })

  it('is undefined for a plan that does not exist', async () => {
    const { db } = await createTestApp({ as: null, demo: false })
    expect(await openPlanDocument(db, 4711, { now })).toBeUndefined()
  })

  it('the schema catches drift: an unknown field, a wrong code and a missing field are refused', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId } = await demoPlan(db)
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    expectValid(document)
    expect(validate({ ...document, responsiblePerson: 'x' })).toBe(false)
    const withPerson = structuredClone(document)
    ;(withPerson.risks[0]?.measures[0] as unknown as Record<string, unknown>).responsiblePerson = 'x'
    expect(validate(withPerson)).toBe(false)
    const badStatus = structuredClone(document)
    ;(badStatus.risks[0]?.measures[0] as unknown as Record<string, unknown>).status = 'pagaende'
    expect(validate(badStatus)).toBe(false)
    const { asOf: _asOf, ...missing } = document
    expect(validate(missing)).toBe(false)
  })
})

describe('no names of persons', () => {
  it('leaves every person field out of the JSON and the CSV, the plan’s and a final report’s', async () => {
    const { db } = await createTestApp({ as: null, currentYear: true, today: '2026-12-07' })
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.name', '=', 'Förskolenämnden')
      .executeTakeFirstOrThrow()
    const name = 'Ebba Personsdotter-Namnström'
    const email = 'ebba.personsdotter@kommun.example'
    const risk = await db.selectFrom('risk').select('id').where('plan_id', '=', plan.id).executeTakeFirstOrThrow()
    const unit = await db.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
    await aControl(db, risk.id, unit.id, { title: 'Kontroll med namn' })
    await db.updateTable('measure').set({ responsible_person: name }).execute()
    await db.updateTable('control').set({ responsible_person: name }).execute()
    // Free texts of a report that are not in the open data either, so a name written there stays out as well.
    await db
      .updateTable('control_run')
      .set({ performed_by: name, comment: `Utförd av ${name}`, not_performed_reason: `Sjuk: ${name}` })
      .execute()
    await db
      .updateTable('control_deviation')
      .set({ description: `Attesterad av ${name}` })
      .execute()
    const deviations = await db
      .selectFrom('control_deviation')
      .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
      .innerJoin('control', 'control.id', 'control_run.control_id')
      .innerJoin('risk', 'risk.id', 'control.risk_id')
      .select('control_deviation.id')
      .where('risk.plan_id', '=', plan.id)
      .execute()
    await db
      .updateTable('app_user')
      .set({ name, email })
      .where('email', '=', 'sekreterare@demo.internkontroll.se')
      .execute()
    await db.updateTable('app_user').set({ name }).execute()
    const pdf = new TextEncoder().encode('%PDF-1.7')
    const createdAt = '2026-12-07T10:00:00.000Z'
    const read = (await openPlanDocument(db, plan.id, { now: new Date(createdAt) })) as OpenPlanDocument
    await insertReportVersion(db, {
      planId: plan.id,
      versionNumber: 1,
      fileName: 'Uppföljning (version 1).pdf',
      pdf,
      createdAt,
      createdBy: `${name}, sekreterare (${email})`,
      openData: (sha256) => frozenOpenData(read, { versionNumber: 1, createdAt, sha256 }),
    })
    const stored = await db.selectFrom('report_version').select('open_data').executeTakeFirstOrThrow()

    const document = (await openPlanDocument(db, plan.id, { now })) as OpenPlanDocument
    const texts = {
      json: JSON.stringify(document),
      csv: openDataCsv(document).toString('utf8'),
      frozenJson: String(stored.open_data),
      frozenCsv: openDataCsv(JSON.parse(String(stored.open_data))).toString('utf8'),
    }
    // The rows that held the names are there, so their absence is not an empty plan's.
    expect(document.risks.flatMap((r) => r.measures).length).toBeGreaterThan(0)
    expect(document.risks.flatMap((r) => r.controls.flatMap((c) => c.occasions)).length).toBeGreaterThan(20)
    expect(deviations.length).toBeGreaterThan(0)
    expect(texts.frozenJson).toContain('"versionNumber":1')
    for (const [copy, text] of Object.entries(texts)) {
      for (const fragment of [name, 'Personsdotter', email, '@demo.internkontroll.se', 'kommun.example']) {
        expect({ copy, found: text.includes(fragment) }).toEqual({ copy, found: false })
      }
    }
  })
})

describe('the open-data CSV', () => {
  it('is UTF-8 with BOM, semicolons and CRLF, one row per measure with its risk repeated, and the documented columns', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId } = await demoPlan(db)
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    const bytes = openDataCsv(document)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = readCsv(bytes.toString('utf8').slice(1))
    expect(rows[0]).toEqual(openCsvColumns.map((c) => c.header))
    expect(rows).toHaveLength(1 + 12)
    expect(rows.every((r) => r.length === openCsvColumns.length)).toBe(true)
    const column = (header: string) => openCsvColumns.findIndex((c) => c.header === header)
    const firstRisk = document.risks[0]
    const rowsOfFirst = rows.slice(1).filter((r) => r[column('Risk-id')] === String(firstRisk?.id))
    expect(rowsOfFirst).toHaveLength(firstRisk?.measures.length ?? -1)
    expect(new Set(rowsOfFirst.map((r) => r[column('Risk')]))).toEqual(new Set([firstRisk?.title]))
    expect(rows[1]?.[column('Kommun')]).toBe('Malmö stad')
    expect(rows[1]?.[column('Status (kod)')]).toBe(firstRisk?.measures[0]?.status)
  })

  it('reads back exactly: quotes doubled, semicolons and line breaks inside quotes, formulas made text', async () => {
    const { db } = await createTestApp({ as: null })
    const { planId, unit } = await demoPlan(db)
    const riskId = await aRisk(db, planId, { title: 'Citat "så här"; med semikolon' })
    const texts = {
      title: '=HYPERLINK("http://example.com","klicka")',
      whatToDo: '- en punkt\n- en till; med semikolon\r\noch "citat"',
      progress: '+46 40 34 10 00',
    }
    await aMeasure(db, riskId, unit('HR-avdelningen'), texts)
    await db.updateTable('risk').set({ description: '@SUM(A1:A2)' }).where('id', '=', riskId).execute()
    const document = (await openPlanDocument(db, planId, { now })) as OpenPlanDocument
    const text = openDataCsv(document).toString('utf8').slice(1)
    const rows = readCsv(text)
    const column = (header: string) => openCsvColumns.findIndex((c) => c.header === header)
    const row = rows.find((r) => r[column('Risk-id')] === String(riskId)) as string[]
    expect(row[column('Risk')]).toBe('Citat "så här"; med semikolon')
    // A cell that would start a formula gets an apostrophe first, which Excel shows as text (OWASP, CSV injection).
    expect(row[column('Förbättringsåtgärd')]).toBe(`'${texts.title}`)
    expect(row[column('Vad ska göras')]).toBe(`'${texts.whatToDo}`)
    expect(row[column('Genomförda åtgärder')]).toBe(`'${texts.progress}`)
    expect(row[column('Beskrivning av risk')]).toBe("'@SUM(A1:A2)")
    expect(text).toContain('"Citat ""så här""; med semikolon"')
    // No field anywhere starts with a formula character.
    expect(rows.flat().filter((cell) => /^[=+\-@]/.test(cell))).toEqual([])
  })
})
