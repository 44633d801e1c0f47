import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  PostgresDriver,
  SqliteDialect,
  SqliteDriver,
  type TransactionSettings,
} from 'kysely'
import pg from 'pg'
import { migrationProvider } from './migrations/index.js'
import type { Database } from './schema.js'
import SQLite from './sqlite.js'

export type Db = Kysely<Database>

/** Runs right after a transaction commits, on its connection, before any other query may use it. */
export type AfterCommit = (connection: DatabaseConnection) => Promise<void>

/** Whether a location names a PostgreSQL database rather than an SQLite file. */
export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//.test(location)

/** Where a process started with this environment finds the database: PostgreSQL's URL and an SQLite file go apart. */
export const databaseEnv = (location: string): { DATABASE_URL: string } | { DATABASE_FILE: string } =>
  isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_FILE: location }

/** The location as it may be printed: a URL without its password. */
export function describeDatabase(location: string): string {
  if (!isPostgresUrl(location)) return location
  const url = new URL(location)
  if (url.password) url.password = '***'
  return url.toString()
}

/** Whether the database is PostgreSQL: for the few places where the two engines' SQL cannot be the same. */
export const isPostgres = (db: Pick<Db, 'getExecutor'>) => db.getExecutor().adapter instanceof PostgresAdapter

export interface OpenOptions {
  afterCommit?: AfterCommit
  /** PostgreSQL only: the most connections the pool opens (pg's default, 10), and how long one may idle (10 s). */
  pool?: { max?: number; idleTimeoutMillis?: number }
  /**
   * SQLite only: a database file's bytes, opened in memory as a copy (the file is not touched). Tests start hundreds
   * of databases alike this way, instead of migrating and seeding each.
   */
  contents?: Buffer
}

/**
 * The LIKE operator that ignores case, as users expect of a search: SQLite's LIKE does (for ASCII letters), while
 * PostgreSQL's is case-sensitive and ILIKE ignores the case of every letter.
 */
export const likeIgnoringCase = (db: Pick<Db, 'getExecutor'>) => (isPostgres(db) ? 'ilike' : 'like')

/**
 * Opens the database at `location`: a `postgres://` URL, or else the SQLite file (or ':memory:'), creating its folder
 * when needed. `afterCommit` is how the audit log's head leaves the database once a change is durable
 * (server/audit/anchor.ts).
 */
export function openDatabase(location: string, options: OpenOptions = {}): Db {
  return isPostgresUrl(location) ? openPostgres(location, options) : openSqlite(location, options)
}

function openSqlite(file: string, { afterCommit, contents }: OpenOptions): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(contents ?? file)
  // WAL lets readers continue while a form is being saved; the busy timeout waits out a concurrent writer.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const database = keepingStatements(sqlite)
  if (!afterCommit) return new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
  const driver = new (class extends SqliteDriver {
    override async commitTransaction(connection: DatabaseConnection): Promise<void> {
      await super.commitTransaction(connection)
      await afterCommit(connection)
    }
  })({ database })
  return new Kysely<Database>({
    dialect: new (class extends SqliteDialect {
      override createDriver(): Driver {
        return driver
      }
    })({ database }),
  })
}

/** How many prepared statements an SQLite connection keeps: far more than the app's distinct queries. */
const keptStatements = 500

/**
 * The SQLite connection as Kysely sees it, keeping each prepared statement for the next query of the same SQL.
 * Kysely's driver prepares every query anew, and preparing was about a seventh of a page's time (bench:pages'
 * profile); a page runs the same few queries every time. The least recently used statement goes first, so SQL that
 * varies (`in (?, ?, …)` of any length) cannot fill memory. Sharing a statement is safe: the driver runs one query at
 * a time on its one connection, and SQLite prepares a statement again by itself after a migration changes the schema.
 */
export function keepingStatements(sqlite: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      const kept = statements.get(sql)
      // Map keeps insertion order: taken out and put back, a statement becomes the most recently used.
      if (kept) statements.delete(sql)
      const statement = kept ?? sqlite.prepare(sql)
      statements.set(sql, statement)
      if (statements.size > keptStatements) statements.delete(statements.keys().next().value as string)
      return statement
    },
  }
}

// The code reads counts, sums and ids as numbers, as better-sqlite3 gives them; pg gives int8 (what count() and
// bigint ids are) and numeric as strings, since they may exceed 2^53. Ours are row counts and ids, far below it.
const int8 = 20
const numeric = 1700
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8 || oid === numeric
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

/** The advisory lock every transaction on PostgreSQL holds: any constant, the same in every instance. */
export const writerLock = 4_180_112_018

const takeWriterLock = CompiledQuery.raw(`select pg_advisory_xact_lock(${writerLock})`)

function openPostgres(url: string, { afterCommit, pool: poolOptions }: OpenOptions): Db {
  const pool = new pg.Pool({ ...poolOptions, connectionString: url, types })
  // An idle connection the server ends (a restart, a failover) is an error event, which unheard would end the
  // process; the pool opens a new connection for the next query.
  pool.on('error', (error) => console.error(`A PostgreSQL connection was lost: ${error.message}`))
  const config = { pool }
  const driver = new (class extends PostgresDriver {
    /**
     * The code was written for SQLite, where one transaction writes at a time: it reads, then writes what it read
     * (a record's state before an audited change, the audit chain's last row, a mail still queued). Under
     * PostgreSQL's read committed, a concurrent transaction could commit between the two. Each transaction takes the
     * same lock as it begins, in every instance, so transactions run one at a time as on SQLite, and never deadlock
     * over each other's rows. Reads outside a transaction, most of what pages do, run side by side.
     */
    override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
      await super.beginTransaction(connection, settings)
      // A read-only transaction changes nothing: it need not wait for writers, nor make them wait while it reads
      // (audit:verify reads the whole log in one).
      if (settings.accessMode !== 'read only') await connection.executeQuery(takeWriterLock)
    }

    override async commitTransaction(connection: DatabaseConnection): Promise<void> {
      await super.commitTransaction(connection)
      await afterCommit?.(connection)
    }
  })(config)
  return new Kysely<Database>({
    dialect: new (class extends PostgresDialect {
      override createDriver(): Driver {
        return driver
      }
    })(config),
  })
}

/** The names of the migrations not yet run on the database. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations()
  return migrations.filter((m) => !m.executedAt).map((m) => m.name)
}

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(`Migration ${failed ?? ''} failed: ${String(error)}`)
  }
}
