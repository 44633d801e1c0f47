import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { demoPlan, planSize } from '../../test/helpers/builders.js'
import {
  formFields,
  generatedPlanRows,
  problemRows,
  uploadAndMap,
  uploadFile,
  zipBomb,
} from '../../test/helpers/spreadsheets.js'
import { createTestApp, html, logIn, type TestAgent } from '../../test/helpers/test-app.js'
import { can } from '../auth/permissions.js'
import { earlierAreaOriginLabel } from '../inspections/view-model.js'
import { checkImport } from './import/check.js'
import { guessMapping } from './import/mapping.js'
import { parseSpreadsheet } from './import/parse.js'
import { writeImport } from './import/write.js'
import { findImport, insertImport } from './repository.js'

// Unpacking a zip bomb takes seconds of CPU; with other test runs on the same cores (CI runs three) it takes longer.
const cpuHeavy = 120_000

const csv = (lines: string[]) => ({ bytes: Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'), name: 'plan.csv' })

async function workbook(build: (sheet: ExcelJS.Worksheet) => void) {
  const book = new ExcelJS.Workbook()
  build(book.addWorksheet('Plan'))
  return { bytes: Buffer.from(await book.xlsx.writeBuffer()), name: 'plan.xlsx' }
}

async function counts(db: Db) {
  const count = async (table: 'plan' | 'risk' | 'measure' | 'spreadsheet_import' | 'audit_event') =>
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n
  return {
    plans: await count('plan'),
    risks: await count('risk'),
    measures: await count('measure'),
    uploads: await count('spreadsheet_import'),
    audit: await count('audit_event'),
  }
}

/** An upload refused on the upload page: 400, the message beside the file field, the title kept, nothing stored. */
async function refused(file: { bytes: Uint8Array; name: string }) {
  const { agent, db } = await createTestApp()
  const before = await counts(db)
  const response = await uploadFile(agent, file, { title: 'Min importerade plan' })
  expect(response.status).toBe(400)
  const $ = html(response.text)
  expect($('#field-title').val()).toBe('Min importerade plan')
  expect($('.error-summary a[href="#field-file"]').text()).toBe(
    $('#field-file-error').text().replace('Fel: ', '').trim(),
  )
  expect(await counts(db)).toEqual(before)
  return $('#field-file-error').text()
}

describe('a bad file', () => {
  it('that is no spreadsheet is refused', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])
    expect(await refused({ bytes: png, name: 'plan.xlsx' })).toContain('Filen är inget kalkylark')
  })

  it('that is a broken zip is refused without hanging', async () => {
    const garbage = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4000, 0x41)])
    expect(await refused({ bytes: garbage, name: 'plan.xlsx' })).toContain(
      'Filen kunde inte läsas som en Excel-arbetsbok',
    )
  })

  it(
    'of 120 kB whose one cell unpacks to 120 MB (a zip bomb) is refused before it is read, and the server goes on',
    async () => {
      const bomb = await zipBomb(120)
      expect(bomb.bytes.length).toBeLessThan(200 * 1024)
      expect(await refused(bomb)).toContain('Filen innehåller mer text än en plan rymmer (högst 5 miljoner tecken)')
      // The same file with a cell of one megabyte unpacks within the bound, and is refused for its cell.
      expect(await refused(await zipBomb(1))).toContain(
        'Cell A1 på bladet Plan har 1\u00a0048\u00a0576 tecken; en cell får ha högst 32\u00a0767, som i Excel.',
      )
      const { agent } = await createTestApp()
      const small = await workbook((sheet) =>
        sheet.addRows([
          ['Risk', 'Åtgärd'],
          ['Röjande av sekretess', 'Utbilda'],
        ]),
      )
      expect((await uploadFile(agent, small)).status).toBe(303)
    },
    cpuHeavy,
  )

  it('with a cell longer than Excel allows is refused, naming the cell; one at the limit is read', async () => {
    const long = (length: number) =>
      workbook((sheet) =>
        sheet.addRows([
          ['Risk', 'Åtgärd'],
          ['Röjande av sekretess', 'x'.repeat(length)],
        ]),
      )
    expect(await refused(await long(32_768))).toContain('Cell B2 på bladet Plan har 32\u00a0768 tecken')
    const { agent } = await createTestApp()
    expect((await uploadFile(agent, await long(32_767))).status).toBe(303)
    // The upload page says the limit before anyone meets it.
    expect(
      html((await agent.get('/planer/importera').expect(200)).text)('main p')
        .first()
        .text(),
    ).toContain('en cell högst 32\u00a0767 tecken som i Excel')
  })

  it('with more text than a plan holds is refused, though each cell is short and the file small', async () => {
    const rows = Array.from({ length: 170 }, (_, i) => [`Risk ${i}`, 'x'.repeat(30_000)])
    expect(rows.length * 30_000).toBeGreaterThan(5_000_000)
    const file = await workbook((sheet) => sheet.addRows([['Risk', 'Åtgärd'], ...rows]))
    expect(file.bytes.length).toBeLessThan(100 * 1024)
    expect(await refused(file)).toContain('Filen innehåller mer text än en plan rymmer')
  })

  it('as CSV, with a cell too long or more text than a plan holds, is refused the same way', async () => {
    expect(await refused(csv(['Risk;Åtgärd', `Röjande av sekretess;${'x'.repeat(32_768)}`]))).toContain(
      'Cell B2 har 32\u00a0768 tecken; en cell får ha högst 32\u00a0767',
    )
    const many = csv(['Risk;Åtgärd', ...Array.from({ length: 170 }, (_, i) => `Risk ${i};${'x'.repeat(30_000)}`)])
    expect(await refused(many)).toContain('Filen innehåller mer text än en plan rymmer')
  })

  it('that is empty is refused', async () => {
    expect(await refused({ bytes: Buffer.alloc(0), name: 'plan.csv' })).toContain('Filen är tom')
    expect(await refused(await workbook(() => {}))).toContain('Filen innehåller inga rader')
    expect(await refused(csv(['Risk;Åtgärd;Ansvarig']))).toContain('inga rader med risker')
  })

  it('that is password-protected is refused, and an old .xls too', async () => {
    const header = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
    const encrypted = Buffer.concat([
      header,
      Buffer.alloc(500),
      Buffer.from('EncryptedPackage', 'utf16le'),
      Buffer.alloc(500),
    ])
    expect(await refused({ bytes: encrypted, name: 'plan.xlsx' })).toContain('Filen är lösenordsskyddad')
    const xls = Buffer.concat([header, Buffer.alloc(1000, 1)])
    expect(await refused({ bytes: xls, name: 'plan.xls' })).toContain('det gamla Excel-formatet (.xls)')
  })

  it('with a formula error names the cell', async () => {
    const file = await workbook((sheet) => {
      sheet.addRow(['Risk', 'Sannolikhet', 'Konsekvens', 'Riskvärde'])
      sheet.addRow(['Röjande av sekretess', 3, 0, { formula: 'B2/C2', result: { error: '#DIV/0!' } }])
    })
    expect(await refused(file)).toContain('Cell D2 på bladet Plan innehåller ett formelfel (#DIV/0!)')
  })

  it('over the size limit is refused', async () => {
    const big = csv(['Risk;Åtgärd;Ansvarig', ...Array.from({ length: 200_000 }, () => `${'x'.repeat(50)};a;b`)])
    expect(big.bytes.length).toBeGreaterThan(10 * 1024 * 1024)
    expect(await refused(big)).toContain('Filen är större än 10 MB')
  })

  it('over the row limit is refused', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => `Risk ${i};Åtgärd;HR-avdelningen`)
    expect(await refused(csv(['Risk;Åtgärd;Ansvarig', ...rows]))).toContain('Filen har fler än 5\u00a0000 rader')
    // Exactly at the limit is fine.
    const { agent } = await createTestApp()
    expect((await uploadFile(agent, csv(['Risk;Åtgärd;Ansvarig', ...rows.slice(1)]))).status).toBe(303)
  })

  it('wider than the column limit is refused at once, even when it is small (a CSV of empty fields)', async () => {
    const wide = csv(['Risk;Åtgärd', `x${';'.repeat(20_000)}`, ...Array.from({ length: 1000 }, () => 'a;b')])
    expect(wide.bytes.length).toBeLessThan(30 * 1024)
    expect(await refused(wide)).toContain('Filen har fler än 100 kolumner')
    // Exactly at the limit is fine.
    const { agent } = await createTestApp()
    const hundred = csv([['Risk', 'Åtgärd', ...Array.from({ length: 98 }, (_, i) => `Extra ${i}`)].join(';'), 'a;b'])
    expect((await uploadFile(agent, hundred)).status).toBe(303)
  })

  it(
    'while ten workbooks are being read or waiting, is asked to come back, keeping the form',
    async () => {
      const { agent, db } = await createTestApp()
      const before = await counts(db)
      // Two slow workbooks are read, eight more wait: the queue is full.
      const bomb = await zipBomb(400)
      const small = await workbook((sheet) =>
        sheet.addRows([
          ['Risk', 'Åtgärd'],
          ['Röjande av sekretess', 'Utbilda'],
        ]),
      )
      const busy = [bomb, bomb, ...Array.from({ length: 8 }, () => small)].map((f) => parseSpreadsheet(f.bytes))
      const response = await uploadFile(agent, small, { title: 'Min importerade plan' })
      expect(response.status).toBe(503)
      const $ = html(response.text)
      expect($('#field-file-error').text()).toContain('Många filer läses in just nu')
      expect($('#field-file-error').text()).toContain('försök igen om en stund')
      expect($('#field-title').val()).toBe('Min importerade plan')
      expect(await counts(db)).toEqual(before)
      // Those in the queue are read in turn, and then there is room again.
      expect((await Promise.all(busy)).map((r) => r.ok)).toEqual([false, false, ...Array(8).fill(true)])
      expect((await uploadFile(agent, small)).status).toBe(303)
    },
    cpuHeavy,
  )

  it('with merged header cells is refused', async () => {
    const file = await workbook((sheet) => {
      sheet.addRow(['Risk', '', 'Åtgärd', 'Ansvarig'])
      sheet.addRow(['Röjande av sekretess', 'Hög', 'Utbilda', 'HR-avdelningen'])
      sheet.mergeCells('A1:B1')
    })
    expect(await refused(file)).toContain('Rubrikraden (rad 1) har sammanfogade celler (A1:B1)')
  })

  it('without a file, or with another year the committee already has, keeps the input', async () => {
    const { agent } = await createTestApp()
    const none = html((await uploadFile(agent, null, { year: '2020' })).text)
    expect(none('#field-file-error').text()).toContain('Välj en Excel-fil (.xlsx) eller CSV-fil')
    expect(none('#field-year-error').text()).toContain('Nämnden har redan en internkontrollplan för 2020.')
    expect(none('#field-year').val()).toBe('2020')
  })
  it('offers next year in Sweden by default, also on New Year’s night when UTC is still in the old year', async () => {
    const { agent, advance } = await createTestApp({ today: '2021-12-31' })
    advance(14.75 * 60 * 60 * 1000)
    await logIn(agent, 'sekreterare')
    const $ = html((await agent.get('/planer/importera').expect(200)).text)
    expect($('#field-year').val()).toBe('2023')
    expect($('#field-title').val()).toBe('Internkontrollplan 2023')
  })

  it('keeps the file’s name as written, å, ä and ö too', async () => {
    const { agent } = await createTestApp()
    const file = { ...csv(['Risk;Åtgärd;Ansvarig', 'a;b;HR-avdelningen']), name: 'Grundskolenämnden plan.csv' }
    const { preview } = await uploadAndMap(agent, file)
    expect(html(preview)('dt:contains("Fil") + dd').text()).toBe('Grundskolenämnden plan.csv')
    expect(html(preview)('dt:contains("Ny plan") + dd').text()).toBe(
      'Grundskolenämnden: Internkontrollplan 2021 (2021)',
    )
  })
})

