import { createHash } from 'node:crypto'
import type { Response } from 'express'
import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { AuditAction } from '../../db/schema.js'
import { viewerOf } from '../auth/session.js'
import { type Actor, recordEvent } from './repository.js'

export type Entity =
  | 'plan'
  | 'risk'
  | 'review'
  | 'measure'
  | 'report_version'
  | 'app_user'
  | 'owner_unit'
  | 'inspection'
  | 'development_area'
  | 'municipality'
  | 'administration'
  | 'committee'
  | 'control'
  | 'control_run'
  | 'control_deviation'
  | 'outbox_mail'
  | 'municipal_item'
  | 'rollup_report_version'
  | 'api_token'
  | 'sso_group_role'

/** What a change is made to; records outside any plan (inspections) name their committee instead. */
export interface Target {
  entity: Entity
  id?: number
  planId: number | null
  committeeId?: number
}

/** The signed-in person at this moment. */
export function actorOf(res: Response, clock: () => Date): Actor {
  const viewer = viewerOf(res)
  return { userId: viewer.id, userName: viewer.name, at: clock().toISOString() }
}

// Kysely cannot type one query over a union of tables; the entity names are constants.
const anyTable = (db: Db) => db as unknown as Kysely<Record<Entity, { id: number }>>

/** The record as the audit log keeps it. */
async function snapshot(db: Db, entity: Entity, id: number): Promise<Record<string, unknown> | undefined> {
  const rows = await anyTable(db).selectFrom(entity).selectAll().where('id', '=', id).execute()
  return (await asAudited(db, entity, rows))[0]
}

