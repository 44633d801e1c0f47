import { createHash } from 'node:crypto'
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
  const { pdf: _pdf, password_hash: passwordHash, ...rest } = row as Record<string, unknown>
  if (entity !== 'app_user') return rest
  // An account's roles are part of it, and a new password shows as a changed fingerprint, not as the hash.
  const [roles, units] = await Promise.all([
    db
      .selectFrom('committee_role')
      .select(['committee_id', 'role'])
      .where('user_id', '=', id)
      .orderBy('committee_id')
      .execute(),
    db.selectFrom('unit_member').select('owner_unit_id').where('user_id', '=', id).orderBy('owner_unit_id').execute(),
  ])
  return {
    ...rest,
    roles: roles.map((r) => `${r.role}:${r.committee_id}`),
    units: units.map((u) => u.owner_unit_id),
    password: createHash('sha256').update(String(passwordHash)).digest('hex').slice(0, 12),
  }
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

/**
 * Records, one row each, what the database deletes along with a parent (ON DELETE CASCADE) or unlinks from it
 * (ON DELETE SET NULL), before the parent's delete: the log then holds every record that went.
 */
export async function auditCascade(
  db: Db,
  actor: Actor,
  planId: number,
  parent: { entity: 'plan' | 'risk'; id: number },
): Promise<void> {
  const column = parent.entity === 'plan' ? 'risk.plan_id' : 'risk.id'
  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select('measure.id')
    .where(column, '=', parent.id)
    .execute()
  for (const { id } of measures) await audited(db, actor, 'delete', { entity: 'measure', id, planId }, async () => {})
  if (parent.entity === 'plan') {
    const risks = await db.selectFrom('risk').select('id').where('plan_id', '=', parent.id).execute()
    const reviews = await db.selectFrom('review').select('id').where('plan_id', '=', parent.id).execute()
    for (const { id } of risks) await audited(db, actor, 'delete', { entity: 'risk', id, planId }, async () => {})
    for (const { id } of reviews) await audited(db, actor, 'delete', { entity: 'review', id, planId }, async () => {})
    return
  }
  const linked = await db.selectFrom('review').select('id').where('risk_id', '=', parent.id).execute()
  for (const { id } of linked) {
    await audited(db, actor, 'update', { entity: 'review', id, planId }, async () => {
      await db.updateTable('review').set({ risk_id: null }).where('id', '=', id).execute()
    })
  }
}
