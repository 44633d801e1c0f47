// npm run audit:verify — checks the audit log's hash chain and names the first row altered or removed.
import { existsSync } from 'node:fs'
import { openDatabase } from '../db/connection.js'
import { firstBrokenEvent } from '../server/audit/chain.js'
import { listEvents } from '../server/audit/repository.js'
import { loadConfig } from '../server/config.js'

const config = loadConfig()
// Opening a missing file would create an empty database and report a crash instead of the mistyped path.
if (!existsSync(config.databaseFile)) {
  console.error(`There is no database at ${config.databaseFile}; set DATABASE_FILE to the one to verify.`)
  process.exit(2)
}
const db = openDatabase(config.databaseFile)
const events = await listEvents(db)
await db.destroy()
const broken = firstBrokenEvent(events)
if (broken) {
  console.error(`The audit log of ${config.databaseFile} is broken at row ${broken.id}: ${broken.reason}.`)
  process.exit(1)
}
console.log(
  `The audit log of ${config.databaseFile} is intact: ${events.length} ${events.length === 1 ? 'row' : 'rows'}.`,
)
