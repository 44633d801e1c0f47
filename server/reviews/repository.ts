import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import { prepared } from '../../db/prepared.js'
import type { ReviewTable } from '../../db/schema.js'
import { type Saved, updateVersioned } from '../versioned.js'

/**
 * The plan's reviews in report order, each with the title of the risk it examined and, for a copy of a
 * municipality-wide review, kommunstyrelsen's diary number (null for the committee's own).
 */
export async function listReviews(db: Db, planId: number) {
  return db
    .selectFrom('review')
    .leftJoin('risk', 'risk.id', 'review.risk_id')
    .leftJoin('municipal_item', 'municipal_item.id', 'review.municipal_item_id')
    .selectAll('review')
    .select(['risk.title as riskTitle', 'municipal_item.diary_number as itemDiaryNumber'])
    .where('review.plan_id', '=', planId)
    .orderBy('review.position')
    .execute()
}

// The plan page counts them on every view: prepared once (db/prepared.ts).
const countReviewsOfPlan = prepared((db, planId: number) =>
  db
    .selectFrom('review')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('plan_id', '=', planId),
)

export async function countReviews(db: Db, planId: number): Promise<number> {
  const [row] = await countReviewsOfPlan(db, planId)
  return Number(row?.n ?? 0)
}

export async function findReview(db: Db, planId: number, reviewId: number) {
  return db.selectFrom('review').selectAll().where('plan_id', '=', planId).where('id', '=', reviewId).executeTakeFirst()
}

export async function insertReview(db: Db, review: Insertable<ReviewTable>): Promise<number> {
  const { id } = await db.insertInto('review').values(review).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Saves an edit made on `baseVersion`, merged with someone else's newer change of other fields (updateVersioned). */
export async function updateReview(
  db: Db,
  id: number,
  baseVersion: number,
  review: Updateable<ReviewTable>,
): Promise<Saved> {
  return updateVersioned(db, 'review', id, baseVersion, review)
}

export async function deleteReview(db: Db, id: number): Promise<void> {
  await db.deleteFrom('review').where('id', '=', id).execute()
}
