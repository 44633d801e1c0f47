// npm run db:migrate — brings the configured database to the latest schema.
import { migrateToLatest, openDatabase } from '../db/connection.js'
import { loadConfig } from '../server/config.js'

const config = loadConfig()
const db = openDatabase(config.databaseFile)
await migrateToLatest(db)
await db.destroy()
console.log(`Migrated ${config.databaseFile} to the latest schema.`)
