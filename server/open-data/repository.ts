import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'

// A plan is public when its secretary has marked it so and it is adopted (`isPublic` in document.ts): the same two
// conditions in SQL here, so that no query can offer what the routes would refuse.

const publishedPlans = (db: Db) =>
  db.selectFrom('plan').where('plan.published_at', 'is not', null).where('plan.adopted_meeting_date', 'is not', null)

/** The published plans for the index, by municipality, committee and year, with their final reports' copies. */
export async function listPublishedPlans(db: Db) {
  const [plans, reports] = await Promise.all([
    publishedPlans(db)
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
      .select([
        'plan.id',
        'plan.year',
        'plan.title',
        'plan.adopted_meeting_date',
        'committee.id as committeeId',
        'committee.name as committeeName',
        'committee.kind as committeeKind',
        'municipality.id as municipalityId',
        'municipality.name as municipalityName',
      ])
      .execute(),
    db
      .selectFrom('report_version')
      .select(['plan_id', 'version_number', 'created_at'])
      .where('plan_id', 'in', publishedPlans(db).select('plan.id'))
      .where('open_data', 'is not', null)
      .orderBy('version_number', 'desc')
      .execute(),
  ])
  return { plans, reports }
}

/** What the public routes need of a plan: whether it is public, and the names its file is called by. */
export async function findPlanForOpenData(db: Db, planId: number) {
  return db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select([
      'plan.id',
      'plan.title',
      'plan.published_at',
      'plan.adopted_meeting_date',
      'committee.name as committeeName',
    ])
    .where('plan.id', '=', planId)
    .executeTakeFirst()
}

/** The copy frozen with a final version of the plan's report; undefined when there is none (older versions). */
export async function findFrozenCopy(db: Db, planId: number, versionNumber: number) {
  const row = await db
    .selectFrom('report_version')
    .select(['open_data'])
    .where('plan_id', '=', planId)
    .where('version_number', '=', versionNumber)
    .where('open_data', 'is not', null)
    .executeTakeFirst()
  return row?.open_data ?? undefined
}

/** The version numbers of the plan's final reports that have an open-data copy, newest first. */
export async function listFrozenCopies(db: Db, planId: number) {
  return db
    .selectFrom('report_version')
    .select(['version_number', 'created_at'])
    .where('plan_id', '=', planId)
    .where('open_data', 'is not', null)
    .orderBy('version_number', 'desc')
    .execute()
}

/**
 * Marks an adopted plan public (a time), or a public one not (null); whether it changed the plan. The condition is in
 * the update, so of two clicks at once one changes the plan and the other finds it done: the plan keeps the first
 * publication's time and the log one event. The version is raised as by any change of the plan, so a form opened
 * before it merges rather than taking the change for its own; nothing else of the plan is touched.
 */
export async function setPublished(db: Db, planId: number, publishedAt: string | null): Promise<boolean> {
  const result = await db
    .updateTable('plan')
    .set({ published_at: publishedAt, version: sql<number>`version + 1` })
    .where('id', '=', planId)
    .$if(publishedAt !== null, (q) => q.where('published_at', 'is', null).where('adopted_meeting_date', 'is not', null))
    .$if(publishedAt === null, (q) => q.where('published_at', 'is not', null))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
