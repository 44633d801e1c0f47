import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { type DatabaseConnection, type Driver, Kysely, Migrator, SqliteDialect, SqliteDriver } from 'kysely'
import { migrationProvider } from './migrations/index.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>

/** Runs right after a transaction commits, on its connection, before any other query may use it. */
export type AfterCommit = (connection: DatabaseConnection) => Promise<void>

/**
 * Opens the SQLite file (or ':memory:'), creating its folder when needed. `afterCommit` is how the audit log's
 * head leaves the database once a change is durable (server/audit/anchor.ts).
 */
export function openDatabase(file: string, options: { afterCommit?: AfterCommit } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SQLite(file)
  // WAL lets readers continue while a form is being saved; the busy timeout waits out a concurrent writer.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const { afterCommit } = options
  if (!afterCommit) return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  const driver = new (class extends SqliteDriver {
    override async commitTransaction(connection: DatabaseConnection): Promise<void> {
      await super.commitTransaction(connection)
      await afterCommit(connection)
    }
  })({ database: sqlite })
  return new Kysely<Database>({
    dialect: new (class extends SqliteDialect {
      override createDriver(): Driver {
        return driver
      }
    })({ database: sqlite }),
  })
}

export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName
    throw new Error(`Migration ${failed ?? ''} failed: ${String(error)}`)
  }
}