describe('a CSV with invisible characters an export cannot hold (a NUL, U+FFFE)', () => {
  it('is read without them, also with a NUL near its start, and imports them as shown', async () => {
    const { agent, db } = await createTestApp()
    const file = csv(['Risk;Åtgärd;Ansvarig', 'Röjande\u0000 av sekretess;Utbilda\ufffe chefer\u0000;HR-avdelningen'])
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(html(preview)('main').text()).toContain('Utbilda chefer')
    const done = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const measure = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select(['risk.title as risk', 'measure.title'])
      .where('risk.plan_id', '=', planId)
      .executeTakeFirstOrThrow()
    expect(measure).toEqual({ risk: 'Röjande av sekretess', title: 'Utbilda chefer' })
  })
})

describe('a sheet laid out differently from the export', () => {
  it('leaves out empty columns past the end of the header row', async () => {
    const { agent } = await createTestApp()
    const { mappingPage } = await uploadAndMap(agent, csv(['Risk;Åtgärd;Ansvarig', 'a;b;HR-avdelningen;;;;']))
    expect(html((await agent.get(mappingPage)).text)('select')).toHaveLength(3)
  })
  it('is read by its Swedish headers in any order, case and spacing, with extra columns left out', async () => {
    const { agent, db } = await createTestApp()
    const file = await workbook((sheet) => {
      sheet.addRow(['Internkontrollplan 2021 – Grundskolenämnden'])
      sheet.mergeCells('A1:H1')
      sheet.addRow([])
      sheet.addRow([
        'Nr',
        '  ÅTGÄRD ',
        ' risk',
        'Ansvarig  enhet',
        'status',
        'klart senast:',
        'Kommentar',
        'sannolikhet',
        'KONSEKVENS',
        'Vad ska göras?',
        ' DNR ',
      ])
      sheet.addRow([
        1,
        'Ny rutin för loggkontroll',
        'Röjande av sekretess',
        'HR-avdelningen',
        'pågående',
        new Date('2021-05-31T00:00:00Z'),
        'Se bilaga',
        3,
        4,
        '- Gå igenom loggarna',
        'GRF-2021-100',
      ])
      sheet.addRow([
        2,
        'Utbildning i sekretess',
        '',
        'utbildningsområden',
        'Genomförd - fortsatt arbete',
        '2021-09-30',
        '',
        '',
        '',
        '',
      ])
      sheet.addRow([3, 'Kontroll av fakturor', 'Felaktiga utbetalningar', 'HR-avdelningen', '', '', '', 2, 2, ''])
      sheet.addRow([
        4,
        'Attest i två steg',
        'Felaktiga utbetalningar',
        'HR-avdelningen',
        'Ej påbörjad',
        '',
        '',
        2,
        2,
        '',
      ])
    })
    const { mappingPage, preview, previewPath } = await uploadAndMap(agent, file)
    const mapping = html((await agent.get(mappingPage)).text)
    const chosen = mapping('select')
      .map((_, e) => mapping(e).find('option[selected]').text() || 'Används inte')
      .get()
    expect(chosen).toEqual([
      'Används inte',
      'Åtgärd',
      'Risk',
      'Ansvarig',
      'Status',
      'Klart senast',
      'Används inte',
      'Sannolikhet',
      'Konsekvens',
      'Vad ska göras',
      'Diarienummer',
    ])
    expect(preview).toContain('Inga problem hittades i filen.')
    const done = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const measures = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select([
        'risk.title as risk',
        'risk.likelihood',
        'measure.title',
        'owner_unit.name as owner',
        'status',
        'due_date',
        'what_to_do',
      ])
      .where('risk.plan_id', '=', planId)
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute()
    expect(measures).toEqual([
      {
        risk: 'Röjande av sekretess',
        likelihood: 3,
        title: 'Ny rutin för loggkontroll',
        owner: 'HR-avdelningen',
        status: 'in_progress',
        due_date: '2021-05-31',
        what_to_do: '- Gå igenom loggarna',
      },
      {
        risk: 'Röjande av sekretess',
        likelihood: 3,
        title: 'Utbildning i sekretess',
        owner: 'Utbildningsområden',
        status: 'done_with_follow_up',
        due_date: '2021-09-30',
        what_to_do: '',
      },
      {
        risk: 'Felaktiga utbetalningar',
        likelihood: 2,
        title: 'Kontroll av fakturor',
        owner: 'HR-avdelningen',
        status: 'not_started',
        due_date: null,
        what_to_do: '',
      },
      {
        risk: 'Felaktiga utbetalningar',
        likelihood: 2,
        title: 'Attest i två steg',
        owner: 'HR-avdelningen',
        status: 'not_started',
        due_date: null,
        what_to_do: '',
      },
    ])
    // The diary number beside a risk is a review of it.
    const reviews = await db
      .selectFrom('review')
      .innerJoin('risk', 'risk.id', 'review.risk_id')
      .select(['diary_number', 'review.title', 'risk.title as risk'])
      .where('review.plan_id', '=', planId)
      .execute()
    expect(reviews).toEqual([
      { diary_number: 'GRF-2021-100', title: 'Röjande av sekretess', risk: 'Röjande av sekretess' },
    ])
  })
})

