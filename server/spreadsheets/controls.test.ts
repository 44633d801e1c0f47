import ExcelJS from 'exceljs'
import type { Insertable } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import type { ControlDeviationTable } from '../../db/schema.js'
import { aControl, demoPlan } from '../../test/helpers/builders.js'
import {
  cellsOf,
  download,
  formFields,
  problemRows,
  uploadAndMap,
  uploadFile,
} from '../../test/helpers/spreadsheets.js'
import { createTestApp, html } from '../../test/helpers/test-app.js'
import { audited } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { insertDeviation, listRunsOfControl, updateRun } from '../controls/repository.js'

/**
 * The demo plan with controls: a quarterly one whose first occasion found two deviations (one led to a measure),
 * whose second was not performed and whose third was moved; a yearly one of the committee's own method, reported
 * to management and not yet run; and a half-yearly one of the same title as the first, under another risk.
 */
async function planWithControls(db: Db) {
  const { planId, risks, unit } = await demoPlan(db)
  const [first, second, third] = risks as [(typeof risks)[0], (typeof risks)[0], (typeof risks)[0]]
  // Each change in the log, as the app's own would be: the log of a plan imported from this one can be verified.
  const actor = { userId: null, userName: 'Testdata', at: '2020-01-10T09:00:00.000Z' }
  const update = (entity: 'control' | 'control_run' | 'measure', id: number, change: () => Promise<unknown>) =>
    audited(db, actor, 'update', { entity, id, planId }, change)
  const hr = unit('HR-avdelningen')
  const title = 'Stickprov på utdrag ur belastningsregistret'
  const quarterly = await aControl(db, first.id, hr, { title, frequency: 'quarterly' })
  const yearly = await aControl(db, second.id, unit('Utbildningsområden'), {
    title: 'Genomgång av behörigheter',
    frequency: 'yearly',
  })
  await update('control', yearly, () =>
    db
      .updateTable('control')
      .set({
        method: 'own',
        method_own: 'Genomgång vid ledningsmöte',
        reported_to: 'management',
        responsible_person: 'Anna Svensson',
        what_is_checked: '- Att behörigheter tas bort\n- Att "admin" är personligt',
      })
      .where('id', '=', yearly)
      .execute(),
  )
  await aControl(db, third.id, hr, { title, frequency: 'half_yearly' })
  const [run1, run2, run3] = await listRunsOfControl(db, quarterly)
  if (!run1 || !run2 || !run3) throw new Error('A quarterly control has four occasions.')
  await update('control_run', run1.id, () =>
    updateRun(db, run1.id, run1.version, {
      result: 'deviations',
      performed_on: '2020-03-25',
      reported_on: '2020-03-26',
      performed_by: 'Anna Svensson',
      population: 'Anställda i skolorna',
      population_size: 120,
      sample_size: 20,
      sampling: 'random',
      checked_count: 20,
      deviation_count: 2,
      comment: 'Två utdrag saknades.\n\n- Rektor informerad',
    }),
  )
  await update('control_run', run2.id, () =>
    updateRun(db, run2.id, run2.version, {
      result: 'not_performed',
      not_performed_reason: 'Sjukdom',
      reported_on: '2020-07-01',
    }),
  )
  await update('control_run', run3.id, () => updateRun(db, run3.id, run3.version, { planned_date: '2020-10-15' }))
  const deviation = (values: Omit<Insertable<ControlDeviationTable>, 'run_id'>) =>
    audited(db, actor, 'create', { entity: 'control_deviation', planId }, () =>
      insertDeviation(db, { ...values, run_id: run1.id }),
    )
  const needsMeasure = await deviation({
    description: 'Utdrag saknades för två vikarier',
    severity: 'high',
    decision: 'measure_required',
    no_measure_reason: '',
    position: 1,
  })
  await deviation({
    description: 'Utdraget var äldre än ett år',
    severity: 'low',
    decision: 'no_measure',
    no_measure_reason: 'Rättat direkt',
    position: 2,
  })
  const measure = await db
    .selectFrom('measure')
    .select('id')
    .where('risk_id', '=', first.id)
    .orderBy('position')
    .executeTakeFirstOrThrow()
  await update('measure', measure.id, () =>
    db.updateTable('measure').set({ origin_deviation_id: needsMeasure }).where('id', '=', measure.id).execute(),
  )
  return { planId }
}