/** A page of an entity's records in id order, each as the audit log keeps it: what `audit:verify` compares. */
export async function auditedRecords(db: Db, entity: Entity, afterId: number, limit: number) {
  const rows = await anyTable(db)
    .selectFrom(entity)
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
  return asAudited(db, entity, rows)
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

async function asAudited(db: Db, entity: Entity, rows: { id: number }[]): Promise<Record<string, unknown>[]> {
  // A stored PDF is identified by its SHA-256, which the row keeps; its bytes and password hashes stay out of the log.
  const records = rows.map(({ pdf: _pdf, ...rest }: Record<string, unknown>) => rest as { id: number })
  const ids = records.map((r) => r.id)
  if (ids.length === 0) return records
  if (entity === 'outbox_mail') {
    // A mail's texts are written once and would fill the log with every mail's words, each state change twice over:
    // the log keeps their SHA-256, so a body changed behind the app's back still shows.
    return records.map(({ text_body: text, html_body: html, ...mail }: Record<string, unknown>) => ({
      ...mail,
      text_body_sha256: sha256(String(text)),
      html_body_sha256: sha256(String(html)),
    }))
  }
  if (entity === 'report_version') {
    // The frozen open-data copy is a document of the whole plan: the log keeps its SHA-256, as for a mail's body.
    return records.map(({ open_data: openData, ...version }: Record<string, unknown>) => ({
      ...version,
      open_data_sha256: openData === null || openData === undefined ? null : sha256(String(openData)),
    }))
  }
  if (entity === 'api_token') {
    // The token's hash stays out of the log, as a password's does.
    return records.map(({ token_sha256: _hash, ...token }: Record<string, unknown>) => token as { id: number })
  }
  if (entity === 'municipal_item') {
    // Choosing the committees an item applies to is a change of the item.
    const committees = await db
      .selectFrom('municipal_item_committee')
      .select(['item_id', 'committee_id'])
      .where('item_id', 'in', ids)
      .orderBy('committee_id')
      .execute()
    return records.map((item) => ({
      ...item,
      committees: committees.filter((c) => c.item_id === item.id).map((c) => c.committee_id),
    }))
  }
  if (entity === 'development_area') {
    // Linking an area to risks and measures is a change of the area.
    const [risks, measures] = await Promise.all([
      db
        .selectFrom('development_area_risk')
        .select(['area_id', 'risk_id'])
        .where('area_id', 'in', ids)
        .orderBy('risk_id')
        .execute(),
      db
        .selectFrom('development_area_measure')
        .select(['area_id', 'measure_id'])
        .where('area_id', 'in', ids)
        .orderBy('measure_id')
        .execute(),
    ])
    return records.map((area) => ({
      ...area,
      risks: risks.filter((r) => r.area_id === area.id).map((r) => r.risk_id),
      measures: measures.filter((m) => m.area_id === area.id).map((m) => m.measure_id),
    }))
  }
  if (entity !== 'app_user') return records
  // An account's roles are part of it, and a new password shows as a changed fingerprint, not as the hash.
  const [roles, units, municipalities] = await Promise.all([
    db
      .selectFrom('committee_role')
      .select(['user_id', 'committee_id', 'role'])
      .where('user_id', 'in', ids)
      .orderBy('committee_id')
      .execute(),
    db
      .selectFrom('unit_member')
      .select(['user_id', 'owner_unit_id'])
      .where('user_id', 'in', ids)
      .orderBy('owner_unit_id')
      .execute(),
    db
      .selectFrom('municipality_role')
      .select(['user_id', 'municipality_id'])
      .where('user_id', 'in', ids)
      .orderBy('municipality_id')
      .execute(),
  ])
  return records.map(({ password_hash: passwordHash, ...user }: Record<string, unknown>) => {
    const id = user.id as number
    return {
      ...user,
      roles: roles.filter((r) => r.user_id === id).map((r) => `${r.role}:${r.committee_id}`),
      units: units.filter((u) => u.user_id === id).map((u) => u.owner_unit_id),
      coordinatorOf: municipalities.filter((m) => m.user_id === id).map((m) => m.municipality_id),
      password: sha256(String(passwordHash)).slice(0, 12),
    }
  })
}

/**
 * Makes a change and records it in the audit log with the record as it was before and after, in the caller's
 * transaction. A create's change returns the new id.
 */
export async function audited<T>(
  db: Db,
  actor: Actor,
  action: AuditAction,
  target: Target,
  change: () => Promise<T>,
): Promise<T> {
  const before = target.id === undefined ? undefined : await snapshot(db, target.entity, target.id)
  const result = await change()
  const id = target.id ?? (result as number)
  const after = action === 'delete' ? undefined : await snapshot(db, target.entity, id)
  // A change that changed nothing (a second click on "Koppla", an unlink of what was not linked) is no event.
  if (action === 'update' && JSON.stringify(before) === JSON.stringify(after)) return result
  const planId = target.entity === 'plan' ? id : target.planId
  await recordEvent(db, actor, {
    action,
    entity: target.entity,
    entityId: id,
    planId,
    committeeId: target.committeeId ?? null,
    before,
    after,
  })
  return result
}

/** One transaction holding one audited change: what most form posts are. */
export function auditedTransaction<T>(
  db: Db,
  actor: Actor,
  action: AuditAction,
  target: Target,
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
  const risks =
    parent.entity === 'plan'
      ? await db.selectFrom('risk').select('id').where('plan_id', '=', parent.id).execute()
      : [{ id: parent.id }]
  const controls = await db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .select('control.id')
    .where(column, '=', parent.id)
    .execute()
  await auditControlsGone(
    db,
    actor,
    planId,
    controls.map((c) => c.id),
  )
  for (const { id } of controls) await audited(db, actor, 'delete', { entity: 'control', id, planId }, async () => {})
  const deleted = { riskIds: risks.map((r) => r.id), measureIds: measures.map((m) => m.id) }
  await unlinkAreas(db, actor, deleted)
  await unlinkLaterYears(db, actor, deleted)
  for (const { id } of measures) await audited(db, actor, 'delete', { entity: 'measure', id, planId }, async () => {})
  if (parent.entity === 'plan') {
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

/**
 * Records what goes with controls about to be deleted: their runs and deviations (ON DELETE CASCADE), the origin
 * of measures decided for those deviations and the link of later years' copies (ON DELETE SET NULL). The caller
 * records the controls themselves.
 */
export async function auditControlsGone(db: Db, actor: Actor, planId: number, controlIds: number[]): Promise<void> {
  if (controlIds.length === 0) return
  const runs = await db.selectFrom('control_run').select('id').where('control_id', 'in', controlIds).execute()
  const copies = await db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .select(['control.id', 'risk.plan_id'])
    .where('control.previous_control_id', 'in', controlIds)
    .execute()
  for (const copy of copies) {
    await audited(db, actor, 'update', { entity: 'control', id: copy.id, planId: copy.plan_id }, async () => {
      await db.updateTable('control').set({ previous_control_id: null }).where('id', '=', copy.id).execute()
    })
  }
  if (runs.length === 0) return
  const deviations = await db
    .selectFrom('control_deviation')
    .select('id')
    .where(
      'run_id',
      'in',
      runs.map((r) => r.id),
    )
    .execute()
  await auditDeviationsGone(
    db,
    actor,
    planId,
    deviations.map((d) => d.id),
  )
  for (const { id } of runs) await audited(db, actor, 'delete', { entity: 'control_run', id, planId }, async () => {})
}

/** Records deviations about to be deleted, and the measures that lose them as their origin (ON DELETE SET NULL). */
export async function auditDeviationsGone(db: Db, actor: Actor, planId: number, deviationIds: number[]): Promise<void> {
  if (deviationIds.length === 0) return
  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select(['measure.id', 'risk.plan_id'])
    .where('measure.origin_deviation_id', 'in', deviationIds)
    .execute()
  for (const measure of measures) {
    await audited(db, actor, 'update', { entity: 'measure', id: measure.id, planId: measure.plan_id }, async () => {
      await db.updateTable('measure').set({ origin_deviation_id: null }).where('id', '=', measure.id).execute()
    })
  }
  for (const id of deviationIds) {
    await audited(db, actor, 'delete', { entity: 'control_deviation', id, planId }, async () => {})
  }
}

/**
 * Removes the links of development areas to risks and measures about to be deleted, each area's change in the
 * log; the database would drop them silently (ON DELETE CASCADE).
 */
export async function unlinkAreas(
  db: Db,
  actor: Actor,
  { riskIds, measureIds }: { riskIds: number[]; measureIds: number[] },
): Promise<void> {
  // `in ()` is not valid SQL, so each kind of link is looked at only when there are ids to look for.
  const riskLinks = riskIds.length > 0
  const measureLinks = measureIds.length > 0
  const linked = [
    ...(riskLinks
      ? await db.selectFrom('development_area_risk').select('area_id').where('risk_id', 'in', riskIds).execute()
      : []),
    ...(measureLinks
      ? await db
          .selectFrom('development_area_measure')
          .select('area_id')
          .where('measure_id', 'in', measureIds)
          .execute()
      : []),
  ]
  const areaIds = [...new Set(linked.map((l) => l.area_id))]
  if (areaIds.length === 0) return
  const areas = await db
    .selectFrom('development_area')
    .innerJoin('inspection', 'inspection.id', 'development_area.inspection_id')
    .select(['development_area.id', 'inspection.committee_id'])
    .where('development_area.id', 'in', areaIds)
    .execute()
  for (const area of areas) {
    const target = { entity: 'development_area', id: area.id, planId: null, committeeId: area.committee_id } as const
    await audited(db, actor, 'update', target, async () => {
      if (riskLinks) {
        await db
          .deleteFrom('development_area_risk')
          .where('area_id', '=', area.id)
          .where('risk_id', 'in', riskIds)
          .execute()
      }
      if (measureLinks) {
        await db
          .deleteFrom('development_area_measure')
          .where('area_id', '=', area.id)
          .where('measure_id', 'in', measureIds)
          .execute()
      }
    })
  }
}

/**
 * Removes the links of later years' risks and measures to the risks and measures about to be deleted, each
 * change in the log; the database would drop them silently (ON DELETE SET NULL). The copies stay. Their versions
 * stay too: the link is no form field, so no edit open meanwhile can put it back.
 */
export async function unlinkLaterYears(
  db: Db,
  actor: Actor,
  { riskIds, measureIds }: { riskIds: number[]; measureIds: number[] },
): Promise<void> {
  // `in ()` is not valid SQL, so each kind of link is looked at only when there are ids to look for.
  const risks =
    riskIds.length > 0
      ? await db.selectFrom('risk').select(['id', 'plan_id']).where('previous_risk_id', 'in', riskIds).execute()
      : []
  for (const risk of risks) {
    await audited(db, actor, 'update', { entity: 'risk', id: risk.id, planId: risk.plan_id }, async () => {
      await db.updateTable('risk').set({ previous_risk_id: null }).where('id', '=', risk.id).execute()
    })
  }
  const measures =
    measureIds.length > 0
      ? await db
          .selectFrom('measure')
          .innerJoin('risk', 'risk.id', 'measure.risk_id')
          .select(['measure.id', 'risk.plan_id'])
          .where('measure.carried_from_measure_id', 'in', measureIds)
          .execute()
      : []
  for (const measure of measures) {
    await audited(db, actor, 'update', { entity: 'measure', id: measure.id, planId: measure.plan_id }, async () => {
      await db.updateTable('measure').set({ carried_from_measure_id: null }).where('id', '=', measure.id).execute()
    })
  }
}
