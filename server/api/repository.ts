// What the API reads, always within one municipality: a record of another municipality is not found here.
import type { Db } from '../../db/connection.js'
import type { CommitteeKind, MeasureStatus } from '../../db/schema.js'
import { overdueOn } from '../measures/overdue-sql.js'
import { swedishOrder } from '../vocabulary.js'

export async function listCommittees(db: Db, municipalityId: number) {
  const rows = await db
    .selectFrom('committee')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .select([
      'committee.id',
      'committee.name',
      'committee.kind',
      'administration.id as administrationId',
      'administration.name as administrationName',
    ])
    .where('committee.municipality_id', '=', municipalityId)
    .execute()
  return rows
    .map((r) => ({ ...r, kind: r.kind as CommitteeKind }))
    .sort((a, b) => swedishOrder.compare(a.name, b.name) || a.id - b.id)
}

export interface PlanFilter {
  year: number | null
  committeeId: number | null
}

const plansOf = (db: Db, municipalityId: number, filter: PlanFilter) =>
  db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .where('committee.municipality_id', '=', municipalityId)
    .$if(filter.year !== null, (q) => q.where('plan.year', '=', filter.year as number))
    .$if(filter.committeeId !== null, (q) => q.where('plan.committee_id', '=', filter.committeeId as number))

/** One page of the municipality's plans, newest year first, and how many there are in all. */
export async function listPlans(db: Db, municipalityId: number, filter: PlanFilter, page: Page) {
  const [rows, total] = await Promise.all([
    plansOf(db, municipalityId, filter)
      .select([
        'plan.id',
        'plan.year',
        'plan.title',
        'plan.adopted_meeting_date as adoptedMeetingDate',
        'plan.adopted_minutes_paragraph as adoptedMinutesParagraph',
        'plan.adopted_diary_number as adoptedDiaryNumber',
        'committee.id as committeeId',
        'committee.name as committeeName',
        'committee.kind as committeeKind',
      ])
      .orderBy('plan.year', 'desc')
      .orderBy('plan.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    plansOf(db, municipalityId, filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { rows: rows.map((r) => ({ ...r, committeeKind: r.committeeKind as CommitteeKind })), total: Number(total.n) }
}

/** The plan's id if it belongs to the municipality; a plan elsewhere is as unknown as one that does not exist. */
export async function findPlan(db: Db, municipalityId: number, planId: number) {
  return db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select('plan.id')
    .where('plan.id', '=', planId)
    .where('committee.municipality_id', '=', municipalityId)
    .executeTakeFirst()
}

export interface Page {
  limit: number
  offset: number
}

export interface MeasureFilter {
  status: MeasureStatus | null
  overdue: boolean | null
}

const measuresOf = (db: Db, planId: number, filter: MeasureFilter, today: string) =>
  db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .where('risk.plan_id', '=', planId)
    .$if(filter.status !== null, (q) => q.where('measure.status', '=', filter.status as MeasureStatus))
    .$if(filter.overdue !== null, (q) =>
      q.where((eb) => (filter.overdue ? overdueOn(today)(eb) : eb.not(overdueOn(today)(eb)))),
    )

/**
 * One page of a plan's measures in report order (risk, then measure), and how many match in all. The person
 * responsible is left out: the API names units, never people.
 */
export async function listMeasures(db: Db, planId: number, filter: MeasureFilter, page: Page, today: string) {
  const [rows, total] = await Promise.all([
    measuresOf(db, planId, filter, today)
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select((eb) => [
        'measure.id',
        'measure.title',
        'measure.status',
        'measure.due_date as dueDate',
        'risk.id as riskId',
        'risk.title as riskTitle',
        'owner_unit.id as ownerUnitId',
        'owner_unit.name as ownerUnitName',
        overdueOn(today)(eb).as('overdue'),
      ])
      .orderBy('risk.position')
      .orderBy('measure.position')
      .orderBy('measure.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    measuresOf(db, planId, filter, today)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return {
    rows: rows.map((r) => ({ ...r, status: r.status as MeasureStatus, overdue: Boolean(r.overdue) })),
    total: Number(total.n),
  }
}

/** The plan's risks in plan order with their scores and how many measures each has. */
export async function listRisks(db: Db, planId: number) {
  const rows = await db
    .selectFrom('risk')
    .select((eb) => [
      'risk.id',
      'risk.title',
      'risk.description',
      'risk.likelihood',
      'risk.consequence',
      'risk.treatment',
      'risk.scope',
      'risk.municipal_item_id as municipalItemId',
      eb
        .selectFrom('measure')
        .whereRef('measure.risk_id', '=', 'risk.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('measureCount'),
    ])
    .where('risk.plan_id', '=', planId)
    .orderBy('risk.position')
    .orderBy('risk.id')
    .execute()
  return rows.map((r) => ({ ...r, measureCount: Number(r.measureCount) }))
}

/** The committee or company if it belongs to the municipality. */
export async function findCommittee(db: Db, municipalityId: number, id: number) {
  return db
    .selectFrom('committee')
    .select('id')
    .where('id', '=', id)
    .where('municipality_id', '=', municipalityId)
    .executeTakeFirst()
}

/** The administration if it is the municipality's. */
export async function findAdministration(db: Db, municipalityId: number, id: number) {
  return db
    .selectFrom('administration')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('municipality_id', '=', municipalityId)
    .executeTakeFirst()
}
