// The reminders' transactions, shared by the pass and the sender: several instances may write the same database file.
import type { Db } from '../../db/connection.js'

export const isBusy = (error: unknown) =>
  String((error as { code?: unknown } | undefined)?.code).startsWith('SQLITE_BUSY')

/**
 * One transaction, tried again when SQLite reports another instance's write in the way: a transaction that read before
 * another committed cannot write (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not wait out) and must start over.
 * Inside a caller's transaction (an administrator's retry from a route) it is part of that one.
 */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (!isBusy(error) || attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10 * attempt))
    }
  }
}