// How long these take is measured by `npm run bench:import`, not asserted here.
describe('a file at the row limit', () => {
  it('is checked whole: every risk, review and diary number of 5 000 rows', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `Risk ${i};Åtgärd;HR-avdelningen;GRF-2021-${i}`)
    const read = await parseSpreadsheet(Buffer.from(['Risk;Åtgärd;Ansvarig;Diarienummer', ...lines].join('\n')))
    if (!read.ok) throw new Error(read.message)
    const context = {
      year: 2021,
      unitNames: ['HR-avdelningen'],
      createUnits: [],
      administrationName: 'Förvaltningen',
      areas: [],
    }
    const checked = checkImport({ sheets: read.sheets, planSheet: null }, guessMapping(read.sheets), context)
    expect([checked.risks.length, checked.reviews.length, checked.problems.length]).toEqual([5000, 5000, 0])
  })
})

describe('a file naming many units', () => {
  it('keeps every chosen one checked when the preview is shown again', async () => {
    const { agent } = await createTestApp()
    const rows = Array.from({ length: 5000 }, (_, i) => `Risk ${i};Åtgärd;Enhet ${i}`)
    const { previewPath } = await uploadAndMap(agent, csv(['Risk;Åtgärd;Ansvarig', ...rows]))
    const { fields } = formFields((await agent.get(previewPath)).text, {
      createUnits: Array.from({ length: 999 }, (_, i) => `Enhet ${i}`),
    })
    const response = await agent.post(previewPath).type('form').send(fields).expect(400)
    expect(html(response.text)('input[name="createUnits"][checked]')).toHaveLength(999)
  })
})

