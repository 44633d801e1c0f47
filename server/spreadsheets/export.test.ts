import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { demoPlan } from '../../test/helpers/builders.js'
import { download } from '../../test/helpers/spreadsheets.js'
import { createTestApp, html } from '../../test/helpers/test-app.js'
import { onPostgres } from '../../test/helpers/test-database.js'
import { csvField } from './export.js'
import { parseSpreadsheet } from './import/parse.js'

async function exported(format: 'xlsx' | 'csv', as: 'sekreterare' | 'lasare' = 'sekreterare') {
  const { agent, db } = await createTestApp({ as })
  const { planId } = await demoPlan(db)
  await db.updateTable('measure').set({ due_date: '2021-06-30' }).execute()
  const response = await agent.get(`/planer/${planId}/exportera/${format}`).expect(200)
  return { response, bytes: await download(agent, `/planer/${planId}/exportera/${format}`) }
}

describe('the Excel export', () => {
  it('has a sheet of risks and measures and a sheet of reviews, headers frozen and filtered, real dates, Swedish statuses', async () => {
    const { response, bytes } = await exported('xlsx')
    expect(response.headers['content-disposition']).toContain('Grundskolen')
    expect(response.headers['content-type']).toContain('spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer)
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Risker och åtgärder', 'Granskningar', 'Planens uppgifter'])
    const risks = workbook.getWorksheet('Risker och åtgärder') as ExcelJS.Worksheet
    expect((risks.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Risk',
      'Riskbeskrivning',
      'Sannolikhet',
      'Konsekvens',
      'Riskhantering',
      'Typ av granskning',
      'Åtgärd',
      'Vad ska göras',
      'Genomförda åtgärder',
      'Ansvarig',
      'Ansvarig person',
      'Status',
      'Klart senast',
      'Ursprung',
    ])
    expect(risks.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(risks.autoFilter).toBe('A1:N1')
    expect(risks.getColumn(1).width).toBeGreaterThan(20)
    // One row per measure: the demo plan's 12.
    expect(risks.actualRowCount).toBe(13)
    const due = risks.getCell('M2').value
    expect(due).toBeInstanceOf(Date)
    expect((due as Date).toISOString()).toBe('2021-06-30T00:00:00.000Z')
    expect(risks.getCell('M2').numFmt).toBe('yyyy-mm-dd')
    const statuses = new Set(risks.getColumn(12).values.slice(2))
    expect(statuses).toContain('Genomförd – fortsatt arbete')
    expect(statuses).toContain('Pågående')
    expect(risks.getColumn(10).values).toContain('HR-avdelningen')

    const reviews = workbook.getWorksheet('Granskningar') as ExcelJS.Worksheet
    expect((reviews.getRow(1).values as unknown[]).slice(1)).toEqual([
      'Diarienummer',
      'Granskning',
      'Granskad risk',
      'Sammanträdesdatum',
      'Protokollsparagraf',
    ])
    expect(reviews.actualRowCount).toBe(9)
    expect(reviews.getCell('A2').value).toBe('GRF-2020-11639')
    expect(reviews.getCell('D2').value).toBeInstanceOf(Date)
    expect(reviews.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(reviews.autoFilter).toBe('A1:E1')
  })

  it('is offered on the plan page to anyone who may read the plan', async () => {
    const { agent, db } = await createTestApp({ as: 'lasare' })
    const { planId } = await demoPlan(db)
    const $ = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect($('a:contains("Exportera till Excel")').attr('href')).toBe(`/planer/${planId}/exportera/xlsx`)
    expect($('a:contains("Exportera som CSV")').attr('href')).toBe(`/planer/${planId}/exportera/csv`)
    // What the CSV leaves out, said beside it.
    expect($(`#${$('a:contains("Exportera som CSV")').attr('aria-describedby')}`).text()).toBe(
      'CSV-filen har bara en tabell, risker och åtgärder: planens 8 granskningar, inledningar och beslut att anta planen följer bara med i Excel-filen.',
    )
    await agent.get(`/planer/${planId}/exportera/xlsx`).expect(200)
  })
})

describe('the CSV export', () => {
  it('is UTF-8 with a byte-order mark, separated by semicolons, one row per measure', async () => {
    const { response, bytes } = await exported('csv')
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = bytes.toString('utf8').slice(1).split('\r\n')
    expect(lines[0]).toBe(
      'Risk;Riskbeskrivning;Sannolikhet;Konsekvens;Riskhantering;Typ av granskning;Åtgärd;Vad ska göras;Genomförda åtgärder;Ansvarig;Ansvarig person;Status;Klart senast;Ursprung',
    )
    expect(bytes.toString('utf8')).toContain(';2021-06-30;\r\n')
    expect(bytes.toString('utf8')).toContain(';Genomförd – fortsatt arbete;')
  })

  it('quotes fields with separators, quotes and line breaks, and keeps formula-like text as text', () => {
    expect(csvField('enkel')).toBe('enkel')
    expect(csvField('a;b')).toBe('"a;b"')
    expect(csvField('säger "hej"')).toBe('"säger ""hej"""')
    expect(csvField('rad 1\nrad 2')).toBe('"rad 1\nrad 2"')
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField('- punkt')).toBe("'- punkt")
    expect(csvField(3)).toBe('3')
    expect(csvField(null)).toBe('')
    expect(csvField(new Date('2021-06-30T00:00:00Z'))).toBe('2021-06-30')
  })
})

describe('an export of texts stored with characters the forms now remove', () => {
  // Stored directly, as rows saved before the forms removed them may hold them (a lone surrogate cannot be stored:
  // SQLite's UTF-8 reads back U+FFFD).
  // PostgreSQL's text cannot hold NUL at all, so only an SQLite database can have been left with it.
  const dirt = `${onPostgres ? '' : '\u0000'}\u0007\ufffe\uffff`

  for (const format of ['xlsx', 'csv'] as const) {
    it(`opens and imports again, without them (${format})`, async () => {
      const { agent, db } = await createTestApp()
      const { planId } = await demoPlan(db)
      const measure = await db.selectFrom('measure').select('id').executeTakeFirstOrThrow()
      await db
        .updateTable('measure')
        .set({ progress: `${dirt}Rutinen${dirt} är reviderad.${dirt}` })
        .where('id', '=', measure.id)
        .execute()
      await db
        .updateTable('plan')
        .set({ title: `Internkontrollplan${dirt} 2020` })
        .where('id', '=', planId)
        .execute()
      const response = await agent.get(`/planer/${planId}/exportera/${format}`).expect(200)
      expect(decodeURIComponent(String(response.headers['content-disposition']))).toContain(
        `Grundskolenämnden Internkontrollplan 2020.${format}`,
      )
      const bytes = await download(agent, `/planer/${planId}/exportera/${format}`)
      // Excel opens a CSV with a NUL as garbage, whatever the app's own import makes of it.
      if (format === 'csv') expect([...dirt].filter((c) => bytes.toString('utf8').includes(c))).toEqual([])
      const read = await parseSpreadsheet(bytes)
      if (!read.ok) throw new Error(read.message)
      const [risks] = read.sheets
      const progress = risks?.headers.indexOf('Genomförda åtgärder') as number
      expect(risks?.rows.map((r) => r.cells[progress])).toContain('Rutinen är reviderad.')
    })
  }
})
