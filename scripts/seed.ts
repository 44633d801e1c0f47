// npm run db:seed — empties the configured database and loads the demo plan (Grundskolenämnden 2020).
import { rmSync } from 'node:fs'
import { describeDatabase, migrateToLatest } from '../db/connection.js'
import { resetToDemoData } from '../db/seed/demo.js'
import { openAuditedDatabase } from '../server/audit/anchor.js'
import { loadConfig } from '../server/config.js'

const config = loadConfig()
if (config.production && process.argv[2] !== '--yes-delete-everything') {
  console.error('Refusing to erase a production database. Add --yes-delete-everything if that is really meant.')
  process.exit(1)
}
// The log starts again with the data, so its anchor does too.
if (config.auditAnchorFile) rmSync(config.auditAnchorFile, { force: true })
const db = openAuditedDatabase(config)
await migrateToLatest(db)
await resetToDemoData(db, new Date())
await db.destroy()
console.log(`Reset ${describeDatabase(config.database)} to the demo data.`)
