// npm run db:copy -- --to <postgres://… | file.sqlite> [--batch-size 500] — moves the installation's SQLite database
// (DATABASE_FILE) into an empty database, every row of every table, in one transaction; commits only when each table
// has as many rows as the source and the same contents, then checks the audit log on the copy against the
// installation's anchor file (AUDIT_ANCHOR_FILE, or the one beside DATABASE_FILE) with AUDIT_KEY. Stop the server
// first: what it writes during the copy would not be in it (the copy then fails). Exit status: 0 copied and verified;
// 1 refused (the target holds rows, the source is not migrated or its log does not verify, a value PostgreSQL cannot
// hold) or not verified, with the reason; 2 wrong usage or no database at DATABASE_FILE.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  type Db,
  describeDatabase,
  isPostgresUrl,
  migrateToLatest,
  openDatabase,
  pendingMigrations,
} from '../db/connection.js'
import {
  type CopiedTable,
  CopyMismatch,
  copyTables,
  defaultBatchSize,
  nulValues,
  schemaDifferences,
  sourceTables,
  type Table,
  tablesWithRows,
} from '../db/copy.js'
import { verifyAudit } from '../server/audit/verify.js'
import { loadConfig } from '../server/config.js'

const usage =
  'Usage: DATABASE_FILE=<the installation> npm run db:copy -- --to <postgres://… | file.sqlite> [--batch-size N]'

function parse(): { to: string; batchSize: number } {
  try {
    const { values } = parseArgs({ options: { to: { type: 'string' }, 'batch-size': { type: 'string' } } })
    const batchSize = Number(values['batch-size'] ?? defaultBatchSize)
    if (!values.to) throw new Error('--to is missing: name the database to copy into.')
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch-size: give a whole number of rows.')
    return { to: values.to, batchSize }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error(usage)
    process.exit(2)
  }
}

const { to, batchSize } = parse()
const config = loadConfig()
// The source is the SQLite file: with DATABASE_URL the anchor file's default would be that of a PostgreSQL database.
if (config.databaseUrl) {
  console.error('db:copy copies the SQLite file DATABASE_FILE: unset DATABASE_URL, and name the target with --to.')
  process.exit(2)
}
if (!existsSync(config.databaseFile)) {
  console.error(`There is no database at ${config.databaseFile}; name the installation's file with DATABASE_FILE.`)
  process.exit(2)
}

const from = config.databaseFile
const into = describeDatabase(to)
/** The source's log and the copy's are both checked against the installation's anchor file, with its key. */
const anchor = { key: config.auditKey, anchorFile: config.auditAnchorFile }
const source = openDatabase(from)
try {
  process.exitCode = await copy(source)
} finally {
  await source.destroy()
}

/** Says why nothing was copied; the exit status. */
function refuse(reason: string, details: string[] = []): number {
  console.error(`Nothing was copied into ${into}: ${reason}`)
  for (const detail of details) console.error(`  - ${detail}`)
  return 1
}

async function copy(source: Db): Promise<number> {
  const pending = await pendingMigrations(source)
  if (pending.length > 0) {
    return refuse(
      `${from} is not at the latest schema (${pending.join(', ')} not run). Run npm run db:migrate on it first.`,
    )
  }
  const tables = await sourceTables(source)
  if (isPostgresUrl(to)) {
    const nul = await nulValues(source, tables)
    if (nul.length > 0) {
      return refuse(
        'PostgreSQL cannot store the character NUL (U+0000), which these values hold. The copy changes no value, ' +
          'since the audit log vouches for each: remove the character in the app (saving the field drops it, and the log ' +
          'records the change), then copy again.',
        nul,
      )
    }
  }
  // A log that fails here would fail on the copy too; better found before anything is written.
  const before = await verifyAudit(source, anchor)
  if (before.findings.length > 0) {
    return refuse(
      `the audit log of ${from} does not verify (npm run audit:verify shows the same), and would not on the copy:`,
      before.findings.map((f) => f.message),
    )
  }

  // Only now: opening a new SQLite file makes it, and a refusal above leaves none behind.
  const target = openDatabase(to)
  try {
    return await copyInto(source, target, tables)
  } finally {
    await target.destroy()
  }
}

async function copyInto(source: Db, target: Db, tables: Table[]): Promise<number> {
  const held = await tablesWithRows(target)
  if (held.length > 0) return refuse(`it already holds rows, in ${held.join(', ')}. Copy into an empty database.`)
  await migrateToLatest(target)
  const differences = await schemaDifferences(tables, target)
  if (differences.length > 0) {
    return refuse('its tables differ from the source once migrated (the migrations stay applied there):', differences)
  }

  console.log(`Copying ${from} into ${into}, migrated to the latest schema:`)
  let copied: CopiedTable[]
  try {
    copied = await copyTables(source, target, tables, { batchSize, progress: printProgress() })
  } catch (error) {
    if (!(error instanceof CopyMismatch)) {
      // A value the target refused (a type, a constraint): its transaction is rolled back with it.
      console.error(`The copy failed and was rolled back: no row was written (the schema stays): ${String(error)}`)
      return 1
    }
    printCounts(error.tables)
    console.error(
      `The copy differs from ${from} (the tables marked DIFFERENT), so it was rolled back: no row was written. ` +
        'If the server was running, stop it and copy again.',
    )
    return 1
  }
  printCounts(copied)

  const after = await verifyAudit(target, anchor)
  if (after.findings.length > 0) {
    console.error(`The audit log on ${into} does not verify, though it did on ${from}:`)
    for (const finding of after.findings) console.error(`  - ${finding.message}`)
    return 1
  }
  console.log(`The audit log on ${into}: ${after.summary}`)
  const anchorFile = config.auditAnchorFile ? resolve(config.auditAnchorFile) : undefined
  console.log(
    `Copied and verified. Start the app with ${isPostgresUrl(to) ? 'DATABASE_URL' : 'DATABASE_FILE'}=${into}` +
      (anchorFile
        ? ` and AUDIT_ANCHOR_FILE=${anchorFile}, the anchor file whose heads the copy was checked against, so that ` +
          'the log goes on being anchored there.'
        : '.') +
      ` From then on ${from} is out of date: keep it as the backup of the moment before the move.`,
  )
  return 0
}

/** A line per table, and for a long one a line every 10 000 rows. */
function printProgress() {
  let printed = 0
  return (table: string, rows: number, total: number) => {
    if (rows < total && rows - printed < 10_000) return
    printed = rows === total ? 0 : rows
    console.log(`  ${table}: ${rows} of ${total} ${total === 1 ? 'row' : 'rows'}`)
  }
}

function printCounts(tables: CopiedTable[]) {
  const width = Math.max(...tables.map((t) => t.name.length), 'Total'.length)
  const line = (name: string, source: number | string, target: number | string, contents: string) =>
    `${name.padEnd(width)}  ${String(source).padStart(9)}  ${String(target).padStart(9)}  ${contents}`
  console.log(`\n${line('Table', 'source', 'copy', 'contents')}`)
  for (const t of tables) {
    const equal = t.sourceRows === t.targetRows && t.sameContents
    console.log(line(t.name, t.sourceRows, t.targetRows, equal ? 'equal' : 'DIFFERENT'))
  }
  const sum = (rows: (t: CopiedTable) => number) => tables.reduce((n, t) => n + rows(t), 0)
  console.log(
    `${line(
      'Total',
      sum((t) => t.sourceRows),
      sum((t) => t.targetRows),
      '',
    )}\n`,
  )
}