/** How the measure's page names the origin of the measure decided for the first deviation of planWithControls. */
const deviationOrigin = 'Avvikelse vid kontrollmoment Stickprov på utdrag ur belastningsregistret, tillfälle 1'

/** A plan's controls, occasions and deviations without ids, and its measures' origins by their description. */
async function controlContents(db: Db, planId: number) {
  const controls = await db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .select([
      'control.id',
      'risk.title as risk',
      'control.title',
      'what_is_checked',
      'method',
      'method_own',
      'frequency',
      'owner_unit.name as owner',
      'control.responsible_person',
      'reported_to',
    ])
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('control.position')
    .execute()
  // PostgreSQL refuses an empty IN list, which SQLite takes as false: no ids, an id that no row has.
  const orNone = (ids: number[]) => (ids.length > 0 ? ids : [-1])
  const runs = await db
    .selectFrom('control_run')
    .selectAll()
    .where('control_id', 'in', controls.length > 0 ? controls.map((c) => c.id) : [-1])
    .orderBy('occasion')
    .execute()
  const deviations = await db
    .selectFrom('control_deviation')
    .selectAll()
    .where('run_id', 'in', orNone(runs.map((r) => r.id)))
    .orderBy('position')
    .execute()
  const origins = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('control_deviation', 'control_deviation.id', 'measure.origin_deviation_id')
    .select(['measure.title', 'control_deviation.description'])
    .where('risk.plan_id', '=', planId)
    .execute()
  return {
    controls: controls.map(({ id, ...control }) => ({
      ...control,
      runs: runs
        .filter((r) => r.control_id === id)
        .map(({ id: runId, control_id: _, version: __, ...run }) => ({
          ...run,
          deviations: deviations
            .filter((d) => d.run_id === runId)
            .map(({ id: ___, run_id: ____, version: _____, ...d }) => d),
        })),
    })),
    origins,
  }
}

/** The problems (or warnings) of each sheet of the preview, by the sheet's caption. */
function problemsBySheet(page: string, of: 'problems' | 'warnings' = 'problems') {
  const $ = html(page)
  return Object.fromEntries(
    $(`.import-${of}`)
      .map((_, table) => [[$(table).find('caption').text(), problemRows($.html(table), `.import-${of}`)]])
      .get(),
  )
}

