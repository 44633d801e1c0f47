// npm run audit:verify [-- --rapport "<rader>:<kontrollsumma>:<signatur>" …] — checks that the audit log is whole and that
// every record is as it was last logged; prints each finding in Swedish and exits 1 if there is any.
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { describeDatabase, openDatabase } from '../db/connection.js'
import { verifyAudit } from '../server/audit/verify.js'
import { loadConfig } from '../server/config.js'

const { values } = parseArgs({ options: { rapport: { type: 'string', multiple: true, default: [] } } })
// As a final report prints its head: rows, the hash's beginning and the tag, e.g. 412:3fa9c2d1e07b4a55:9b1e04c2d7aa5f31.
const reportHeads = values.rapport.map((printed) => {
  const [count, shortHash, tag] = printed.split(':').map((p) => p.trim())
  if (!count || !/^\d+$/.test(count) || !shortHash || !/^[0-9a-f]+$/i.test(shortHash) || tag === '') {
    console.error(`--rapport ${printed}: skriv rapportens förankring som <rader>:<kontrollsumma>:<signatur>.`)
    process.exit(2)
  }
  return { count: Number(count), shortHash, tag }
})

const config = loadConfig()
// Opening a missing file would create an empty database and report a crash instead of the mistyped path.
if (!config.databaseUrl && !existsSync(config.databaseFile)) {
  console.error(`Det finns ingen databas i ${config.databaseFile}; ange den som ska kontrolleras med DATABASE_FILE.`)
  process.exit(2)
}
const db = openDatabase(config.database)
const where = describeDatabase(config.database)
const { findings, summary } = await verifyAudit(db, {
  key: config.auditKey,
  anchorFile: config.auditAnchorFile,
  reportHeads,
})
await db.destroy()
if (findings.length > 0) {
  console.error(`Kontrollen av ändringsloggen i ${where} hittade ${findings.length} fel:`)
  for (const finding of findings) console.error(`- ${finding.message}`)
  process.exit(1)
}
console.log(`${where}: ${summary}`)
