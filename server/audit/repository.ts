import { sql } from 'kysely'
import { type Db, isPostgres, likeIgnoringCase, writerLock } from '../../db/connection.js'
import type { AuditAction } from '../../db/schema.js'
import { auditKey } from './anchor.js'
import { eventHash, genesis } from './chain.js'

/** Who is acting and when: every change in a request is recorded with the same. */
export interface Actor {
  userId: number | null
  userName: string
  at: string
}

/**
 * Writers on PostgreSQL run side by side, even from several instances: two that read the same last row would both
 * append its successor, and one would fail on the id or fork the chain. Every transaction there already holds this
 * lock from its start (db/connection.ts); taking it again here costs nothing and keeps the chain safe should that
 * change. It is the transaction's until it ends, so the next writer reads the row this one appends. SQLite needs
 * none: it has one writer at a time.
 */
async function lockChainHead(db: Db): Promise<void> {
  if (isPostgres(db)) await sql`select pg_advisory_xact_lock(${sql.lit(writerLock)})`.execute(db)
}

/**
 * Appends one row to the audit log, chained to the last and signed with the audit key; call it inside the
 * transaction of the change. Its head leaves the database when that transaction commits (anchor.ts).
 */
export async function recordEvent(
  db: Db,
  actor: Actor,
  event: {
    action: AuditAction
    entity: string
    entityId: number
    planId: number | null
    committeeId: number | null
    before: unknown
    after: unknown
  },
): Promise<void> {
  await lockChainHead(db)
  const last = await db
    .selectFrom('audit_event')
    .select(['id', 'hash'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const row = {
    id: (last?.id ?? 0) + 1,
    at: actor.at,
    user_id: actor.userId,
    user_name: actor.userName,
    action: event.action,
    entity: event.entity,
    entity_id: event.entityId,
    plan_id: event.planId,
    committee_id: event.committeeId,
    before: event.before === undefined || event.before === null ? null : JSON.stringify(event.before),
    after: event.after === undefined || event.after === null ? null : JSON.stringify(event.after),
    prev_hash: last?.hash ?? genesis,
  }
  await db
    .insertInto('audit_event')
    .values({ ...row, hash: eventHash(row, auditKey()) })
    .execute()
}

export async function listEvents(db: Db) {
  return db.selectFrom('audit_event').selectAll().orderBy('id').execute()
}

/**
 * The log's rows a viewer may read, latest first, at most `limit` and only those before the row `before` if given
 * (the next page of a long log, found by the index on id however far back it is): those of the plans of `planCommitteeIds` (every plan's
 * when undefined, for the administrator) and of the inspections of `committeeIds`, and with `accounts` those of no plan.
 * The plans are chosen in the query: a municipality's plans are never read into the app to be listed back to it. A
 * row of a deleted plan is in neither, as before.
 */
export async function searchEvents(
  db: Db,
  filter: {
    planCommitteeIds: number[] | undefined
    committeeIds: number[]
    accounts: boolean
    text: string
    entity: string
    limit: number
    before?: number
  },
) {
  const committees = filter.planCommitteeIds
  const allPlans = db.selectFrom('plan').select('plan.id')
  const plans = committees === undefined ? allPlans : allPlans.where('plan.committee_id', 'in', committees)
  // Changes to accounts belong to no plan and no committee; only the administrator sees them.
  let query = db
    .selectFrom('audit_event')
    .select(['id', 'at', 'user_name', 'action', 'entity', 'entity_id', 'plan_id', 'committee_id', 'before', 'after'])
    .where((eb) =>
      eb.or([
        ...(committees?.length === 0 ? [] : [eb('plan_id', 'in', plans)]),
        ...(filter.committeeIds.length > 0 ? [eb('committee_id', 'in', filter.committeeIds)] : []),
        ...(filter.accounts ? [eb('plan_id', 'is', null)] : []),
        eb.lit(false),
      ]),
    )
  if (filter.entity) query = query.where('entity', '=', filter.entity)
  if (filter.before !== undefined) query = query.where('id', '<', filter.before)
  if (filter.text) {
    const like = `%${filter.text}%`
    const ignoringCase = likeIgnoringCase(db)
    query = query.where((eb) =>
      eb.or([eb('user_name', ignoringCase, like), eb('before', ignoringCase, like), eb('after', ignoringCase, like)]),
    )
  }
  return query.orderBy('id', 'desc').limit(filter.limit).execute()
}

export async function eventsOf(db: Db, entity: string, entityId: number) {
  return db
    .selectFrom('audit_event')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('id', 'desc')
    .execute()
}

// Records outside any plan whose names the report prints: its cover's organisation and its measures' owners.
const namesInReport = ['municipality', 'administration', 'committee', 'owner_unit']

/**
 * Whether the report may read differently from this final version, as far as the audit log tells: a change logged
 * since the version was stored in the plan, in the plans its risks came from (which "since last year" reads), in the
 * committee's external inspections, or in a name the report prints.
 * A version older than its log counts as changed, so a report is never called final when that cannot be told.
 */
export async function changedSince(db: Db, plan: { id: number; committee_id: number }, versionId: number) {
  const stored = await db
    .selectFrom('audit_event')
    .select('id')
    .where('entity', '=', 'report_version')
    .where('entity_id', '=', versionId)
    .executeTakeFirst()
  if (!stored) return true
  return changedAfter(db, plan, stored.id)
}

/**
 * Whether the report (or the plan's open data) may read differently from what was read when the audit log's last
 * row was `eventId`: the same changes `changedSince` looks for, logged after that row. Final versions themselves are
 * not such a change; their count is checked on its own.
 */
export async function changedAfter(db: Db, plan: { id: number; committee_id: number }, eventId: number) {
  // Publishing a plan as open data changes no word of its report: such rows are passed over, a page at a time.
  let after = eventId
  for (;;) {
    const later = await db
      .selectFrom('audit_event')
      .select(['id', 'entity', 'before', 'after'])
      .where('id', '>', after)
      .where('entity', '!=', 'report_version')
      .where((eb) =>
        eb.or([
          eb('plan_id', '=', plan.id),
          eb(
            'plan_id',
            'in',
            eb
              .selectFrom('risk as current')
              .innerJoin('risk as earlier', 'earlier.id', 'current.previous_risk_id')
              .where('current.plan_id', '=', plan.id)
              .select('earlier.plan_id'),
          ),
          eb('committee_id', '=', plan.committee_id),
          eb('entity', 'in', namesInReport),
        ]),
      )
      .orderBy('id')
      .limit(20)
      .execute()
    if (later.some((event) => !publishingOnly(event))) return true
    const last = later.at(-1)
    if (!last || later.length < 20) return false
    after = last.id
  }
}

/** A plan's update that changed nothing but whether it is published as open data (and so its version). */
function publishingOnly(event: { entity: string; before: string | null; after: string | null }): boolean {
  if (event.entity !== 'plan' || event.before === null || event.after === null) return false
  const { published_at: _b, version: _bv, ...before } = JSON.parse(event.before) as Record<string, unknown>
  const { published_at: _a, version: _av, ...after } = JSON.parse(event.after) as Record<string, unknown>
  return JSON.stringify(before) === JSON.stringify(after)
}
