import { createHash, createHmac } from 'node:crypto'
import type { AuditEventTable } from '../../db/schema.js'

/** The first row's predecessor. */
export const genesis = '0'.repeat(64)

type Hashed = Omit<AuditEventTable, 'id' | 'hash'> & { id: number }

function hashedFields(event: Hashed): string {
  return JSON.stringify([
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
  ])
}

/**
 * A row's hash is an HMAC under the audit key of its id, every field and the previous row's hash: altering,
 * removing or adding a row breaks the chain, and without the key nobody can compute a chain that holds again.
 */
export function eventHash(event: Hashed, key: string): string {
  return createHmac('sha256', key).update(hashedFields(event)).digest('hex')
}

/** Rows written before the key existed carry a plain SHA-256, which anyone with the file can recompute. */
function unkeyedHash(event: Hashed): string {
  return createHash('sha256').update(hashedFields(event)).digest('hex')
}

export interface ChainBreak {
  id: number
  kind: 'row-missing' | 'chain-broken' | 'row-altered'
  message: string
}

/**
 * Checks the log row by row, in id order, without holding it: feed it every row and read `rows` and `unkeyed`
 * at the end. Unkeyed rows are accepted only before the first keyed one, since a row without the key's
 * signature later on is one that someone without the key wrote.
 */
export function chainChecker(key: string) {
  let previous = { id: 0, hash: genesis }
  let keyed = false
  const state = {
    rows: 0,
    lastId: 0,
    /** The rows from before the key, at the start of the log. */
    unkeyed: 0,
    check(event: Hashed & { hash: string }): ChainBreak | undefined {
      const before = previous
      previous = { id: event.id, hash: event.hash }
      state.rows += 1
      state.lastId = event.id
      if (event.id !== before.id + 1) {
        const which = event.id === before.id + 2 ? `Rad ${before.id + 1}` : `Raderna ${before.id + 1}–${event.id - 1}`
        return { id: event.id, kind: 'row-missing', message: `${which} i ändringsloggen har tagits bort.` }
      }
      if (event.prev_hash !== before.hash) {
        return {
          id: event.id,
          kind: 'chain-broken',
          message: `Rad ${event.id} i ändringsloggen följer inte på raden före: den raden har ändrats eller bytts ut.`,
        }
      }
      if (eventHash(event, key) === event.hash) {
        keyed = true
        return undefined
      }
      if (!keyed && unkeyedHash(event) === event.hash) {
        state.unkeyed += 1
        return undefined
      }
      return {
        id: event.id,
        kind: 'row-altered',
        message:
          `Rad ${event.id} i ändringsloggen (${event.at.slice(0, 10)}, ${event.user_name}) är inte signerad med ` +
          'loggens nyckel: den har ändrats eller lagts till utanför programmet.',
      }
    },
  }
  return state
}