describe('a plan with controls exported, imported as a new plan and exported again', () => {
  it('has the same cells on every sheet, its controls, occasions (reported or not, moved or not) and deviations the same', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await planWithControls(db)
    const auditBefore = await db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()

    const first = await download(agent, `/planer/${planId}/exportera/xlsx`)
    const { preview, previewPath } = await uploadAndMap(agent, { bytes: first, name: 'plan.xlsx' })
    expect(preview).toContain('Inga problem hittades i filen.')
    const $ = html(preview)
    expect($('.summary-list').text()).toContain(
      '6 risker, 12 åtgärder, 3 kontrollmoment med 2 rapporterade tillfällen och 2 avvikelser, 8 granskningar',
    )
    expect(
      $('.import-contents__controls li')
        .map((_, li) => $(li).text().replace(/\s+/g, ' ').trim())
        .get(),
    ).toEqual([
      'Kontrollmoment: Stickprov på utdrag ur belastningsregistret (HR-avdelningen) – Kvartalsvis, rapporterat 2 av 4 tillfällen, 2 avvikelser',
      'Kontrollmoment: Genomgång av behörigheter (Utbildningsområden) – Årsvis, rapporterat 0 av 1 tillfälle',
      'Kontrollmoment: Stickprov på utdrag ur belastningsregistret (HR-avdelningen) – Halvårsvis, rapporterat 0 av 2 tillfällen',
    ])
    // The occasions were planned in 2020, the new plan is of 2021: imported as they are, and said so. A method in
    // the committee's own words might be a misspelt one.
    const warnings = problemsBySheet(preview, 'warnings')
    expect(warnings['Bladet Kontrollmoment']).toEqual([
      [
        'Kontrollmetoden är ingen av Stickprov, Registerkontroll, Avstämning, Genomgång av dokumentation, Intervju eller Självskattning; den importeras som nämndens egen metod.',
        'rad 3',
        'D (Kontrollmetod)',
      ],
    ])
    expect(warnings['Bladet Kontrolltillfällen']).toEqual([
      [
        'Tillfället är planerat 2020, inte i planens år 2021. Ska tillfällena i stället planeras efter frekvensen, välj Används inte för kolumnerna på bladet Kontrolltillfällen.',
        '7 rader: 2–8',
        'D (Planerat datum)',
      ],
    ])
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())
    expect(html((await agent.get(String(imported.headers.location))).text)('.notice').text()).toBe(
      'Planen är importerad med 6 risker, 12 åtgärder och 3 kontrollmoment.',
    )
    // Every control, occasion and deviation the import made, and each change of an occasion, is in a log whole.
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
    const second = await download(agent, `/planer/${newPlanId}/exportera/xlsx`)

    const cells = await cellsOf(first)
    expect(await cellsOf(second)).toEqual(cells)
    expect(cells.map((s) => s.name)).toEqual([
      'Risker och åtgärder',
      'Granskningar',
      'Kontrollmoment',
      'Kontrolltillfällen',
      'Avvikelser',
      'Planens uppgifter',
    ])
    // The sheets hold what they are to carry, so that the equality says something.
    const sheet = (name: string) => cells.find((s) => s.name === name)?.rows ?? []
    expect(sheet('Kontrollmoment')[2]).toEqual([
      expect.any(String),
      'Genomgång av behörigheter',
      '- Att behörigheter tas bort\n- Att "admin" är personligt',
      'Genomgång vid ledningsmöte',
      'Årsvis',
      'Utbildningsområden',
      'Anna Svensson',
      'Förvaltningsledning',
    ])
    expect(sheet('Kontrolltillfällen')).toHaveLength(1 + 4 + 1 + 2)
    expect(sheet('Kontrolltillfällen')[1]?.slice(1)).toEqual([
      'Stickprov på utdrag ur belastningsregistret',
      1,
      new Date('2020-03-31T00:00:00Z'),
      'Med avvikelser',
      '',
      new Date('2020-03-25T00:00:00Z'),
      new Date('2020-03-26T00:00:00Z'),
      'Anna Svensson',
      'Anställda i skolorna',
      120,
      20,
      'Slumpmässigt',
      20,
      2,
      'Två utdrag saknades.\n\n- Rektor informerad',
    ])
    expect(sheet('Kontrolltillfällen')[3]?.slice(2, 5)).toEqual([3, new Date('2020-10-15T00:00:00Z'), null])
    expect(sheet('Avvikelser')).toHaveLength(3)
    // The measure decided for a deviation names it as the measure's page does, and then the deviation.
    const origin = `${deviationOrigin}: Utdrag saknades för två vikarier`
    expect(sheet('Risker och åtgärder').map((row) => row[13])).toContain(origin)
    const measureId = await db
      .selectFrom('measure')
      .select('id')
      .where('origin_deviation_id', 'is not', null)
      .executeTakeFirstOrThrow()
    const measurePage = html((await agent.get(`/planer/${planId}/atgarder/${measureId.id}`).expect(200)).text)
    expect(measurePage('.summary-list a').first().text()).toBe(deviationOrigin)

    const before = await controlContents(db, planId)
    expect(await controlContents(db, newPlanId)).toEqual(before)
    // Imported for the year after, each control continues last year's of its title under the same risk, as a
    // plan made with "Skapa nästa års plan" does.
    const ids = (id: number) =>
      db
        .selectFrom('control')
        .innerJoin('risk', 'risk.id', 'control.risk_id')
        .select(['control.id', 'control.previous_control_id'])
        .where('risk.plan_id', '=', id)
        .orderBy('risk.position')
        .orderBy('control.position')
        .execute()
    expect((await ids(newPlanId)).map((c) => c.previous_control_id)).toEqual((await ids(planId)).map((c) => c.id))
    expect(before.origins).toHaveLength(1)
    expect(before.controls.flatMap((c) => c.runs)).toHaveLength(7)

    // Each record made is in the audit log: the controls and their occasions as createControl makes them, the
    // file's dates and reports as changes of the occasions, the deviations.
    const events = await db
      .selectFrom('audit_event')
      .select(['action', 'entity'])
      .where('id', '>', auditBefore.id)
      .where('entity', 'in', ['control', 'control_run', 'control_deviation'])
      .execute()
    const count = (event: string) => events.filter((e) => `${e.action} ${e.entity}` === event).length
    expect([
      count('create control'),
      count('create control_run'),
      count('update control_run'),
      count('create control_deviation'),
    ]).toEqual([3, 7, 7, 2])
  })

  it('as CSV keeps the risks and measures, and says the controls stay behind', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await planWithControls(db)
    const bytes = await download(agent, `/planer/${planId}/exportera/csv`)
    const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: 'plan.csv' })
    const $ = html(preview)
    expect($('#csv-limits').text()).toContain('kontrollmoment med tillfällen och avvikelser')
    // The measure decided for a deviation names it, which a CSV cannot bring along.
    expect($('.import-warnings td').first().text()).toBe(
      `Ingen avvikelse som importeras heter ”${deviationOrigin}: Utdrag saknades för två vikarier”; åtgärden importeras utan ursprung.`,
    )
    const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const newPlanId = Number(String(imported.headers.location).split('/').pop())
    expect((await controlContents(db, newPlanId)).controls).toEqual([])
  })
})