describe('risks with the same title', () => {
  it('are one risk only on consecutive rows that repeat it; elsewhere each row starts its own risk', async () => {
    const { agent, db } = await createTestApp()
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Plan').addRows([
      ['Risk', 'Riskbeskrivning', 'Sannolikhet', 'Åtgärd', 'Ansvarig'],
      ['Felaktiga utbetalningar', 'Fakturor betalas två gånger', 3, 'Kontroll av fakturor', 'HR-avdelningen'],
      ['Felaktiga utbetalningar', 'Fakturor betalas två gånger', 3, 'Attest i två steg', 'HR-avdelningen'],
      ['', '', '', 'Påminnelse', 'HR-avdelningen'],
      ['Felaktiga utbetalningar', 'Löner betalas fel', 2, 'Lönekontroll', 'HR-avdelningen'],
      ['Röjande av sekretess', '', 4, 'Loggkontroll', 'HR-avdelningen'],
      ['Felaktiga utbetalningar', 'Fakturor betalas två gånger', 3, 'Stickprov', 'HR-avdelningen'],
    ])
    book.addWorksheet('Granskningar').addRows([
      ['Diarienummer', 'Granskning', 'Granskad risk'],
      ['GRF-2021-1', 'Granskning av sekretess', 'Röjande av sekretess'],
      ['GRF-2021-2', 'Granskning av utbetalningar', 'Felaktiga utbetalningar'],
    ])
    const file = { bytes: Buffer.from(await book.xlsx.writeBuffer()), name: 'plan.xlsx' }
    const { preview, previewPath } = await uploadAndMap(agent, file)
    expect(html(preview)('.import-problems tbody tr').text()).toContain(
      '3 risker som importeras heter ”Felaktiga utbetalningar”, och granskningen hittar sin risk bara genom rubriken. Ge riskerna olika rubriker.',
    )
    const fields = formFields(preview, { skipErrors: 'on' }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const risks = await db
      .selectFrom('risk')
      .leftJoin('measure', 'measure.risk_id', 'risk.id')
      .select(['risk.id', 'risk.title', 'risk.description', 'risk.likelihood', 'measure.title as measure'])
      .where('risk.plan_id', '=', planId)
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute()
    expect(risks.map((r) => `${r.title} (${r.description}, ${r.likelihood}): ${r.measure}`)).toEqual([
      'Felaktiga utbetalningar (Fakturor betalas två gånger, 3): Kontroll av fakturor',
      'Felaktiga utbetalningar (Fakturor betalas två gånger, 3): Attest i två steg',
      'Felaktiga utbetalningar (Fakturor betalas två gånger, 3): Påminnelse',
      'Felaktiga utbetalningar (Löner betalas fel, 2): Lönekontroll',
      'Röjande av sekretess (, 4): Loggkontroll',
      'Felaktiga utbetalningar (Fakturor betalas två gånger, 3): Stickprov',
    ])
    expect(new Set(risks.map((r) => r.id)).size).toBe(4)
    const reviews = await db
      .selectFrom('review')
      .innerJoin('risk', 'risk.id', 'review.risk_id')
      .select(['diary_number', 'risk.title'])
      .where('review.plan_id', '=', planId)
      .execute()
    expect(reviews).toEqual([{ diary_number: 'GRF-2021-1', title: 'Röjande av sekretess' }])
  })
})

