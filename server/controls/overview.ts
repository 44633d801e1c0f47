// The start page's questions about controls, each answered in one query that selects only what the page shows.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import { runCounts } from './repository.js'

/** Whose controls: an owner's units' (as listRunsDue), or those in the plans of a secretary's committees. */
export type ControlsOf = { ownerUnitIds: number[] } | { committeeIds: number[] }

const ids = (of: ControlsOf) => ('ownerUnitIds' in of ? of.ownerUnitIds : of.committeeIds)

const whereOf = (of: ControlsOf) => (eb: ExpressionBuilder<Database, 'control' | 'plan'>) =>
  'ownerUnitIds' in of
    ? eb('control.owner_unit_id', 'in', of.ownerUnitIds)
    : eb('plan.committee_id', 'in', of.committeeIds)

const controlsInPlans = (db: Db) =>
  db.selectFrom('control').innerJoin('risk', 'risk.id', 'control.risk_id').innerJoin('plan', 'plan.id', 'risk.plan_id')

/** Whether there is any such control at all: the start page shows its control sections only then. */
export async function controlsExist(db: Db, of: ControlsOf): Promise<boolean> {
  if (ids(of).length === 0) return false
  const row = await db
    .selectNoFrom((eb) => eb.exists(controlsInPlans(db).select('control.id').where(whereOf(of))).as('found'))
    .executeTakeFirstOrThrow()
  return Boolean(row.found)
}

/**
 * The runs not yet reported with a planned date up to `until` in plans of `fromYear` on, counted per plan (as
 * listRunsDue picks them): where the rest of a list cut short are.
 */
export async function countRunsDuePerPlan(db: Db, of: ControlsOf, until: string, fromYear: number) {
  if (ids(of).length === 0) return []
  const rows = await controlsInPlans(db)
    .innerJoin('control_run', 'control_run.control_id', 'control.id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select((eb) => [
      'plan.id as planId',
      'plan.title as planTitle',
      'plan.committee_id',
      'committee.name as committeeName',
      eb.fn.countAll<number>().as('count'),
    ])
    .where('control_run.result', 'is', null)
    .where('control_run.planned_date', '<=', until)
    .where('plan.year', '>=', fromYear)
    .where(whereOf(of))
    .groupBy(['plan.id', 'plan.title', 'plan.year', 'plan.committee_id', 'committee.name'])
    .orderBy('plan.year', 'desc')
    .orderBy('committee.name')
    .execute()
  return rows.map((r) => ({ ...r, count: Number(r.count) }))
}

/**
 * Each control in plans that `where` picks, with its plan and the traffic light it shows on `today`: trafficLight's
 * rule (traffic-light.ts) written as SQL over the same run counts, so a page can count lights per plan in one query
 * without reading every control. Aliased "lights", for a query to group.
 */
export function lightPerControl(
  db: Db,
  where: (eb: ExpressionBuilder<Database, 'control' | 'risk' | 'plan'>) => Expression<SqlBool>,
  today: string,
) {
  const shown = controlsInPlans(db).where(where)
  return (
    shown
      // Only these plans' runs are counted, not every run in the database.
      .leftJoin(
        runCounts(db, today).where('control_run.control_id', 'in', shown.select('control.id')).as('runs'),
        'runs.control_id',
        'control.id',
      )
      .select((eb) => [
        'plan.id as planId',
        eb
          .case()
          .when('runs.missed', '>', 0)
          .then('red')
          .when('runs.withDeviations', '>', 0)
          .then('yellow')
          .else('green')
          .end()
          .as('light'),
      ])
      .as('lights')
  )
}

/** The three lights' counts and the total, for a query grouped by plan over lightPerControl. */
export const lightCountColumns = (eb: ExpressionBuilder<{ lights: { light: string } }, 'lights'>) => [
  eb.fn.countAll<number>().filterWhere('lights.light', '=', 'green').as('green'),
  eb.fn.countAll<number>().filterWhere('lights.light', '=', 'yellow').as('yellow'),
  eb.fn.countAll<number>().filterWhere('lights.light', '=', 'red').as('red'),
  eb.fn.countAll<number>().as('total'),
]

/**
 * Per plan of these committees from `fromYear` on that has controls: how many controls show each traffic light on
 * `today`, as the plan's control list shows them.
 */
export async function countLightsPerPlan(db: Db, committeeIds: number[], fromYear: number, today: string) {
  if (committeeIds.length === 0) return []
  const lights = lightPerControl(
    db,
    (eb) => eb.and([eb('plan.committee_id', 'in', committeeIds), eb('plan.year', '>=', fromYear)]),
    today,
  )
  const rows = await db
    .selectFrom(lights)
    .innerJoin('plan', 'plan.id', 'lights.planId')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select((eb) => [
      'plan.id as planId',
      'plan.title as planTitle',
      'committee.name as committeeName',
      ...lightCountColumns(eb),
    ])
    .groupBy(['plan.id', 'plan.title', 'plan.year', 'committee.name'])
    .orderBy('plan.year', 'desc')
    .orderBy('committee.name')
    .execute()
  // Counts come back as strings from PostgreSQL.
  return rows.map((r) => ({
    ...r,
    green: Number(r.green),
    yellow: Number(r.yellow),
    red: Number(r.red),
    total: Number(r.total),
  }))
}
