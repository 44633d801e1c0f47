import type { ExpressionBuilder, Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import type {
  ControlDeviationTable,
  ControlFrequency,
  ControlRunTable,
  ControlTable,
  Database,
} from '../../db/schema.js'
import { type Saved, updateVersioned } from '../versioned.js'
import { plannedDates } from './occasions.js'
import { type LightCode, type RunSummary, trafficLight } from './traffic-light.js'

const withDeviationsCount = (eb: ExpressionBuilder<Database, 'control_run'>) =>
  eb.fn.count<number>('control_run.id').filterWhere('result', '=', 'deviations')

const missedCount = (eb: ExpressionBuilder<Database, 'control_run'>, today: string) =>
  eb.fn
    .count<number>('control_run.id')
    .filterWhere((w) =>
      w.or([w('result', '=', 'not_performed'), w.and([w('result', 'is', null), w('planned_date', '<', today)])]),
    )

/**
 * The counts a traffic light is derived from, over the control_run rows joined to a control: its occasions, those
 * done, those done with deviations, and those missed or overdue on `today`.
 */
function runCountColumns(eb: ExpressionBuilder<Database, 'control_run'>, today: string) {
  return [
    eb.fn.count<number>('control_run.id').as('planned'),
    eb.fn.count<number>('control_run.id').filterWhere('result', 'in', ['no_remarks', 'deviations']).as('done'),
    withDeviationsCount(eb).as('withDeviations'),
    missedCount(eb, today).as('missed'),
  ]
}

/** Only the controls showing `light` on `today`: trafficLight's rule over the grouped run counts. */
function lightIs(eb: ExpressionBuilder<Database, 'control_run'>, light: LightCode, today: string) {
  const missed = missedCount(eb, today)
  if (light === 'red') return eb(missed, '>', 0)
  return eb.and([eb(missed, '=', 0), eb(withDeviationsCount(eb), light === 'yellow' ? '>' : '=', 0)])
}

/** The light's counts per control, for a query that restricts it to the controls it shows. */
export function runCounts(db: Db, today: string) {
  return db
    .selectFrom('control_run')
    .select((eb) => ['control_run.control_id', ...runCountColumns(eb, today)])
    .groupBy('control_run.control_id')
}

/** Counts come back as strings from PostgreSQL: numbers, and the light they give. */
function withLight<T extends Record<keyof RunSummary, unknown>>(row: T) {
  const summary: RunSummary = {
    planned: Number(row.planned ?? 0),
    done: Number(row.done ?? 0),
    withDeviations: Number(row.withDeviations ?? 0),
    missed: Number(row.missed ?? 0),
  }
  return { ...row, ...summary, light: trafficLight(summary) }
}

/**
 * Controls with their unit's and risk's names, and per control its occasions, those done, those done with
 * deviations, and those missed or overdue on `today`. The runs are joined and counted per control rather than
 * counted for all controls in a derived table, which SQLite would build from the whole control_run table first.
 */
const withNames = (db: Db, today: string) =>
  db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .leftJoin('control_run', 'control_run.control_id', 'control.id')
    .selectAll('control')
    .select((eb) => [
      'owner_unit.name as ownerName',
      'risk.title as riskTitle',
      'risk.plan_id',
      ...runCountColumns(eb as unknown as ExpressionBuilder<Database, 'control_run'>, today),
    ])
    // Grouped by the three tables' keys, so PostgreSQL too takes their other columns as given by them.
    .groupBy(['control.id', 'risk.id', 'owner_unit.id'])

/**
 * A plan's controls in report order (risk position, then control position), each with its traffic light; with
 * `light`, only those showing it.
 */
export async function listControlsOfPlan(db: Db, planId: number, today: string, light?: LightCode) {
  const rows = await withNames(db, today)
    .where('risk.plan_id', '=', planId)
    .$if(light !== undefined, (q) =>
      q.having((eb) => lightIs(eb as unknown as ExpressionBuilder<Database, 'control_run'>, light as LightCode, today)),
    )
    .orderBy('risk.position')
    .orderBy('control.position')
    .execute()
  return rows.map(withLight)
}

export async function listControlsOfRisk(db: Db, riskId: number, today: string) {
  const rows = await withNames(db, today).where('control.risk_id', '=', riskId).orderBy('control.position').execute()
  return rows.map(withLight)
}

export async function findControl(db: Db, planId: number, controlId: number, today: string) {
  const row = await withNames(db, today)
    .where('risk.plan_id', '=', planId)
    .where('control.id', '=', controlId)
    .executeTakeFirst()
  return row && withLight(row)
}

/** How many controls each risk of a plan has (risks without any are left out): the plan page's counts. */
export async function countControlsByRisk(db: Db, planId: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .select((eb) => ['control.risk_id', eb.fn.countAll<number>().as('count')])
    .where('risk.plan_id', '=', planId)
    .groupBy('control.risk_id')
    .execute()
  return new Map(rows.map((r) => [r.risk_id, Number(r.count)]))
}

export type ControlContext = NonNullable<Awaited<ReturnType<typeof findControl>>>

export async function insertControl(db: Db, control: Insertable<ControlTable>): Promise<number> {
  const { id } = await db.insertInto('control').values(control).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function insertRun(db: Db, run: Insertable<ControlRunTable>): Promise<number> {
  const { id } = await db.insertInto('control_run').values(run).returning('id').executeTakeFirstOrThrow()
  return id
}

/** The reported runs a change to `frequency` would leave without an occasion: the form refuses such a change. */
export async function reportedBeyond(db: Db, controlId: number, frequency: ControlFrequency, year: number) {
  return db
    .selectFrom('control_run')
    .select(['occasion', 'planned_date'])
    .where('control_id', '=', controlId)
    .where('occasion', '>', plannedDates(frequency, year).length)
    .where('result', 'is not', null)
    .orderBy('occasion')
    .execute()
}

/** Saves an edit made on `baseVersion`; a new frequency's occasions are changeControl's (write.ts). */
export async function updateControl(
  db: Db,
  id: number,
  baseVersion: number,
  changes: Updateable<ControlTable>,
): Promise<Saved> {
  return updateVersioned(db, 'control', id, baseVersion, changes)
}

export async function deleteControl(db: Db, id: number): Promise<void> {
  await db.deleteFrom('control').where('id', '=', id).execute()
}

/** A control's occasions in order, each with the number of deviations recorded for it. */
export async function listRunsOfControl(db: Db, controlId: number) {
  return db
    .selectFrom('control_run')
    .selectAll('control_run')
    .select((eb) =>
      eb
        .selectFrom('control_deviation')
        .select((d) => d.fn.countAll<number>().as('n'))
        .whereRef('control_deviation.run_id', '=', 'control_run.id')
        .as('recordedDeviations'),
    )
    .where('control_id', '=', controlId)
    .orderBy('occasion')
    .execute()
}

export async function findRun(db: Db, controlId: number, runId: number) {
  return db
    .selectFrom('control_run')
    .selectAll()
    .where('control_id', '=', controlId)
    .where('id', '=', runId)
    .executeTakeFirst()
}

export async function updateRun(
  db: Db,
  id: number,
  baseVersion: number,
  changes: Updateable<ControlRunTable>,
): Promise<Saved> {
  return updateVersioned(db, 'control_run', id, baseVersion, changes)
}

/** The deviations of a control's runs, in the order of its occasions, each with the measures decided for it. */
export async function listDeviationsOfControl(db: Db, controlId: number) {
  const deviations = await db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .selectAll('control_deviation')
    .select(['control_run.occasion', 'control_run.performed_on'])
    .where('control_run.control_id', '=', controlId)
    .orderBy('control_run.occasion')
    .orderBy('control_deviation.position')
    .execute()
  const measures = await measuresOfDeviations(
    db,
    deviations.map((d) => d.id),
  )
  return deviations.map((d) => ({ ...d, measures: measures.filter((m) => m.origin_deviation_id === d.id) }))
}

/** The deviations of one run, in their order, each with the measures decided for it: the run's page. */
export async function listDeviationsOfRun(db: Db, runId: number) {
  const deviations = await db
    .selectFrom('control_deviation')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('position')
    .execute()
  const measures = await measuresOfDeviations(
    db,
    deviations.map((d) => d.id),
  )
  return deviations.map((d) => ({ ...d, measures: measures.filter((m) => m.origin_deviation_id === d.id) }))
}

/** How many deviations are recorded for a run. */
export async function countDeviationsOfRun(db: Db, runId: number): Promise<number> {
  const row = await db
    .selectFrom('control_deviation')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** The measures that name these deviations as their origin, with their owner unit and the risk they belong to. */
export async function measuresOfDeviations(db: Db, deviationIds: number[]) {
  if (deviationIds.length === 0) return []
  return db
    .selectFrom('measure')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.id',
      'measure.risk_id',
      'measure.title',
      'measure.status',
      'measure.due_date',
      'measure.origin_deviation_id',
      'owner_unit.name as ownerName',
    ])
    .where('measure.origin_deviation_id', 'in', deviationIds)
    .orderBy('measure.id')
    .execute()
}

/** The deviations the controls of a risk found, by id: what a risk's delete asks measuresOfDeviations about. */
export async function deviationIdsOfRisk(db: Db, riskId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .select('control_deviation.id')
    .where('control.risk_id', '=', riskId)
    .execute()
  return rows.map((r) => r.id)
}

export async function findDeviation(db: Db, runId: number, deviationId: number) {
  return db
    .selectFrom('control_deviation')
    .selectAll()
    .where('run_id', '=', runId)
    .where('id', '=', deviationId)
    .executeTakeFirst()
}

/** A deviation with the control and plan it was found in: what a measure made from it needs. */
export async function findDeviationInPlan(db: Db, planId: number, deviationId: number) {
  return db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .selectAll('control_deviation')
    .select([
      'control.id as controlId',
      'control.title as controlTitle',
      'control.risk_id as riskId',
      'control.owner_unit_id as ownerUnitId',
      'control_run.occasion',
    ])
    .where('risk.plan_id', '=', planId)
    .where('control_deviation.id', '=', deviationId)
    .executeTakeFirst()
}

export async function insertDeviation(db: Db, deviation: Insertable<ControlDeviationTable>): Promise<number> {
  const { id } = await db.insertInto('control_deviation').values(deviation).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function nextDeviationPosition(db: Db, runId: number): Promise<number> {
  const row = await db
    .selectFrom('control_deviation')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('run_id', '=', runId)
    .executeTakeFirst()
  return Number(row?.max ?? 0) + 1
}

export async function updateDeviation(
  db: Db,
  id: number,
  baseVersion: number,
  changes: Updateable<ControlDeviationTable>,
): Promise<Saved> {
  return updateVersioned(db, 'control_deviation', id, baseVersion, changes)
}

export async function deleteDeviation(db: Db, id: number): Promise<void> {
  await db.deleteFrom('control_deviation').where('id', '=', id).execute()
}

type RunFilter = { ownerUnitIds: number[] } | { committeeIds: number[] }

const whereViewer = (of: RunFilter) => (eb: ExpressionBuilder<Database, 'control' | 'plan'>) =>
  'ownerUnitIds' in of
    ? eb('control.owner_unit_id', 'in', of.ownerUnitIds)
    : eb('plan.committee_id', 'in', of.committeeIds)

/**
 * The runs not yet reported with a planned date up to `until` (overdue ones first), of these owner units' controls
 * or of these committees' plans, each with its control and plan: the start pages' lists. Only plans of `fromYear`
 * on when it is given (the start page's choice of years: server/overview/routes.ts).
 */
export async function listRunsDue(db: Db, of: RunFilter, until: string, limit: number, fromYear?: number) {
  const ids = 'ownerUnitIds' in of ? of.ownerUnitIds : of.committeeIds
  if (ids.length === 0) return []
  return db
    .selectFrom('control_run')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select([
      'control_run.id',
      'control_run.occasion',
      'control_run.planned_date',
      'control.id as controlId',
      'control.title as controlTitle',
      'control.owner_unit_id',
      'owner_unit.name as ownerName',
      'plan.id as planId',
      'plan.title as planTitle',
      'plan.committee_id',
      'committee.name as committeeName',
    ])
    .where('control_run.result', 'is', null)
    .where('control_run.planned_date', '<=', until)
    .where(whereViewer(of))
    .$if(fromYear !== undefined, (query) => query.where('plan.year', '>=', fromYear as number))
    .orderBy('control_run.planned_date')
    .orderBy('control.id')
    .limit(limit)
    .execute()
}

// A plan's controls, occasions and deviations whole, for what carries the plan elsewhere: the spreadsheet export
// and import, next year's plan and the report. Each in the order of the report: risk, control, occasion, deviation.

/** A plan's controls with every column, their risk's title and position and their unit's name, in report order. */
export async function controlRowsOfPlan(db: Db, planId: number) {
  return db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .selectAll('control')
    .select(['risk.title as riskTitle', 'risk.position as riskPosition', 'owner_unit.name as ownerName'])
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('control.position')
    .execute()
}

/** A plan's occasions with every column (control_id among them), each control's in order, in report order. */
export async function runRowsOfPlan(db: Db, planId: number) {
  return db
    .selectFrom('control_run')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .selectAll('control_run')
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('control.position')
    .orderBy('control_run.occasion')
    .execute()
}

/**
 * A plan's deviations with every column (run_id among them), their occasion's number and day performed and their
 * control's id, each occasion's in order, in report order.
 */
export async function deviationRowsOfPlan(db: Db, planId: number) {
  return db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .selectAll('control_deviation')
    .select(['control_run.occasion', 'control_run.performed_on', 'control_run.control_id'])
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('control.position')
    .orderBy('control_run.occasion')
    .orderBy('control_deviation.position')
    .execute()
}
