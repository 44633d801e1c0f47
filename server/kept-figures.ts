import type { Db } from '../db/connection.js'
import { prepared } from '../db/prepared.js'

const lastAuditId = prepared((db) => db.selectFrom('audit_event').select((eb) => eb.fn.max('id').as('head')))

/**
 * Figures counted over many rows (the roll-up's, a secretary's start page), kept until a record changes: counting
 * them was most of those pages' time, and they are read far more often than anything changes.
 *
 * Every change of a record appends a row to the audit log in the same transaction (audit:verify checks every record
 * against the log), so the log's last id stands for the state of all records: while it stays, so do the figures.
 * Writers take turns (SQLite's one writer; on PostgreSQL the advisory lock each transaction takes, db/connection.ts),
 * so ids commit in order and no change can hide behind a head already read. The head is read before counting: a
 * change that commits between the two is counted early under the older head, never missed under the newer. What
 * else the figures depend on (the viewer's committees, the day) is in their key. At most `size` keys are kept, the
 * least recently used going first.
 */
export function keptUntilChange<V>(db: Db, size: number) {
  const kept = new Map<string, { head: unknown; value: Promise<V> }>()
  return async (key: string, count: () => Promise<V>): Promise<V> => {
    const [row] = await lastAuditId(db)
    const head = row?.head ?? null
    const hit = kept.get(key)
    // Map keeps insertion order: taken out and put back, a key becomes the most recently used.
    kept.delete(key)
    if (hit && hit.head === head) {
      kept.set(key, hit)
      return hit.value
    }
    const value = count()
    kept.set(key, { head, value })
    if (kept.size > size) kept.delete(kept.keys().next().value as string)
    // A failed count is not kept: the next request counts again.
    value.catch(() => {
      if (kept.get(key)?.value === value) kept.delete(key)
    })
    return value
  }
}
