// npm run bench:import — how long the import's steps take on files at its limits: reading a 5 000-row CSV and
// workbook, checking their rows (run on every view of the preview), and refusing a small CSV of 20 000 empty
// columns. Each figure is the median of five runs.
import { performance } from 'node:perf_hooks'
import ExcelJS from 'exceljs'
import { checkImport } from '../server/spreadsheets/import/check.js'
import { guessMapping } from '../server/spreadsheets/import/mapping.js'
import { importLimits, parseSpreadsheet } from '../server/spreadsheets/import/parse.js'

const header = ['Risk', 'Åtgärd', 'Ansvarig', 'Diarienummer']
const rows = Array.from({ length: importLimits.rows }, (_, i) => [
  `Risk ${i}`,
  'Åtgärd',
  'HR-avdelningen',
  `GRF-2021-${i}`,
])
const csv = Buffer.from([header, ...rows].map((r) => r.join(';')).join('\n'))
const book = new ExcelJS.Workbook()
book.addWorksheet('Plan').addRows([header, ...rows])
const xlsx = Buffer.from(await book.xlsx.writeBuffer())
const wide = Buffer.from(
  ['Risk;Åtgärd', `x${';'.repeat(20_000)}`, ...Array.from({ length: 1000 }, () => 'a;b')].join('\n'),
)

async function median(run: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)[2] as number
}

async function parsed(bytes: Buffer) {
  const read = await parseSpreadsheet(bytes)
  if (!read.ok) throw new Error(read.message)
  return read.sheets
}

const sheets = await parsed(csv)
const context = {
  year: 2021,
  unitNames: ['HR-avdelningen'],
  createUnits: [],
  administrationName: 'Förvaltningen',
  areas: [],
}
const figures = {
  [`read a CSV of ${rows.length} rows (${(csv.length / 1024).toFixed(0)} kB)`]: await median(() => parsed(csv)),
  [`read a workbook of ${rows.length} rows (${(xlsx.length / 1024).toFixed(0)} kB)`]: await median(() => parsed(xlsx)),
  [`check ${rows.length} rows with diary numbers`]: await median(() =>
    checkImport({ sheets, planSheet: null }, guessMapping(sheets), context),
  ),
  [`refuse a CSV of 20 000 empty columns (${(wide.length / 1024).toFixed(0)} kB)`]: await median(() =>
    parseSpreadsheet(wide),
  ),
}
for (const [what, ms] of Object.entries(figures)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${what}`)
