import { createHash } from 'node:crypto'
import type { AuditEventTable } from '../../db/schema.js'

/** The first row's predecessor. */
export const genesis = '0'.repeat(64)

type Hashed = Omit<AuditEventTable, 'id' | 'hash'> & { id: number }

/** A row's hash covers its id, every field and the previous row's hash: altering or removing a row breaks the chain. */
export function eventHash(event: Hashed): string {
  const fields = [
    event.id,
    event.at,
    event.user_id,
    event.user_name,
    event.action,
    event.entity,
    event.entity_id,
    event.plan_id,
    event.before,
    event.after,
    event.prev_hash,
    // Rows written before the column existed were hashed without it, and must still verify.
    ...(event.committee_id === null ? [] : [event.committee_id]),
  ]
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex')
}

/** The first row that does not follow from the one before it, or undefined when the whole log holds. */
export function firstBrokenEvent(events: (Hashed & { hash: string })[]): { id: number; reason: string } | undefined {
  let previous = { id: 0, hash: genesis }
  for (const event of events) {
    if (event.id !== previous.id + 1) return { id: event.id, reason: `row ${previous.id + 1} is missing` }
    if (event.prev_hash !== previous.hash) return { id: event.id, reason: 'it does not follow the row before it' }
    if (eventHash(event) !== event.hash) return { id: event.id, reason: 'its contents were altered' }
    previous = event
  }
  return undefined
}