/** The risks' sheet and the controls' sheets of a municipality's own workbook; `origin` is the first measure's. */
async function workbookWithControls(controls: unknown[][], runs: unknown[][], deviations?: unknown[][], origin = '') {
  const book = new ExcelJS.Workbook()
  book.addWorksheet('Plan').addRows([
    ['Risk', 'Åtgärd', 'Ansvarig', 'Ursprung'],
    ['Röjande av sekretess', 'Loggkontroll', 'HR-avdelningen', origin],
    ['Felaktiga utbetalningar', 'Attest i två steg', 'HR-avdelningen', ''],
  ])
  book.addWorksheet('Kontrollmoment').addRows(controls)
  book.addWorksheet('Kontrolltillfällen').addRows(runs)
  if (deviations) book.addWorksheet('Avvikelser').addRows(deviations)
  return { bytes: Buffer.from(await book.xlsx.writeBuffer()), name: 'plan.xlsx' }
}

const controlHeader = ['Risk', 'Kontrollmoment', 'Kontrollmetod', 'Frekvens', 'Ansvarig enhet']
const runHeader = ['Risk', 'Kontrollmoment', 'Tillfälle', 'Planerat datum', 'Resultat', 'Genomförd den']
const logs = 'Loggkontroll i journalsystemet'

