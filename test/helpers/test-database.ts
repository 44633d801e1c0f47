// Where tests keep their data: a fresh SQLite database by default, a fresh PostgreSQL database when
// TEST_DATABASE_URL names a server (its database is only where the test databases are created from).
import { randomBytes } from 'node:crypto'
import { copyFileSync } from 'node:fs'
import { sql } from 'kysely'
import pg from 'pg'
import { expect } from 'vitest'
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
let template: Promise<string> | undefined

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

/**
 * A database migrated once per test file, that each test's database is copied from: copying is much faster than
 * running every migration again. A template must have no connection open while it is copied, hence the destroy.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = await createDatabase()
    const db = openDatabase(urlOf(name))
    await migrateToLatest(db)
    await db.destroy()
    return name
  })()
  return template
}

/** Closes the databases a test opened: each holds a pool, and the server allows a hundred connections. */
export async function closeDatabasesOfTest(): Promise<void> {
  for (const db of openedInTest.splice(0)) await db.destroy().catch(() => {})
}

/** Closes and drops every database the test file made. */
export async function dropDatabasesOfFile(): Promise<void> {
  if (!admin) return
  // Closed first, so that dropping their databases ends no connection that a pool would then report as lost.
  for (const db of opened.splice(0)) await db.destroy().catch(() => {})
  // FORCE ends the connections of databases a test left open.
  for (const name of databases.reverse()) await admin.query(`drop database if exists "${name}" with (force)`)
  databases.length = 0
  await admin.end()
  admin = undefined
  template = undefined
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
  if (onPostgres) return urlOf(await createDatabase(await migratedTemplate()))
  const db = openDatabase(sqliteFile)
  await migrateToLatest(db)
  await db.destroy()
  return sqliteFile
}

/** A fresh database migrated to the latest schema, for one test. */
export async function openTestDatabase(options: { afterCommit?: AfterCommit } = {}): Promise<Db> {
  if (!onPostgres) {
    const db = openDatabase(':memory:', options)
    await migrateToLatest(db)
    return db
  }
  // Some tests make many apps, each sent requests at once: few connections each, soon closed, keep them all within
  // the server's hundred.
  const db = openDatabase(urlOf(await createDatabase(await migratedTemplate())), {
    ...options,
    pool: { max: 5, idleTimeoutMillis: 1000 },
  })
  // A database opened before the tests (beforeAll) serves them all, and stays open until the file ends.
  const inTest = expect.getState().currentTestName !== undefined
  if (inTest) openedInTest.push(db)
  else opened.push(db)
  // Kysely connects on first use, and destroying a handle never used does nothing: used once, as the migration uses
  // a handle on SQLite, a test that closes the database finds it closed.
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
