// npm run report -- --plan <id> --out <file>
// Writes a plan's follow-up report as a draft PDF from the configured database. Final versions are made
// in the app, where they are stored and listed; a file marked final outside that register would mislead.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { describeDatabase, migrateToLatest, openDatabase } from '../db/connection.js'
import { makeReportPdf } from '../reports/make-report.js'
import { PdfPrinter } from '../reports/render-pdf.js'
import { loadConfig } from '../server/config.js'
import { createViews } from '../server/views.js'

const { values } = parseArgs({
  options: { plan: { type: 'string' }, out: { type: 'string' } },
})
if (!values.plan || !/^\d+$/.test(values.plan) || !values.out) {
  console.error('Usage: npm run report -- --plan <id> --out <file.pdf>')
  process.exit(2)
}

const config = loadConfig()
const db = openDatabase(config.database)
const pdf = new PdfPrinter({ executablePath: config.chromiumPath })
try {
  await migrateToLatest(db)
  const made = await makeReportPdf({ db, views: createViews(), pdf }, Number(values.plan), { madeAt: new Date() })
  if (!made) {
    console.error(`There is no plan ${values.plan} in ${describeDatabase(config.database)}.`)
    process.exitCode = 1
  } else {
    writeFileSync(values.out, made.pdf)
    console.log(`Wrote ${values.out}: ${made.data.title}, ${made.data.committee} (${made.pdf.byteLength} bytes).`)
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await pdf.close()
  await db.destroy()
}
