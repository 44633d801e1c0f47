// Where tests keep their data: a fresh SQLite database by default, a fresh PostgreSQL database when
// TEST_DATABASE_URL names a server (its database is only where the test databases are created from).
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { type AfterCommit, type Db, isPostgresUrl, migrateToLatest, openDatabase } from '../../db/connection.js'

const baseUrl = process.env.TEST_DATABASE_URL

/** Whether this run's tests are on PostgreSQL. */
export const onPostgres = baseUrl !== undefined && baseUrl !== ''

// One name per test worker, so files run in parallel never share a database.
const prefix = `ik_test_${process.pid}_${randomBytes(3).toString('hex')}`
let created = 0
const databases: string[] = []
const opened: Db[] = []
/** Those opened inside a test, closed after it (closeDatabasesOfTest). */
const openedInTest: Db[] = []
let admin: pg.Pool | undefined

function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: baseUrl, max: 2 })
  return admin
}

function urlOf(name: string): string {
  const url = new URL(baseUrl as string)
  url.pathname = `/${name}`
  return url.toString()
}

async function createDatabase(from?: string): Promise<string> {
  created += 1
  const name = `${prefix}_${created}`
  await adminPool().query(`create database "${name}"${from ? ` template "${from}"` : ''}`)
  databases.push(name)
  return name
}

/** What every database of a test file starts with after the migrations: made once, then copied for each test. */
export interface Seed {
  /** Tells seeds apart: the same key, the same rows. */
  key: string
  apply: (db: Db) => Promise<unknown>
}

const migratedOnly: Seed = { key: 'migrated', apply: async () => {} }

/**
 * A PostgreSQL database migrated (and seeded) once per test file, that each test's database is copied from: copying
 * is much faster than running every migration again. A template must have no connection open while it is copied,
 * hence the destroy.
 */
const templates = new Map<string, Promise<string>>()
function template(seed: Seed): Promise<string> {
  let made = templates.get(seed.key)
  if (!made) {
    made = (async () => {
      const name = seed === migratedOnly ? await createDatabase() : await createDatabase(await template(migratedOnly))
      const db = openDatabase(urlOf(name))
      if (seed === migratedOnly) await migrateToLatest(db)
      else await seed.apply(db)
      await db.destroy()
      return name
    })()
    templates.set(seed.key, made)
    // A template that failed is made again by the next test, not failed for the rest of the run.
    made.catch(() => templates.delete(seed.key))
  }
  return made
}

/**
 * The same for SQLite: a migrated and seeded database's bytes, which each test opens in memory as a copy. Kept for
 * the worker's whole run (a few hundred kilobytes each), as they depend on nothing a test file changes.
 */
const sqliteTemplates = new Map<string, Promise<Buffer>>()
function sqliteTemplate(seed: Seed): Promise<Buffer> {
  let made = sqliteTemplates.get(seed.key)
  if (!made) {
    made = (async () => {
      const folder = mkdtempSync(join(tmpdir(), 'ik-test-template-'))
      try {
        const file = join(folder, 'template.sqlite')
        const db = openDatabase(file)
        await migrateToLatest(db)
        await seed.apply(db)
        // A file in WAL mode opens read-only from bytes; in rollback mode it is all in the one file once closed.
        await sql`pragma journal_mode = delete`.execute(db)
        await db.destroy()
        return readFileSync(file)
      } finally {
        rmSync(folder, { recursive: true, force: true })
      }
    })()
    sqliteTemplates.set(seed.key, made)
    made.catch(() => sqliteTemplates.delete(seed.key))
  }
  return made
}

/**
 * Whether a test is running, rather than a file's beforeAll: set by test/setup.ts. Not vitest's currentTestName,
 * which still names the previous file's last test while the next file's beforeAll runs in the same worker.
 */
let inTest = false
export const testStarts = () => {
  inTest = true
}

/** Closes the databases a test opened: each holds a pool, and the server allows a hundred connections. */
export async function closeDatabasesOfTest(): Promise<void> {
  inTest = false
  for (const db of openedInTest.splice(0)) await db.destroy().catch(() => {})
}

/** Closes and drops every database the test file made. */
export async function dropDatabasesOfFile(): Promise<void> {
  // Closed first, so that dropping their databases ends no connection that a pool would then report as lost.
  for (const db of opened.splice(0)) await db.destroy().catch(() => {})
  if (!admin) return
  // FORCE ends the connections of databases a test left open.
  for (const name of databases.reverse()) await admin.query(`drop database if exists "${name}" with (force)`)
  databases.length = 0
  await admin.end()
  admin = undefined
  templates.clear()
}

/**
 * Where a test keeps a database of its own, empty: on PostgreSQL a new database's URL, otherwise `sqliteLocation`
 * (':memory:' unless the test needs a file, to open it twice or reopen it). Dropped after the test file.
 */
export async function freshDatabaseLocation(sqliteLocation = ':memory:'): Promise<string> {
  if (!onPostgres) return sqliteLocation
  return urlOf(await createDatabase())
}

/** Where a test keeps a database of its own, migrated: on PostgreSQL a new database's URL, otherwise the SQLite file. */
export async function migratedDatabaseLocation(sqliteFile: string): Promise<string> {
  if (onPostgres) return urlOf(await createDatabase(await template(migratedOnly)))
  const db = openDatabase(sqliteFile)
  await migrateToLatest(db)
  await db.destroy()
  return sqliteFile
}

/** A fresh database migrated to the latest schema, and seeded if a seed is given, for one test. */
export async function openTestDatabase(options: { afterCommit?: AfterCommit; seed?: Seed } = {}): Promise<Db> {
  const seed = options.seed ?? migratedOnly
  // Some tests make many apps, each sent requests at once: few connections each, soon closed, keep them all within
  // the server's hundred.
  const db = onPostgres
    ? openDatabase(urlOf(await createDatabase(await template(seed))), {
        afterCommit: options.afterCommit,
        pool: { max: 5, idleTimeoutMillis: 1000 },
      })
    : openDatabase(':memory:', { afterCommit: options.afterCommit, contents: await sqliteTemplate(seed) })
  // A database opened before the tests (beforeAll) serves them all, and stays open until the file ends.
  if (inTest) openedInTest.push(db)
  else opened.push(db)
  // Kysely connects on first use, and destroying a handle never used does nothing: used once, a test that closes
  // the database finds it closed.
  await sql`select 1`.execute(db)
  return db
}

/**
 * A copy of the database at `location` for a test to change on its own: on PostgreSQL a new database made from it
 * (nothing may be connected to it meanwhile), dropped after the test file; otherwise the SQLite file copied to
 * `sqliteFile`.
 */
export async function copiedDatabaseLocation(location: string, sqliteFile: string): Promise<string> {
  if (!isPostgresUrl(location)) {
    copyFileSync(location, sqliteFile)
    return sqliteFile
  }
  return urlOf(await createDatabase(decodeURIComponent(new URL(location).pathname.slice(1))))
}
