// npm run db:backup -- <file> — a consistent copy of the SQLite database, made while the app keeps serving (SQLite's
// online backup API: a write during the copy makes it start again, so the copy is one moment of the database).
// PostgreSQL is backed up with its own tools (README: Deployment).
import { existsSync, renameSync, rmSync } from 'node:fs'
import SQLite from '../db/sqlite.js'
import { loadConfig } from '../server/config.js'

const target = process.argv[2]
if (!target || process.argv.length > 3) {
  console.error('Usage: npm run db:backup -- <file>   (copies DATABASE_FILE to a new file while the app runs)')
  process.exit(2)
}
const config = loadConfig()
if (config.databaseUrl) {
  console.error('DATABASE_URL names a PostgreSQL database: back it up with pg_dump, as the README says.')
  process.exit(2)
}
// Opening a missing file would create an empty database and back that up.
if (!existsSync(config.databaseFile)) {
  console.error(`There is no database at ${config.databaseFile}; name it with DATABASE_FILE.`)
  process.exit(2)
}
// A backup written over is one lost; the operator names a new file each time (a date in its name).
if (existsSync(target)) {
  console.error(`${target} already exists; name a new file.`)
  process.exit(2)
}

// Written beside the target and renamed once checked, so that a failed backup never stands under the backup's name.
const partial = `${target}.partial`
rmSync(partial, { force: true })
const source = new SQLite(config.databaseFile, { readonly: true, fileMustExist: true })
let shown = -1
try {
  await source.backup(partial, {
    progress({ totalPages, remainingPages }) {
      const percent = Math.floor((100 * (totalPages - remainingPages)) / Math.max(totalPages, 1))
      if (percent >= shown + 10) {
        shown = percent
        console.log(`${percent} % (${totalPages - remainingPages} of ${totalPages} pages)`)
      }
      // Pages per step: the app's writers wait only for one step's lock at a time.
      return 1000
    },
  })
} finally {
  source.close()
}

const copy = new SQLite(partial, { readonly: true, fileMustExist: true })
const check = copy.pragma('integrity_check', { simple: true })
const auditRows = copy.prepare('select count(*) as n from audit_event').get() as { n: number }
copy.close()
if (check !== 'ok') {
  console.error(`The copy fails SQLite's integrity check, so it is left as ${partial}: ${check}`)
  process.exit(1)
}
// A file made there meanwhile is not written over either.
if (existsSync(target)) {
  console.error(`${target} appeared during the backup; the copy is left as ${partial}.`)
  process.exit(1)
}
renameSync(partial, target)
console.log(`Copied ${config.databaseFile} to ${target}: integrity checked, ${auditRows.n} audit log rows.`)
