import type { Response } from 'express'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { AuditAction } from '../../db/schema.js'
import { viewerOf } from '../auth/session.js'
import { type Actor, recordEvent } from './repository.js'

type Entity = 'plan' | 'risk' | 'review' | 'measure' | 'report_version' | 'app_user' | 'owner_unit'

/** The signed-in person at this moment. */
export function actorOf(res: Response, clock: () => Date): Actor {
  const viewer = viewerOf(res)
  return { userId: viewer.id, userName: viewer.name, at: clock().toISOString() }
}

// Kysely cannot type one query over a union of tables; the entity names are constants.
async function snapshot(db: Db, entity: Entity, id: number): Promise<Record<string, unknown> | undefined> {
  const row = await (db as unknown as Kysely<Record<Entity, { id: number }>>)
    .selectFrom(entity)
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  // A stored PDF is identified by its SHA-256, which the row keeps; its bytes and password hashes stay out of the log.
  const { pdf: _pdf, password_hash: _hash, ...rest } = row as Record<string, unknown>
  return rest
}

/**
 * Makes a change and records it in the audit log with the record as it was before and after, in the caller's
 * transaction. A create's change returns the new id.
 */
export async function audited<T>(
  db: Db,
  actor: Actor,
  action: AuditAction,
  target: { entity: Entity; id?: number; planId: number | null },
  change: () => Promise<T>,
): Promise<T> {
  const before = target.id === undefined ? undefined : await snapshot(db, target.entity, target.id)
  const result = await change()
  const id = target.id ?? (result as number)
  const after = action === 'delete' ? undefined : await snapshot(db, target.entity, id)
  const planId = target.entity === 'plan' ? id : target.planId
  await recordEvent(db, actor, { action, entity: target.entity, entityId: id, planId, before, after })
  return result
}

/** One transaction holding one audited change: what most form posts are. */
export function auditedTransaction<T>(
  db: Db,
  actor: Actor,
  action: AuditAction,
  target: { entity: Entity; id?: number; planId: number | null },
  change: (trx: Db) => Promise<T>,
): Promise<T> {
  return db.transaction().execute((trx) => audited(trx, actor, action, target, () => change(trx)))
}
