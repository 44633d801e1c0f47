import type { Db } from '../../db/connection.js'
import { prepared } from '../../db/prepared.js'
import type { NewPlan, PlanUpdate } from '../../db/schema.js'
import { listCommitteesWithAdministration } from '../organisation/repository.js'
import { type Saved, updateVersioned } from '../versioned.js'

/** The plans of these committees (all when undefined, for the administrator), with how many risks and measures. */
export async function listPlans(db: Db, committeeIds: readonly number[] | undefined) {
  if (committeeIds?.length === 0) return []
  return db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .select((eb) => [
      'plan.id',
      'plan.year',
      'plan.title',
      'committee.id as committeeId',
      'committee.name as committeeName',
      'municipality.name as municipalityName',
      eb
        .selectFrom('risk')
        .whereRef('risk.plan_id', '=', 'plan.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('riskCount'),
      eb
        .selectFrom('measure')
        .innerJoin('risk', 'risk.id', 'measure.risk_id')
        .whereRef('risk.plan_id', '=', 'plan.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('measureCount'),
    ])
    .$if(committeeIds !== undefined, (q) => q.where('plan.committee_id', 'in', committeeIds as number[]))
    .orderBy('plan.year', 'desc')
    .execute()
}

/** The plan with what its pages name it by; every page below /planer/:planId reads it first (prepared once). */
const findPlanById = prepared((db, id: number) =>
  db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .selectAll('plan')
    .select([
      'committee.name as committeeName',
      'committee.kind as committeeKind',
      'administration.id as administrationId',
      'administration.name as administrationName',
      'administration.diary_prefix as diaryPrefix',
      'municipality.name as municipalityName',
    ])
    .where('plan.id', '=', id),
)

export async function findPlan(db: Db, id: number) {
  return (await findPlanById(db, id))[0]
}

/** The committees a person keeps as secretary: the only ones they may register plans and inspections for. */
export async function listOwnCommittees(db: Db, viewer: { secretaryOf: ReadonlySet<number> }) {
  return (await listCommitteesWithAdministration(db)).filter((c) => viewer.secretaryOf.has(c.id))
}

/** Another plan of the same committee and year, which the unique rule forbids. */
export async function findClashingPlan(db: Db, committeeId: number, year: number, exceptId: number | null) {
  let query = db.selectFrom('plan').select('id').where('committee_id', '=', committeeId).where('year', '=', year)
  if (exceptId !== null) query = query.where('id', '!=', exceptId)
  return query.executeTakeFirst()
}

export async function insertPlan(db: Db, plan: NewPlan): Promise<number> {
  const { id } = await db.insertInto('plan').values(plan).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Saves an edit made on `baseVersion`, merged with someone else's newer change of other fields (updateVersioned). */
export async function updatePlan(db: Db, id: number, baseVersion: number, plan: PlanUpdate): Promise<Saved> {
  return updateVersioned(db, 'plan', id, baseVersion, plan)
}

export async function deletePlan(db: Db, id: number): Promise<void> {
  await db.deleteFrom('plan').where('id', '=', id).execute()
}

/** What a plan's deletion takes with it. */
export async function countPlanContents(db: Db, id: number) {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('risk').where('plan_id', '=', id).select(eb.fn.countAll<number>().as('n')).as('risks'),
      eb
        .selectFrom('risk')
        .where('plan_id', '=', id)
        .where('municipal_item_id', 'is not', null)
        .select(eb.fn.countAll<number>().as('n'))
        .as('copies'),
      eb.selectFrom('review').where('plan_id', '=', id).select(eb.fn.countAll<number>().as('n')).as('reviews'),
      eb
        .selectFrom('measure')
        .innerJoin('risk', 'risk.id', 'measure.risk_id')
        .where('risk.plan_id', '=', id)
        .select(eb.fn.countAll<number>().as('n'))
        .as('measures'),
    ])
    .executeTakeFirstOrThrow()
  return {
    risks: Number(row.risks),
    /** Of the risks, the copies of municipality-wide items, which follow the plan's committee and year. */
    copies: Number(row.copies),
    reviews: Number(row.reviews),
    measures: Number(row.measures),
  }
}