describe('a workbook’s controls and occasions with errors', () => {
  it('are named in Swedish by sheet, row and column, an unknown unit with its remedy; the rest imports when asked', async () => {
    const { agent, db } = await createTestApp()
    const file = await workbookWithControls(
      [
        controlHeader,
        ['Röjande av sekretess', logs, 'Registerkontroll', 'Kvartalsvis', 'HR-avdelningen'],
        ['Felaktiga utbetalningar', 'Attestkontroll', 'Stickprov', 'Varannan vecka', 'HR-avdelningen'],
        ['Otillåten påverkan', 'Jävskontroll', 'Intervju', 'Årsvis', 'HR-avdelningen'],
        ['Felaktiga utbetalningar', 'Fakturakontroll', 'Stickprov', 'Månadsvis', 'Ekonomiavdelningen'],
      ],
      [
        runHeader,
        ['Röjande av sekretess', logs, 1, '2021-03-31', 'Utan anmärkning', '2021-03-20'],
        ['', logs, 5, '', '', ''],
        ['', logs, 2, '30/6', '', ''],
        ['', 'Kontroll av något annat', 1, '', '', ''],
        ['', 'Attestkontroll', 1, '', '', ''],
        ['', logs, 3, '', 'Klar', ''],
        ['', logs, 1, '', '', ''],
        ['', logs, 4, '', '', '2021-12-01'],
      ],
    )
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(problemsBySheet(preview)).toEqual({
      'Bladet Kontrollmoment': [
        [
          'Okänd ansvarig enhet ”Ekonomiavdelningen” Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen',
          'rad 5',
          'E (Ansvarig enhet)',
        ],
        [
          'Okänd frekvens ”Varannan vecka”. Ange En gång, Månadsvis, Kvartalsvis, Tertialvis, Halvårsvis eller Årsvis.',
          'rad 3',
          'D (Frekvens)',
        ],
        ['Ingen risk som importeras heter ”Otillåten påverkan”.', 'rad 4', 'A (Risk)'],
      ],
      'Bladet Kontrolltillfällen': [
        [
          `Kontrollmomentet ”${logs}” görs kvartalsvis och har 4 tillfällen om året; tillfälle 5 finns inte.`,
          'rad 3',
          'C (Tillfälle)',
        ],
        ['Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.', 'rad 4', 'D (Planerat datum)'],
        ['Inget kontrollmoment som importeras heter ”Kontroll av något annat”.', 'rad 5', 'B (Kontrollmoment)'],
        [
          'Kontrollmomentet ”Attestkontroll” har fel och utelämnas. Rätta det, så kommer tillfället med.',
          'rad 6',
          'B (Kontrollmoment)',
        ],
        ['Okänt resultat ”Klar”. Ange Utan anmärkning, Med avvikelser eller Ej genomförd.', 'rad 7', 'E (Resultat)'],
        [`Tillfälle 1 av kontrollmomentet ”${logs}” står redan på rad 2.`, 'rad 8', 'C (Tillfälle)'],
        [
          'Tillfället har uppgifter om hur det gick men inget resultat. Ange Utan anmärkning, Med avvikelser eller Ej genomförd, eller töm de andra kolumnerna.',
          'rad 9',
          'E (Resultat)',
        ],
      ],
    })
    const refused = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(400)
    expect(html(refused.text)('#field-skipErrors-error').text()).toContain('Filen har fel på 10 rader.')

    const fields = formFields(preview, { skipErrors: 'on', createUnits: ['Ekonomiavdelningen'] }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const { controls } = await controlContents(db, planId)
    expect(controls.map((c) => [c.risk, c.title, c.method, c.frequency, c.owner, c.reported_to])).toEqual([
      ['Röjande av sekretess', logs, 'register_check', 'quarterly', 'HR-avdelningen', 'committee'],
      ['Felaktiga utbetalningar', 'Fakturakontroll', 'sample', 'monthly', 'Ekonomiavdelningen', 'committee'],
    ])
    // The occasions come from the frequency and the plan's year; the one reported keeps its report, and the
    // import, which the app learns it from, is the day it was reported.
    expect(controls[0]?.runs.map((r) => [r.planned_date, r.result, r.performed_on, r.reported_on])).toEqual([
      ['2021-03-31', 'no_remarks', '2021-03-20', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)],
      ['2021-06-30', null, null, null],
      ['2021-09-30', null, null, null],
      ['2021-12-31', null, null, null],
    ])
    expect(controls[1]?.runs).toHaveLength(12)
  })

  it('keeps an occasion’s moved date, and leaves one at its frequency’s date as createControl made it', async () => {
    const { agent, db } = await createTestApp()
    const file = await workbookWithControls(
      [controlHeader, ['Röjande av sekretess', logs, 'Avstämning', 'Halvårsvis', 'HR-avdelningen']],
      [runHeader, ['', logs, 1, '2021-06-30', '', ''], ['', logs, 2, '2021-11-15', '', '']],
    )
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(preview).toContain('Inga problem hittades i filen.')
    expect(html(preview)('.import-warnings')).toHaveLength(0)
    const auditBefore = await db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const done = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const { controls } = await controlContents(db, planId)
    expect(controls[0]?.runs.map((r) => r.planned_date)).toEqual(['2021-06-30', '2021-11-15'])
    const updates = await db
      .selectFrom('audit_event')
      .select('id')
      .where('id', '>', auditBefore.id)
      .where('entity', '=', 'control_run')
      .where('action', '=', 'update')
      .execute()
    expect(updates).toHaveLength(1)
  })

  it('need the columns a control cannot be made without', async () => {
    const { agent } = await createTestApp()
    const file = await workbookWithControls(
      [
        ['Risk', 'Kontrollmoment', 'Kontrollmetod', 'Ansvarig enhet'],
        ['Röjande av sekretess', logs, 'Avstämning', 'HR-avdelningen'],
      ],
      [runHeader],
    )
    const uploaded = await uploadFile(agent, file)
    const mapping = formFields((await agent.get(String(uploaded.headers.location)).expect(200)).text)
    const refused = await agent.post(mapping.action).type('form').send(mapping.fields).expect(400)
    expect(html(refused.text)('#field-controls-0-error').text()).toContain(
      'Välj vilken kolumn på bladet Kontrollmoment som innehåller frekvensen.',
    )
  })

  it('of deviations are named the same way, by the deviation form’s rules; a deviation is of an occasion reported Med avvikelser, and a measure names it as its origin', async () => {
    const { agent, db } = await createTestApp()
    const file = await workbookWithControls(
      [controlHeader, ['Röjande av sekretess', logs, 'Registerkontroll', 'Kvartalsvis', 'HR-avdelningen']],
      [
        runHeader,
        ['', logs, 1, '', 'Med avvikelser', '2021-03-20'],
        ['', logs, 3, '', 'Utan anmärkning', '2021-03-20'],
      ],
      [
        [
          'Risk',
          'Kontrollmoment',
          'Tillfälle',
          'Avvikelse',
          'Allvarlighetsgrad',
          'Beslut',
          'Skäl till att ingen åtgärd behövs',
        ],
        ['', logs, 1, 'Loggar saknades för mars', 'Medel', 'Åtgärd krävs', ''],
        ['', logs, 1, 'Obehörig läsning', 'Kritisk', '', ''],
        ['', logs, 1, '', 'Låg', '', ''],
        ['', 'Loggkontroll', 1, 'Fel', 'Låg', '', ''],
        ['', logs, 1, 'Obehörig läsning', 'Låg', 'Kanske', ''],
        ['', logs, 2, 'Vid ett tillfälle som inte rapporterats', 'Låg', '', ''],
        ['', logs, 3, 'Vid ett tillfälle utan anmärkning', 'Låg', '', ''],
        ['', logs, 1, 'Ingen åtgärd, utan skäl', 'Låg', 'Ingen åtgärd', ''],
        ['', logs, 1, 'x'.repeat(2001), 'Låg', '', ''],
        ['', logs, 1, 'Ett skäl utan beslut om ingen åtgärd', 'Låg', 'Åtgärd krävs', 'Kvarstår från förra året'],
      ],
      `Avvikelse vid kontrollmoment ${logs}, tillfälle 1: Loggar saknades för mars`,
    )
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(problemsBySheet(preview)).toEqual({
      'Bladet Avvikelser': [
        ['Okänd allvarlighetsgrad ”Kritisk”. Ange Låg, Medel eller Hög.', 'rad 3', 'E (Allvarlighetsgrad)'],
        ['Avvikelsen saknar beskrivning: kolumnen Avvikelse är tom.', 'rad 4', 'D (Avvikelse)'],
        ['Inget kontrollmoment som importeras heter ”Loggkontroll”.', 'rad 5', 'B (Kontrollmoment)'],
        ['Okänt beslut ”Kanske”. Ange Åtgärd krävs eller Ingen åtgärd.', 'rad 6', 'F (Beslut)'],
        [
          'Avvikelser registreras bara vid ett tillfälle med resultatet Med avvikelser.',
          '2 rader: 7–8',
          'C (Tillfälle)',
        ],
        ['Ange varför ingen åtgärd behövs.', 'rad 9', 'G (Skäl till att ingen åtgärd behövs)'],
        ['Texten får vara högst 2000 tecken lång.', 'rad 10', 'D (Avvikelse)'],
      ],
    })
    const fields = formFields(preview, { skipErrors: 'on' }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const { controls, origins } = await controlContents(db, planId)
    expect(controls[0]?.runs.map((r) => [r.occasion, r.result, r.deviations.map((d) => d.description)])).toEqual([
      [1, 'deviations', ['Loggar saknades för mars', 'Ett skäl utan beslut om ingen åtgärd']],
      [2, null, []],
      [3, 'no_remarks', []],
      [4, null, []],
    ])
    expect(controls[0]?.runs[0]?.deviations[0]).toMatchObject({ severity: 'medium', decision: 'measure_required' })
    // As the form, the import keeps a reason only for a decision of no measure.
    expect(controls[0]?.runs[0]?.deviations[1]).toMatchObject({ decision: 'measure_required', no_measure_reason: '' })
    expect(origins).toEqual([{ title: 'Loggkontroll', description: 'Loggar saknades för mars' }])
  })

  it('of occasions are read by the report form’s rules, and a control not performed keeps no date or sample', async () => {
    const { agent, db } = await createTestApp()
    const header = [
      'Risk',
      'Kontrollmoment',
      'Tillfälle',
      'Planerat datum',
      'Resultat',
      'Skäl till att den inte genomfördes',
      'Genomförd den',
      'Rapporterad den',
      'Utförd av',
      'Population',
      'Populationens storlek',
      'Stickprovets storlek',
      'Urvalsmetod',
      'Antal kontrollerade',
      'Antal med avvikelser',
      'Kommentar',
    ]
    // The columns F–O of an occasion of the monthly control; A–E and P as given.
    const run = (occasion: number, result: string, ...report: unknown[]) => ['', logs, occasion, '', result, ...report]
    const file = await workbookWithControls(
      [controlHeader, ['Röjande av sekretess', logs, 'Registerkontroll', 'Månadsvis', 'HR-avdelningen']],
      [
        header,
        run(1, 'Ej genomförd', ''),
        run(2, 'Utan anmärkning', '', ''),
        run(3, 'Utan anmärkning', '', '2021-02-01', '', '', '', 10, 12),
        run(4, 'Utan anmärkning', '', '2021-02-01', '', '', '', '', 10, '', 12),
        run(5, 'Med avvikelser', '', '2021-02-01', '', '', '', '', '', '', 5, 6),
        run(6, 'Med avvikelser', '', '2021-02-01', '', '', '', '', '', '', '', 0),
        run(7, 'Utan anmärkning', '', '2021-02-01', '', '', '', '', '', '', '', 2),
        run(8, 'Utan anmärkning', '', '2021-02-01', '', 'x'.repeat(201)),
        run(9, 'Utan anmärkning', '', '2021-02-01', '', '', '', 'tolv'),
        // Accepted: a figure written with a space, and a control not performed with a day and a sample given,
        // which are not kept (and said so).
        run(10, 'Utan anmärkning', '', '2021-02-01', '', '', 'Alla fakturor', '1 200', 40, 'Slumpmässigt', 40, 0),
        run(11, 'Ej genomförd', 'Sjukdom', '2021-02-01', '', 'Anna', 'Alla fakturor', 100, 10, 'Riktat', 10, 1),
      ],
    )
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(problemsBySheet(preview)).toEqual({
      'Bladet Kontrolltillfällen': [
        ['Ange varför kontrollen inte genomfördes.', 'rad 2', 'F (Skäl till att den inte genomfördes)'],
        ['Ange vilket datum kontrollen genomfördes.', 'rad 3', 'G (Genomförd den)'],
        ['Stickprovet kan inte vara större än populationen.', 'rad 4', 'L (Stickprovets storlek)'],
        ['Antalet kontrollerade kan inte vara fler än stickprovet.', 'rad 5', 'N (Antal kontrollerade)'],
        ['Antalet med avvikelser kan inte vara fler än antalet kontrollerade.', 'rad 6', 'O (Antal med avvikelser)'],
        [
          'Med avvikelser betyder att minst ett fall hade avvikelser: ange antalet, eller lämna fältet tomt.',
          'rad 7',
          'O (Antal med avvikelser)',
        ],
        [
          'Utan anmärkning betyder inga avvikelser: ange 0 eller lämna fältet tomt, eller välj Med avvikelser.',
          'rad 8',
          'O (Antal med avvikelser)',
        ],
        ['Texten får vara högst 200 tecken lång.', 'rad 9', 'I (Utförd av)'],
        ['Ange ett heltal, 0 eller större.', 'rad 10', 'K (Populationens storlek)'],
      ],
    })
    const notKept =
      'Kontrollen genomfördes inte, så det här värdet importeras inte: ett tillfälle som inte genomfördes har inget datum eller stickprov.'
    expect(problemsBySheet(preview, 'warnings')['Bladet Kontrolltillfällen']).toEqual(
      ['G (Genomförd den)', 'J (Population)', 'K (Populationens storlek)', 'L (Stickprovets storlek)']
        .concat(['M (Urvalsmetod)', 'N (Antal kontrollerade)', 'O (Antal med avvikelser)'])
        .map((column) => [notKept, 'rad 12', column]),
    )
    const fields = formFields(preview, { skipErrors: 'on' }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const runs = (await controlContents(db, planId)).controls[0]?.runs ?? []
    expect(runs.filter((r) => r.result !== null).map((r) => r.occasion)).toEqual([10, 11])
    expect(runs[9]).toMatchObject({ population_size: 1200, sample_size: 40, sampling: 'random', deviation_count: 0 })
    expect(runs[10]).toMatchObject({
      result: 'not_performed',
      not_performed_reason: 'Sjukdom',
      performed_on: null,
      performed_by: 'Anna',
      population: '',
      population_size: null,
      sample_size: null,
      sampling: null,
      checked_count: null,
      deviation_count: null,
    })
  })
})

describe('a workbook naming things twice', () => {
  it('offers to create an unknown unit named on two sheets once, and makes it once', async () => {
    const { agent, db } = await createTestApp()
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Plan').addRows([
      ['Risk', 'Åtgärd', 'Ansvarig'],
      ['Röjande av sekretess', 'Loggkontroll', 'Ekonomiavdelningen'],
    ])
    book
      .addWorksheet('Kontrollmoment')
      .addRows([controlHeader, ['Röjande av sekretess', logs, 'Registerkontroll', 'Kvartalsvis', 'ekonomiavdelningen']])
    const { preview, previewPath } = await uploadAndMap(agent, {
      bytes: Buffer.from(await book.xlsx.writeBuffer()),
      name: 'plan.xlsx',
    })
    const $ = html(preview)
    expect(
      $('input[name="createUnits"]')
        .map((_, e) => $(e).val())
        .get(),
    ).toEqual(['Ekonomiavdelningen'])
    expect(problemsBySheet(preview)['Bladet Kontrollmoment']).toEqual([
      [
        'Okänd ansvarig enhet ”ekonomiavdelningen” Skapa den med rutan på bladet Plan ovan.',
        'rad 2',
        'E (Ansvarig enhet)',
      ],
      [
        'Risken ”Röjande av sekretess” har fel och utelämnas. Rätta den, så kommer kontrollmomentet med.',
        'rad 2',
        'A (Risk)',
      ],
    ])
    const recount = formFields(preview, { createUnits: ['Ekonomiavdelningen'], recount: '1' }).fields
    const recounted = html((await agent.post(previewPath).type('form').send(recount).expect(200)).text)
    expect(recounted('input[name="createUnits"]')).toHaveLength(1)
    expect(recounted('.import-problems').text()).toContain('Skapas: vald på bladet Plan.')
    const fields = formFields(preview, { createUnits: ['Ekonomiavdelningen'] }).fields
    await agent.post(previewPath).type('form').send(fields).expect(303)
    const made = await db
      .selectFrom('owner_unit')
      .select('name')
      .where((eb) => eb(eb.fn('lower', ['name']), 'like', 'ekonomi%'))
      .execute()
    expect(made).toEqual([{ name: 'Ekonomiavdelningen' }])
  })

  it('says that occasions find their control by its title and risk: two of one title under one risk get none', async () => {
    const { agent, db } = await createTestApp()
    const file = await workbookWithControls(
      [
        controlHeader,
        ['Röjande av sekretess', logs, 'Registerkontroll', 'Kvartalsvis', 'HR-avdelningen'],
        ['Röjande av sekretess', logs, 'Stickprov', 'Årsvis', 'HR-avdelningen'],
        ['Felaktiga utbetalningar', logs, 'Stickprov', 'Årsvis', 'HR-avdelningen'],
      ],
      [
        runHeader,
        ['Röjande av sekretess', logs, 1, '', 'Utan anmärkning', '2021-03-01'],
        ['', logs, 1, '', 'Utan anmärkning', '2021-03-01'],
        ['Felaktiga utbetalningar', logs, 1, '', 'Utan anmärkning', '2021-03-01'],
      ],
    )
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(problemsBySheet(preview)).toEqual({
      'Bladet Kontrolltillfällen': [
        [
          `2 kontrollmoment som importeras heter ”${logs}” under risken ”Röjande av sekretess”, och tillfället hittar sitt kontrollmoment bara genom rubriken och risken. Ge kontrollmomenten olika rubriker.`,
          'rad 2',
          'B (Kontrollmoment)',
        ],
        [
          `3 kontrollmoment som importeras heter ”${logs}”, och tillfället hittar sitt kontrollmoment bara genom rubriken och risken. Ange risken i kolumnen Risk, eller ge kontrollmomenten olika rubriker.`,
          'rad 3',
          'B (Kontrollmoment)',
        ],
      ],
    })
    const fields = formFields(preview, { skipErrors: 'on' }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const { controls } = await controlContents(db, planId)
    expect(controls.map((c) => [c.risk, c.runs.filter((r) => r.result !== null).length])).toEqual([
      ['Röjande av sekretess', 0],
      ['Röjande av sekretess', 0],
      ['Felaktiga utbetalningar', 1],
    ])
  })
})
