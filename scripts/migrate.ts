// npm run db:migrate — brings the configured database to the latest schema.
import { describeDatabase, migrateToLatest, openDatabase } from '../db/connection.js'
import { loadConfig } from '../server/config.js'

const config = loadConfig()
const db = openDatabase(config.database)
await migrateToLatest(db)
await db.destroy()
console.log(`Migrated ${describeDatabase(config.database)} to the latest schema.`)
