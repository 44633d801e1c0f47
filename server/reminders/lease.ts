// One row per job in job_lease: when several instances share the database, the one holding a job's lease does it.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Db } from '../../db/connection.js'

/** Names this instance in a lease: the host and process for whoever reads the row, and a random part to be unique. */
export function leaseHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
}

export type LeaseOutcome<T> = { acquired: true; result: T } | { acquired: false; holder: string }

/**
 * Runs `fn` if this holder gets the lease `name` — free, expired, or already its own — and releases it after, however
 * `fn` ends; otherwise leaves `fn` alone and says who holds it. Each step is a single statement, atomic on its own, so
 * no transaction is held open while another instance waits. The ttl bounds how long a crashed holder blocks the
 * others: set it well above the job's longest run, since a live holder past it may find the job taken over.
 */
export async function withLease<T>(
  db: Db,
  name: string,
  holder: string,
  ttlMs: number,
  now: Date,
  fn: () => Promise<T>,
): Promise<LeaseOutcome<T>> {
  const at = now.toISOString()
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString()
  const inserted = await db
    .insertInto('job_lease')
    .values({ name, holder, expires_at: expiresAt })
    .onConflict((c) => c.column('name').doNothing())
    .executeTakeFirst()
  let acquired = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1
  if (!acquired) {
    // ISO instants of one format compare as strings.
    const taken = await db
      .updateTable('job_lease')
      .set({ holder, expires_at: expiresAt })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('expires_at', '<', at), eb('holder', '=', holder)]))
      .executeTakeFirst()
    acquired = Number(taken.numUpdatedRows) === 1
  }
  if (!acquired) {
    const current = await db.selectFrom('job_lease').select('holder').where('name', '=', name).executeTakeFirst()
    return { acquired: false, holder: current?.holder ?? '' }
  }
  try {
    return { acquired: true, result: await fn() }
  } finally {
    // Only its own: a holder that overran its ttl must not release the lease of the one that took over.
    await db.deleteFrom('job_lease').where('name', '=', name).where('holder', '=', holder).execute()
  }
}