const problemSheet = csv([
  'Risk;Sannolikhet;Åtgärd;Ansvarig;Status;Klart senast',
  'Röjande av sekretess;3;Loggkontroll;HR-avdelningen;Pågående;2021-05-31',
  'Röjande av sekretess;3;Utbildning;HR-avdelningen;Klar;2021-06-30',
  'Felaktiga utbetalningar;5;Attest;HR-avdelningen;;',
  ';;Kontroll;HR-avdelningen;Pågående;30/6',
  'Otillåten påverkan;2;Information;Ekonomiavdelningen;Ej påbörjad;',
])

describe('the preview', () => {
  it('lists every problem with its rows and column, the unknown unit first with its remedy, and imports nothing until they are dealt with', async () => {
    const { agent, db } = await createTestApp()
    const { preview, previewPath } = await uploadAndMap(agent, problemSheet)
    const $ = html(preview)
    expect(problemRows(preview)).toEqual([
      [
        'Okänd ansvarig enhet ”Ekonomiavdelningen” Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen',
        'rad 6',
        'D (Ansvarig)',
      ],
      [
        'Okänd status ”Klar”. Ange Ej påbörjad, Pågående, Delvis genomförd, Genomförd, Genomförd – fortsatt arbete eller Avbruten.',
        'rad 3',
        'E (Status)',
      ],
      ['Sannolikhet ska vara en siffra 1–4 (eller tom), inte ”5”.', 'rad 4', 'B (Sannolikhet)'],
      ['Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.', 'rad 5', 'F (Klart senast)'],
    ])
    expect($('.import-problems input[name="createUnits"]').val()).toBe('Ekonomiavdelningen')

    const before = await counts(db)
    const refusedImport = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(400)
    expect(html(refusedImport.text)('#field-skipErrors-error').text()).toContain('Filen har fel på 4 rader.')
    expect(await counts(db)).toEqual(before)
  })

  it('warns of an origin the committee has no area of, and names a value of the plan’s own sheet in error, by row', async () => {
    const { agent, db } = await createTestApp()
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Plan').addRows([
      ['Risk', 'Åtgärd', 'Ansvarig', 'Ursprung'],
      ['Röjande av sekretess', 'Loggkontroll', 'HR-avdelningen', 'Skolinspektionen 2019'],
    ])
    book.addWorksheet('Planens uppgifter').addRows([
      ['Uppgift', 'Värde'],
      ['Antagen vid sammanträde', '17 december'],
      ['Beslutsdatum', '2019-12-17'],
      ['Inledning', 'Planen bygger på riskanalysen.'],
    ])
    const file = { bytes: Buffer.from(await book.xlsx.writeBuffer()), name: 'plan.xlsx' }
    const { preview, previewPath } = await uploadAndMap(agent, file)
    const $ = html(preview)
    expect(problemRows(preview)).toEqual([
      [
        'Okänd uppgift ”Beslutsdatum”. Ange Inledning, Inledning till förbättringsåtgärderna, Antagen vid sammanträde, Antagen i protokollsparagraf eller Antagen med diarienummer.',
        'rad 3',
        'A (Uppgift)',
      ],
      ['Ange ett datum som ÅÅÅÅ-MM-DD, till exempel 2020-09-23.', 'rad 2', 'B (Värde)'],
    ])
    expect($('.import-problems caption').text()).toBe('Bladet Planens uppgifter')
    expect(
      $('.import-warnings tbody td')
        .map((_, td) => $(td).text())
        .get(),
    ).toEqual([
      'Nämnden har inget utvecklingsområde ”Skolinspektionen 2019”; åtgärden importeras utan ursprung.',
      'rad 2',
      'D (Ursprung)',
    ])
    // With the plan sheet's rows in error left out, the rest of the plan comes in, the measure without an origin.
    const done = await agent
      .post(previewPath)
      .type('form')
      .send(formFields(preview, { skipErrors: 'on' }).fields)
      .expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow()
    expect([plan.introduction, plan.adopted_meeting_date]).toEqual(['Planen bygger på riskanalysen.', null])
    const measure = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select(['measure.title', 'measure.origin_area_id'])
      .where('risk.plan_id', '=', planId)
      .execute()
    expect(measure).toEqual([{ title: 'Loggkontroll', origin_area_id: null }])
  })

  it('recognises an origin as workbooks exported before December 2026 name it', async () => {
    const { agent, db } = await createTestApp()
    const area = await db
      .selectFrom('development_area')
      .innerJoin('inspection', 'inspection.id', 'development_area.inspection_id')
      .select([
        'development_area.id',
        'development_area.inspection_id',
        'development_area.heading',
        'inspection.authority',
        'inspection.principal',
        'inspection.decision_date',
      ])
      .executeTakeFirstOrThrow()
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Plan').addRows([
      ['Risk', 'Åtgärd', 'Ansvarig', 'Ursprung'],
      ['Röjande av sekretess', 'Loggkontroll', 'HR-avdelningen', earlierAreaOriginLabel(area)],
    ])
    const { preview, previewPath } = await uploadAndMap(agent, {
      bytes: Buffer.from(await book.xlsx.writeBuffer()),
      name: 'plan.xlsx',
    })
    expect(html(preview)('.import-warnings')).toHaveLength(0)
    const done = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const measure = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select('measure.origin_area_id')
      .where('risk.plan_id', '=', planId)
      .executeTakeFirstOrThrow()
    expect(measure.origin_area_id).toBe(area.id)
  })

  it('says of a review whose risk is left out for its problems why it has no risk', async () => {
    const { agent } = await createTestApp()
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Plan').addRows([
      ['Risk', 'Sannolikhet', 'Åtgärd', 'Ansvarig'],
      ['Röjande av sekretess', 5, 'Loggkontroll', 'HR-avdelningen'],
    ])
    book.addWorksheet('Granskningar').addRows([
      ['Diarienummer', 'Granskning', 'Granskad risk'],
      ['GRF-2021-1', 'Granskning av sekretess', 'Röjande av sekretess'],
      ['GRF-2021-2', 'Granskning av attester', 'Felaktiga attester'],
    ])
    const file = { bytes: Buffer.from(await book.xlsx.writeBuffer()), name: 'plan.xlsx' }
    const { preview } = await uploadAndMap(agent, file)
    expect(problemRows(preview).slice(1)).toEqual([
      [
        'Risken ”Röjande av sekretess” har fel och utelämnas. Rätta den, så kommer granskningen med.',
        'rad 2',
        'C (Granskad risk)',
      ],
      ['Ingen risk som importeras heter ”Felaktiga attester”.', 'rad 3', 'C (Granskad risk)'],
    ])
  })

  it('a risk title missing from a row with risk data is a problem', async () => {
    const { agent } = await createTestApp()
    const { preview } = await uploadAndMap(
      agent,
      csv(['Risk;Sannolikhet;Åtgärd;Ansvarig', ';3;Loggkontroll;HR-avdelningen']),
    )
    expect(html(preview)('.import-problems tbody tr').text()).toContain('Risken saknar rubrik: kolumnen Risk är tom.')
  })

  it('imports the rest when asked to leave out rows with errors, creating a missing unit in the administration, all audited', async () => {
    const { agent, db } = await createTestApp()
    const { preview, previewPath } = await uploadAndMap(agent, problemSheet)
    const auditBefore = (await counts(db)).audit
    const fields = formFields(preview, { skipErrors: 'on', createUnits: ['Ekonomiavdelningen'] }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const risks = await db
      .selectFrom('risk')
      .select('title')
      .where('plan_id', '=', planId)
      .orderBy('position')
      .execute()
    expect(risks.map((r) => r.title)).toEqual(['Röjande av sekretess', 'Otillåten påverkan'])
    const unit = await db
      .selectFrom('owner_unit')
      .innerJoin('administration', 'administration.id', 'owner_unit.administration_id')
      .select('administration.name')
      .where('owner_unit.name', '=', 'Ekonomiavdelningen')
      .executeTakeFirstOrThrow()
    expect(unit.name).toBe('Grundskoleförvaltningen')
    const events = await db
      .selectFrom('audit_event')
      .select(['action', 'entity'])
      .where('id', '>', auditBefore)
      .execute()
    expect(events.map((e) => `${e.action} ${e.entity}`).sort()).toEqual(
      ['plan', 'risk', 'risk', 'measure', 'measure', 'owner_unit'].map((e) => `create ${e}`).sort(),
    )
    // The upload is gone once imported.
    expect((await counts(db)).uploads).toBe(0)
    await agent.get(previewPath).expect(404)
  })

  it('leaves out the rows under a risk whose own row is left out, saying why', async () => {
    const { agent, db } = await createTestApp()
    const { preview, previewPath } = await uploadAndMap(
      agent,
      csv([
        'Risk;Riskbeskrivning;Sannolikhet;Åtgärd;Ansvarig',
        'Röjande av sekretess;Uppgifter lämnas ut;5;Loggkontroll;HR-avdelningen',
        ';;;Utbildning;HR-avdelningen',
        ';;;Påminnelse;HR-avdelningen',
        'Otillåten påverkan;;2;Information;HR-avdelningen',
      ]),
    )
    expect(problemRows(preview)).toEqual([
      ['Sannolikhet ska vara en siffra 1–4 (eller tom), inte ”5”.', 'rad 2', 'C (Sannolikhet)'],
      ['Risken på rad 2 har fel. Rätta den raden, så kommer raderna under den med.', '2 rader: 3–4', 'A (Risk)'],
    ])
    const fields = formFields(preview, { skipErrors: 'on' }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const risks = await db.selectFrom('risk').select('title').where('plan_id', '=', planId).execute()
    expect(risks.map((r) => r.title)).toEqual(['Otillåten påverkan'])
  })

  it('imported from a second tab after the first, tells it the year is taken, and writes nothing', async () => {
    const { agent, db } = await createTestApp()
    const first = await uploadAndMap(agent, problemSheet)
    const second = await uploadAndMap(agent, problemSheet)
    const send = ({ preview, previewPath }: typeof first) =>
      agent
        .post(previewPath)
        .type('form')
        .send(formFields(preview, { skipErrors: 'on' }).fields)
    expect((await send(first)).status).toBe(303)
    const before = await counts(db)
    const again = await send(second)
    expect(again.status).toBe(400)
    expect(html(again.text)('#field-skipErrors-error').text()).toContain(
      'Nämnden har redan en internkontrollplan för 2021. Börja om och välj ett annat år.',
    )
    expect(await counts(db)).toEqual(before)
  })

  it('checks the year in the transaction that writes the plan, so two imports at once cannot both pass', async () => {
    const { db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const plan = await db.selectFrom('plan').selectAll().where('id', '=', planId).executeTakeFirstOrThrow()
    const committee = await db
      .selectFrom('committee')
      .select('administration_id')
      .where('id', '=', plan.committee_id)
      .executeTakeFirstOrThrow()
    const user = await db.selectFrom('app_user').select('id').executeTakeFirstOrThrow()
    const upload = {
      committeeId: plan.committee_id,
      year: plan.year,
      title: 'Igen',
      fileName: 'x.csv',
      sheets: [],
      format: 'csv' as const,
      planSheet: null,
    }
    const id = await insertImport(db, user.id, new Date(), { ...upload, mapping: {} })
    const before = await counts(db)
    const actor = { userId: user.id, userName: 'Sekreterare', at: new Date().toISOString() }
    const written = await writeImport(
      db,
      actor,
      { ...upload, id, administrationId: committee.administration_id },
      {
        plan: {
          introduction: '',
          measuresIntroduction: '',
          adoptedMeetingDate: null,
          adoptedMinutesParagraph: null,
          adoptedDiaryNumber: '',
        },
        risks: [],
        reviews: [],
      },
    )
    expect(written).toBeNull()
    expect(await counts(db)).toEqual(before)
  })

  it('shows the upload page’s error for a mapping without the risk column, keeping the choices', async () => {
    const { agent } = await createTestApp()
    const { mappingPage } = await uploadAndMap(agent, problemSheet)
    const page = formFields((await agent.get(mappingPage)).text, { 'risks-0': '' })
    const response = await agent.post(page.action).type('form').send(page.fields).expect(400)
    const $ = html(response.text)
    expect($('.error-summary li').text()).toBe('Välj vilken kolumn som innehåller riskens rubrik (Risk).')
    expect($('#field-risks-2 option[selected]').text()).toBe('Åtgärd')
  })
})

describe('the preview of a sheet of 300 rows', () => {
  /** What the preview says will be imported, and what the import then wrote. */
  async function importedAfter(agent: TestAgent, db: Db, previewPath: string, page: string, createUnits: string[]) {
    const fields = formFields(page, { skipErrors: 'on', createUnits }).fields
    const done = await agent.post(previewPath).type('form').send(fields).expect(303)
    const planId = Number(String(done.headers.location).split('/').pop())
    const { risks, measures } = await planSize(db, planId)
    return `${risks} risker, ${measures} åtgärder`
  }
  const summary = (page: string) => html(page)('dt:contains("Importeras") + dd').text()

  it('names each distinct problem once with its rows, the remedy beside the unknown unit, and counts what the import writes', async () => {
    const { agent, db } = await createTestApp()
    const { preview, previewPath } = await uploadAndMap(agent, csv(generatedPlanRows().map((r) => r.join(';'))))
    expect(problemRows(preview)).toEqual([
      [
        'Okänd ansvarig enhet ”Ekonomiavdelningen” Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen',
        '75 rader: 3–77',
        'F (Ansvarig)',
      ],
      [
        'Okänd status ”Klar”. Ange Ej påbörjad, Pågående, Delvis genomförd, Genomförd, Genomförd – fortsatt arbete eller Avbruten.',
        '3 rader: 100–101, 150',
        'G (Status)',
      ],
    ])
    expect(summary(preview)).toBe('31 risker, 222 åtgärder, 0 granskningar – utan 78 rader med fel')
    // The measures under each risk they belong to.
    const $ = html(preview)
    expect($('.import-contents > li')).toHaveLength(31)
    expect(
      $('.import-contents > li')
        .first()
        .find('li')
        .map((_, li) => $(li).text())
        .get(),
    ).toEqual(['Åtgärd 1 (HR-avdelningen)'])

    // Choosing to create the unit and counting again: its 75 rows count as imported.
    const recount = formFields(preview, { createUnits: ['Ekonomiavdelningen'], recount: '1' }).fields
    const counted = (await agent.post(previewPath).type('form').send(recount).expect(200)).text
    expect(summary(counted)).toBe(
      '40 risker, 297 åtgärder, 0 granskningar och 1 ny ansvarig enhet – utan 3 rader med fel',
    )
    expect(problemRows(counted)[0]).toEqual([
      'Ny ansvarig enhet ”Ekonomiavdelningen” Skapa ”Ekonomiavdelningen” i Grundskoleförvaltningen',
      '75 rader: 3–77',
      'F (Ansvarig)',
    ])
    expect(html(counted)('.import-problems input[name="createUnits"]').is('[checked]')).toBe(true)
    expect(await importedAfter(agent, db, previewPath, counted, ['Ekonomiavdelningen'])).toBe('40 risker, 297 åtgärder')
  })

  it('without the remedy imports what it counted without it', async () => {
    const { agent, db } = await createTestApp()
    const { preview, previewPath } = await uploadAndMap(agent, csv(generatedPlanRows().map((r) => r.join(';'))))
    expect(summary(preview)).toMatch(/^31 risker, 222 åtgärder/)
    expect(await importedAfter(agent, db, previewPath, preview, [])).toBe('31 risker, 222 åtgärder')
  })
})

describe('who may import', () => {
  it('only a secretary, only their own upload, and only for a day', async () => {
    const { agent, db } = await createTestApp()
    const reader = await createTestApp({ as: 'lasare' })
    await reader.agent.get('/planer/importera').expect(403)
    const { previewPath } = await uploadAndMap(agent, problemSheet)
    const id = Number(previewPath.split('/')[3])
    // Another person's upload (the administrator's, say) is not found for the secretary.
    const admin = await db.selectFrom('app_user').select('id').where('is_admin', '=', 1).executeTakeFirstOrThrow()
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    const upload = {
      committeeId: committee.id,
      year: 2022,
      title: 'Annans',
      fileName: 'x.csv',
      format: 'csv' as const,
      sheets: [],
      planSheet: null,
      mapping: {},
    }
    const theirs = await insertImport(db, admin.id, new Date('2021-03-15T09:00:00Z'), upload)
    await agent.get(`/planer/importera/${theirs}/kolumner`).expect(404)
    // A day later the uploads are gone: not found, and deleted by the next upload.
    const secretary = await db
      .selectFrom('spreadsheet_import')
      .select('user_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const dayLater = new Date('2021-03-16T09:30:00Z')
    expect(await findImport(db, secretary.user_id, id, dayLater)).toBeUndefined()
    await insertImport(db, admin.id, dayLater, upload)
    expect(await db.selectFrom('spreadsheet_import').select('id').execute()).toHaveLength(1)
  })

  it('lets only the committee’s secretary create owner units through the import, which elsewhere an administrator does', () => {
    const viewer = {
      id: 1,
      email: 'a@example.se',
      name: 'A',
      isAdmin: false,
      secretaryOf: new Set([1]),
      readerOf: new Set([2]),
      unitIds: new Set<number>(),
      unitNames: [],
      unitCommittees: new Set<number>(),
      coordinatorOf: new Set<number>(),
      coordinatorCommittees: new Set<number>(),
    }
    expect(can.addUnitsByImport(viewer, { committee_id: 1 })).toBe(true)
    expect(can.addUnitsByImport(viewer, { committee_id: 2 })).toBe(false)
    expect(can.addUnitsByImport({ ...viewer, isAdmin: true, secretaryOf: new Set() }, { committee_id: 1 })).toBe(false)
  })

  it('the plan list offers the import to a secretary only', async () => {
    const { agent } = await createTestApp()
    expect(html((await agent.get('/planer')).text)('a[href="/planer/importera"]').text()).toBe(
      'Importera plan från Excel',
    )
    const reader = await createTestApp({ as: 'lasare' })
    expect(html((await reader.agent.get('/planer')).text)('a[href="/planer/importera"]')).toHaveLength(0)
  })
})

describe('a workbook whose plan is on a sheet named as the controls’ sheets', () => {
  const rows = [
    ['Risk', 'Åtgärd', 'Ansvarig'],
    ['Röjande av sekretess', 'Loggkontroll', 'HR-avdelningen'],
  ]
  for (const name of ['Kontrollmoment', 'Kontrolltillfällen', 'Avvikelser']) {
    it(`reads a lone sheet ${name} as the risks, as before controls had sheets of their own`, async () => {
      const book = new ExcelJS.Workbook()
      book.addWorksheet('Blad1')
      book.addWorksheet(name).addRows(rows)
      const read = await parseSpreadsheet(Buffer.from(await book.xlsx.writeBuffer()))
      if (!read.ok) throw new Error(read.message)
      expect(read.sheets.map((s) => [s.kind, s.name, s.rows.length])).toEqual([['risks', name, 1]])
    })
  }

  it('reads the first such sheet as the risks, the reviews as reviews and no other sheet as controls', async () => {
    const book = new ExcelJS.Workbook()
    book.addWorksheet('Kontrolltillfällen').addRows(rows)
    book.addWorksheet('Kontrollmoment').addRows([
      ['Risk', 'Kontrollmoment'],
      ['Röjande av sekretess', 'Loggkontroll'],
    ])
    book.addWorksheet('Granskningar').addRows([
      ['Diarienummer', 'Granskning'],
      ['GRF-2021-1', 'Granskning av sekretess'],
    ])
    const read = await parseSpreadsheet(Buffer.from(await book.xlsx.writeBuffer()))
    if (!read.ok) throw new Error(read.message)
    expect(read.sheets.map((s) => [s.kind, s.name])).toEqual([
      ['risks', 'Kontrolltillfällen'],
      ['reviews', 'Granskningar'],
    ])
  })
})
