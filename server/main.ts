import { migrateToLatest } from '../db/connection.js'
import { demoAccounts, demoPassword, loadDemoDataIfEmpty } from '../db/seed/demo.js'
import { PdfPrinter } from '../reports/render-pdf.js'
import { createApp } from './app.js'
import { openAuditedDatabase } from './audit/anchor.js'
import { loadConfig } from './config.js'

const config = loadConfig()
const db = openAuditedDatabase(config)
await migrateToLatest(db)
if (config.demoData && (await loadDemoDataIfEmpty(db, new Date()))) {
  console.log("Loaded the demo data: Grundskolenämnden's internal-control plan 2020.")
}
if (config.demoData) {
  console.log(`Demo accounts (password ${demoPassword}):`)
  for (const account of demoAccounts) {
    const units = account.units.length > 0 ? ` for ${account.units.join(', ')}` : ''
    console.log(`  ${account.role.padEnd(14)} ${account.email}${units}`)
  }
}

const pdf = new PdfPrinter({ executablePath: config.chromiumPath })
const app = createApp({ db, config, clock: () => new Date(), pdf })
const server = app.listen(config.port, () => {
  console.log(`Internkontroll is running on http://localhost:${config.port} (database ${config.databaseFile})`)
})

// Finish the requests under way, then close the browser and the database; a second signal does not wait.
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    server.close(() => {
      void Promise.all([pdf.close(), db.destroy()]).then(() => process.exit(0))
    })
    server.closeIdleConnections()
  })
}
