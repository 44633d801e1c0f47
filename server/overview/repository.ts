// The start page's questions about plans, measures and inspections, each asked of the viewer's committees or units
// only and selecting only what the page shows: a municipality's thousands of measures stay in the database.
import type { ExpressionBuilder } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import { overdueOn } from '../measures/overdue-sql.js'
import { finishedStatuses } from '../vocabulary.js'

/** The plans of these committees, newest year first, with what the start page names them by. */
export async function listPlansOfCommittees(db: Db, committeeIds: readonly number[], year?: number) {
  if (committeeIds.length === 0) return []
  return db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .select([
      'plan.id',
      'plan.year',
      'plan.title',
      'committee.id as committeeId',
      'committee.name as committeeName',
      'municipality.name as municipalityName',
    ])
    .where('plan.committee_id', 'in', committeeIds)
    .$if(year !== undefined, (q) => q.where('plan.year', '=', year as number))
    .orderBy('plan.year', 'desc')
    .orderBy('plan.id')
    .execute()
}

/** How many plans there are: the administrator reads them all. */
export async function countPlans(db: Db): Promise<number> {
  const row = await db
    .selectFrom('plan')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * A measure carried into a later plan is followed up there: its old copy keeps last year's status, and listed
 * beside its successor it would show twice, and overdue for ever. It is left out of every list of work still to do.
 */
const notCarriedOn = (eb: ExpressionBuilder<Database, 'measure'>) =>
  eb.not(
    eb.exists(
      eb.selectFrom('measure as later').select('later.id').whereRef('later.carried_from_measure_id', '=', 'measure.id'),
    ),
  )

/** Measures with their plan, committee and owner unit, the columns every start page list shows. */
const measuresWithPlan = (db: Db) =>
  db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.id',
      'measure.title',
      'measure.status',
      'measure.due_date',
      'plan.id as planId',
      'plan.title as planTitle',
      'committee.name as committeeName',
      'owner_unit.name as ownerName',
    ])
    .where(notCarriedOn)

/** Ties keep the plans' order, newest plan first, then the report's: risk, then measure. */
const inPlanOrder = <Q extends ReturnType<typeof measuresWithPlan>>(query: Q) =>
  query.orderBy('plan.year', 'desc').orderBy('plan.id').orderBy('risk.position').orderBy('measure.position')

/**
 * "Mina åtgärder": the current measures of these owner units in the committees the viewer reads (all when
 * `committeeIds` is undefined, for the administrator), those still to finish first, each group soonest due first
 * and those without a due date last; with `measureId`, only that one if it is among them. Their progress is shown
 * on the card; what is to be done is not.
 */
export async function listOwnerMeasures(
  db: Db,
  of: { ownerUnitIds: readonly number[]; committeeIds: readonly number[] | undefined; measureId?: number },
  limit: number,
) {
  const { ownerUnitIds, committeeIds, measureId } = of
  if (ownerUnitIds.length === 0 || committeeIds?.length === 0) return []
  return measuresWithPlan(db)
    .select(['measure.progress', 'risk.title as riskTitle'])
    .where('measure.owner_unit_id', 'in', ownerUnitIds)
    .$if(committeeIds !== undefined, (q) => q.where('plan.committee_id', 'in', committeeIds as number[]))
    .$if(measureId !== undefined, (q) => q.where('measure.id', '=', measureId as number))
    .orderBy((eb) => eb.case().when('measure.status', 'in', finishedStatuses).then(1).else(0).end())
    .orderBy((eb) => eb.case().when('measure.due_date', 'is', null).then(1).else(0).end())
    .orderBy('measure.due_date')
    .$call(inPlanOrder)
    .limit(limit)
    .execute()
}

/**
 * listOwnerMeasures's measures counted per plan and unit, for where the rest of its list cut short are: each plan's
 * measure list filtered by the unit.
 */
