import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import { prepared } from '../../db/prepared.js'
import type { MeasureTable } from '../../db/schema.js'
import { type Saved, updateVersioned } from '../versioned.js'
import { swedishOrder } from '../vocabulary.js'
import { overdueOn, statusCounts } from './overdue-sql.js'

const withOwner = (db: Db) =>
  db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .selectAll('measure')
    .select(['owner_unit.name as ownerName', 'risk.title as riskTitle'])

/** All measures of a plan, in report order (risk position, then measure position). */
export async function listMeasuresOfPlan(db: Db, planId: number) {
  return withOwner(db).where('risk.plan_id', '=', planId).orderBy('risk.position').orderBy('measure.position').execute()
}

/**
 * A plan's measures as its page lists them, in report order: the columns of its tables, without the long texts the
 * page does not show. Prepared once (db/prepared.ts).
 */
export const listMeasureLinesOfPlan = prepared((db, planId: number) =>
  db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.id',
      'measure.risk_id',
      'measure.title',
      'measure.status',
      'measure.due_date',
      'owner_unit.name as ownerName',
    ])
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('measure.position'),
)

/**
 * Measures across plans, either of these owner units or in these committees' plans, each with its plan, and
 * whether it was carried on into a later plan, where its work is followed up from then on.
 */
export async function listMeasuresWithPlan(db: Db, of: { ownerUnitIds: number[] } | { committeeIds: number[] }) {
  const [column, ids] =
    'ownerUnitIds' in of
      ? (['measure.owner_unit_id', of.ownerUnitIds] as const)
      : (['plan.committee_id', of.committeeIds] as const)
  if (ids.length === 0) return []
  return withOwner(db)
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select(['plan.id as planId', 'plan.title as planTitle', 'plan.committee_id', 'committee.name as committeeName'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('measure as later')
            .select('later.id')
            .whereRef('later.carried_from_measure_id', '=', 'measure.id'),
        )
        .as('carriedOn'),
    )
    .where(column, 'in', ids)
    .orderBy('plan.year', 'desc')
    .orderBy('plan.id')
    .orderBy('risk.position')
    .orderBy('measure.position')
    .execute()
}

export async function listMeasuresOfRisk(db: Db, riskId: number) {
  return withOwner(db).where('measure.risk_id', '=', riskId).orderBy('measure.position').execute()
}

export async function findMeasure(db: Db, planId: number, measureId: number) {
  return withOwner(db).where('risk.plan_id', '=', planId).where('measure.id', '=', measureId).executeTakeFirst()
}

export async function listStatusChanges(db: Db, measureId: number) {
  return db
    .selectFrom('measure_status_change')
    .selectAll()
    .where('measure_id', '=', measureId)
    .orderBy('id', 'desc')
    .execute()
}

/** The administration's owner units in Swedish order, which a database's own collation may not know. */
export async function listOwnerUnits(db: Db, administrationId: number) {
  const units = await db
    .selectFrom('owner_unit')
    .select(['id', 'name'])
    .where('administration_id', '=', administrationId)
    .execute()
  return units.sort((a, b) => swedishOrder.compare(a.name, b.name))
}

export async function insertMeasure(db: Db, measure: Insertable<MeasureTable>, changedAt: string): Promise<number> {
  const { id } = await db.insertInto('measure').values(measure).returning('id').executeTakeFirstOrThrow()
  await db
    .insertInto('measure_status_change')
    .values({ measure_id: id, from_status: null, to_status: measure.status, changed_at: changedAt })
    .execute()
  return id
}

/**
 * Saves an edit made on `baseVersion`, merged with someone else's newer change of other fields (updateVersioned);
 * a change of status is recorded in its history, from the status it had in this transaction.
 */
export async function updateMeasure(
  db: Db,
  id: number,
  baseVersion: number,
  changes: Updateable<MeasureTable>,
  changedAt: string,
): Promise<Saved> {
  const before = await db.selectFrom('measure').select('status').where('id', '=', id).executeTakeFirstOrThrow()
  const saved = await updateVersioned(db, 'measure', id, baseVersion, changes)
  const status = (saved.written as Updateable<MeasureTable>).status
  if (status !== undefined && status !== before.status) {
    await db
      .insertInto('measure_status_change')
      .values({ measure_id: id, from_status: before.status, to_status: status, changed_at: changedAt })
      .execute()
  }
  return saved
}

export async function deleteMeasure(db: Db, id: number): Promise<void> {
  await db.deleteFrom('measure').where('id', '=', id).execute()
}

/** Per plan and status: how many measures, and how many of them are overdue on `today`. */
export async function countMeasuresOfPlans(db: Db, planIds: readonly number[], today: string) {
  if (planIds.length === 0) return []
  const rows = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select((eb) => [
      'risk.plan_id as planId',
      'measure.status as status',
      eb.fn.countAll<number>().as('count'),
      eb.fn.countAll<number>().filterWhere(overdueOn(today)).as('overdue'),
    ])
    .where('risk.plan_id', 'in', planIds)
    .groupBy(['risk.plan_id', 'measure.status'])
    .execute()
  return statusCounts(rows)
}