export async function countOwnerMeasuresPerPlan(
  db: Db,
  ownerUnitIds: readonly number[],
  committeeIds: readonly number[] | undefined,
) {
  if (ownerUnitIds.length === 0 || committeeIds?.length === 0) return []
  const rows = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select((eb) => [
      'plan.id as planId',
      'plan.title as planTitle',
      'committee.name as committeeName',
      'owner_unit.id as unitId',
      'owner_unit.name as unitName',
      eb.fn.countAll<number>().as('count'),
    ])
    .where('measure.owner_unit_id', 'in', ownerUnitIds)
    .$if(committeeIds !== undefined, (q) => q.where('plan.committee_id', 'in', committeeIds as number[]))
    .where(notCarriedOn)
    .groupBy(['plan.id', 'plan.title', 'plan.year', 'committee.name', 'owner_unit.id', 'owner_unit.name'])
    .orderBy('plan.year', 'desc')
    .orderBy('plan.id')
    .orderBy('owner_unit.name')
    .execute()
  // Counts come back as strings from PostgreSQL.
  return rows.map((r) => ({ ...r, count: Number(r.count) }))
}

/** The current measures of these committees overdue on `today`, the oldest first: the first `limit` of them. */
export async function listOverdueMeasures(db: Db, committeeIds: readonly number[], today: string, limit: number) {
  if (committeeIds.length === 0) return []
  return measuresWithPlan(db)
    .where('plan.committee_id', 'in', committeeIds)
    .where(overdueOn(today))
    .orderBy('measure.due_date')
    .$call(inPlanOrder)
    .limit(limit)
    .execute()
}

/** Unfinished measures due from `today` on. */
const comingFrom = (today: string) => (eb: ExpressionBuilder<Database, 'measure'>) =>
  eb.and([eb('measure.due_date', '>=', today), eb('measure.status', 'not in', finishedStatuses)])

/** Unfinished current measures of these committees due from `today` on, the nearest first: the first `limit`. */
export async function listComingMeasures(db: Db, committeeIds: readonly number[], today: string, limit: number) {
  if (committeeIds.length === 0) return []
  return measuresWithPlan(db)
    .where('plan.committee_id', 'in', committeeIds)
    .where(comingFrom(today))
    .orderBy('measure.due_date')
    .$call(inPlanOrder)
    .limit(limit)
    .execute()
}

/**
 * How many current measures of these committees are overdue on `today`, and how many unfinished ones are due from
 * `today` on: the totals the two lists cut short are parts of, counted in one pass.
 */
export async function countOverdueAndComing(db: Db, committeeIds: readonly number[], today: string) {
  if (committeeIds.length === 0) return { overdue: 0, coming: 0 }
  const row = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere(overdueOn(today)).as('overdue'),
      eb.fn.countAll<number>().filterWhere(comingFrom(today)).as('coming'),
    ])
    .where('plan.committee_id', 'in', committeeIds)
    .where((eb) => eb.or([overdueOn(today)(eb), comingFrom(today)(eb)]))
    .where(notCarriedOn)
    .executeTakeFirstOrThrow()
  // Counts come back as strings from PostgreSQL.
  return { overdue: Number(row.overdue), coming: Number(row.coming) }
}

/**
 * The inspections of these committees whose report may still be due: not sent, with a deadline. Whether it is due
 * is reportDeadline's to say (inspections/view-model.ts); this only keeps the rest out, with the columns it reads.
 */
export async function listReportsMaybeDue(db: Db, committeeIds: readonly number[]) {
  if (committeeIds.length === 0) return []
  return db
    .selectFrom('inspection')
    .innerJoin('committee', 'committee.id', 'inspection.committee_id')
    .select([
      'inspection.id',
      'inspection.title',
      'inspection.decision_date',
      'inspection.report_deadline',
      'inspection.report_sent_date',
      'inspection.closed',
      'inspection.follow_up_decision_date',
      'committee.name as committeeName',
    ])
    .where('inspection.committee_id', 'in', committeeIds)
    .where('inspection.report_sent_date', 'is', null)
    .where('inspection.report_deadline', 'is not', null)
    .orderBy('inspection.decision_date', 'desc')
    .orderBy('inspection.id', 'desc')
    .execute()
}
