import type { Db } from '../../db/connection.js'
import { auditCascade, audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { nextPosition } from '../ordering.js'
import { insertReview, updateReview } from '../reviews/repository.js'
import { insertRisk, updateRisk } from '../risks/repository.js'
import { updateVersioned } from '../versioned.js'
import { swedishList } from '../vocabulary.js'
import { type Copy, type ItemValues, listCopies, plansOfYear } from './repository.js'

// An item lives on as copies in the chosen committees' plans of its year: a risk (at the end of the plan's risks)
// and, for a review, its review row. The copies hold the item's words, which only the item changes; everything else
// in them is the committee's own work, which the item may never take away. Every write here is audited, in the
// caller's transaction.

type Item = ItemValues & { id: number; municipality_id: number; year: number }
type PlanOfYear = { id: number; committee_id: number; year: number }

/** The item's words as its copies hold them. */
const riskWords = (item: ItemValues) => ({
  title: item.title,
  description: item.description,
  treatment: item.treatment,
})
const reviewWords = (item: ItemValues) => ({ title: item.title, diary_number: item.diary_number })

/** Refused: the committees named have done their own work in their copies, which un-choosing would delete. */
export class CopiesHoldWorkError extends Error {
  constructor(readonly committees: string[]) {
    super(`Copies hold the committees' own work: ${committees.join(', ')}`)
    this.name = 'CopiesHoldWorkError'
  }
}

/** What a copy holds of the committee's own, in words ("1 åtgärd, resultat"); empty when nothing. */
export function workInCopy(copy: Copy): string[] {
  const measures = Number(copy.measureCount)
  const controls = Number(copy.controlCount)
  return [
    measures > 0 ? `${measures} ${measures === 1 ? 'åtgärd' : 'åtgärder'}` : '',
    controls > 0 ? `${controls} kontrollmoment` : '',
    copy.result ? 'resultat' : '',
    copy.meetingDate !== null || copy.minutesParagraph !== null ? 'beslut' : '',
  ].filter(Boolean)
}

/** The Swedish message for a refused un-choosing or delete. */
export function copiesHoldWorkMessage(committees: string[], deleting: boolean): string {
  const what = deleting ? 'Posten kan inte tas bort' : 'Det går inte att välja bort'
  return `${what}: ${swedishList(committees)} har redan eget arbete i sin plan under den kommungemensamma posten. Ta bort det arbetet i planen först${deleting ? '' : ', eller behåll valet'}.`
}

/** Adds the item's copy to a plan: the risk and, for a review, the review row linked to it. */
async function addCopy(db: Db, actor: Actor, item: Item, planId: number): Promise<void> {
  const riskId = await audited(db, actor, 'create', { entity: 'risk', planId }, async () =>
    insertRisk(db, {
      plan_id: planId,
      ...riskWords(item),
      likelihood: null,
      consequence: null,
      scope: 'municipality_wide',
      position: await nextPosition(db, 'risk', planId),
      previous_risk_id: null,
      municipal_item_id: item.id,
    }),
  )
  if (item.kind !== 'review') return
  await audited(db, actor, 'create', { entity: 'review', planId }, async () =>
    insertReview(db, {
      plan_id: planId,
      risk_id: riskId,
      ...reviewWords(item),
      meeting_date: null,
      minutes_paragraph: null,
      position: await nextPosition(db, 'review', planId),
      municipal_item_id: item.id,
    }),
  )
}

/** Writes the item's words into a copy that holds others (the item was edited), raising the copy's versions. */
async function updateCopy(db: Db, actor: Actor, item: Item, copy: Copy): Promise<void> {
  const words = riskWords(item)
  if (
    copy.riskTitle !== words.title ||
    copy.riskDescription !== words.description ||
    copy.riskTreatment !== words.treatment
  ) {
    await audited(db, actor, 'update', { entity: 'risk', id: copy.riskId, planId: copy.planId }, () =>
      updateRisk(db, copy.riskId, copy.riskVersion, words),
    )
  }
  const reviewId = copy.reviewId
  if (item.kind === 'review' && reviewId === null) {
    // A risk item changed into a review: its copies get their review rows.
    await audited(db, actor, 'create', { entity: 'review', planId: copy.planId }, async () =>
      insertReview(db, {
        plan_id: copy.planId,
        risk_id: copy.riskId,
        ...reviewWords(item),
        meeting_date: null,
        minutes_paragraph: null,
        position: await nextPosition(db, 'review', copy.planId),
        municipal_item_id: item.id,
      }),
    )
  } else if (reviewId !== null && item.kind === 'review') {
    if (copy.reviewTitle !== item.title || copy.reviewDiaryNumber !== item.diary_number) {
      await audited(db, actor, 'update', { entity: 'review', id: reviewId, planId: copy.planId }, () =>
        updateReview(db, reviewId, copy.reviewVersion as number, reviewWords(item)),
      )
    }
  } else if (reviewId !== null) {
    // A review item changed into a risk: the review rows go (the form refuses this when any holds a result).
    await deleteReviewOfCopy(db, actor, copy.planId, reviewId)
  }
}

async function deleteReviewOfCopy(db: Db, actor: Actor, planId: number, reviewId: number) {
  await audited(db, actor, 'delete', { entity: 'review', id: reviewId, planId }, async () => {
    await db.deleteFrom('review').where('id', '=', reviewId).execute()
  })
}

/** Deletes a copy that holds none of the committee's own work (the caller has checked), with its review row. */
async function deleteCopy(db: Db, actor: Actor, copy: Copy): Promise<void> {
  if (copy.reviewId !== null) await deleteReviewOfCopy(db, actor, copy.planId, copy.reviewId)
  await audited(db, actor, 'delete', { entity: 'risk', id: copy.riskId, planId: copy.planId }, async () => {
    // A later year's risk carried over from the copy, or a development area linked to it, loses the link, logged.
    await auditCascade(db, actor, copy.planId, { entity: 'risk', id: copy.riskId })
    await db.deleteFrom('risk').where('id', '=', copy.riskId).execute()
  })
}

/** Refuses, naming them, when any of the copies holds the committee's own work. */
function refuseWork(copies: Copy[]): void {
  const busy = copies.flatMap((c) => {
    const work = workInCopy(c)
    return work.length > 0 ? [`${c.committeeName} (${work.join(', ')})`] : []
  })
  if (busy.length > 0) throw new CopiesHoldWorkError(busy)
}

/** Creates an item for the chosen committees and puts its copy into each one's plan of the year. */
export async function createItem(
  db: Db,
  actor: Actor,
  values: ItemValues & { municipality_id: number; year: number },
  committeeIds: number[],
): Promise<number> {
  const id = await audited(db, actor, 'create', { entity: 'municipal_item', planId: null }, async () => {
    const { id } = await db
      .insertInto('municipal_item')
      .values({ ...values, created_at: actor.at })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (committeeIds.length > 0) {
      await db
        .insertInto('municipal_item_committee')
        .values(committeeIds.map((committee_id) => ({ item_id: id, committee_id })))
        .execute()
    }
    return id
  })
  const item = { ...values, id }
  for (const plan of await plansOfYear(db, committeeIds, values.year)) await addCopy(db, actor, item, plan.id)
  return id
}

/**
 * Saves an edit of an item made on `baseVersion` (a stale edit of the same fields is a ConflictError) and its new
 * choice of committees: every copy gets the new words, a newly chosen committee's plan gets its copy, and an
 * un-chosen committee's copy is deleted. Throws CopiesHoldWorkError, before writing anything, when an un-chosen
 * copy (or, for a review turned into a risk, any copy's review) holds the committee's own work.
 */
export async function updateItem(
  db: Db,
  actor: Actor,
  item: Item,
  baseVersion: number,
  values: ItemValues,
  committeeIds: number[],
): Promise<void> {
  const copies = await listCopies(db, item.id)
  const gone = copies.filter((c) => !committeeIds.includes(c.committeeId))
  refuseWork(gone)
  if (item.kind === 'review' && values.kind === 'risk') {
    refuseWork(copies.filter((c) => c.result || c.meetingDate !== null || c.minutesParagraph !== null))
  }
  await audited(db, actor, 'update', { entity: 'municipal_item', id: item.id, planId: null }, async () => {
    await updateVersioned(db, 'municipal_item', item.id, baseVersion, { ...values })
    await db.deleteFrom('municipal_item_committee').where('item_id', '=', item.id).execute()
    if (committeeIds.length > 0) {
      await db
        .insertInto('municipal_item_committee')
        .values(committeeIds.map((committee_id) => ({ item_id: item.id, committee_id })))
        .execute()
    }
  })
  const saved = { ...item, ...values }
  for (const copy of gone) await deleteCopy(db, actor, copy)
  const kept = copies.filter((c) => committeeIds.includes(c.committeeId))
  for (const copy of kept) await updateCopy(db, actor, saved, copy)
  const copied = new Set(kept.map((c) => c.committeeId))
  for (const plan of await plansOfYear(db, committeeIds, item.year)) {
    if (!copied.has(plan.committee_id)) await addCopy(db, actor, saved, plan.id)
  }
}

/** Deletes an item and its copies; throws CopiesHoldWorkError, writing nothing, when a copy holds work. */
export async function deleteItem(db: Db, actor: Actor, item: Item): Promise<void> {
  const copies = await listCopies(db, item.id)
  refuseWork(copies)
  for (const copy of copies) await deleteCopy(db, actor, copy)
  await audited(db, actor, 'delete', { entity: 'municipal_item', id: item.id, planId: null }, async () => {
    await db.deleteFrom('municipal_item').where('id', '=', item.id).execute()
  })
}

/**
 * Gives a new plan the copies of its year's items that apply to its committee: called wherever a plan is made
 * (the plan form, next year's carry-over, an import), in the same transaction.
 */
export async function applyItemsToPlan(db: Db, actor: Actor, plan: PlanOfYear): Promise<void> {
  const items = await db
    .selectFrom('municipal_item')
    .innerJoin('municipal_item_committee', 'municipal_item_committee.item_id', 'municipal_item.id')
    .selectAll('municipal_item')
    .where('municipal_item_committee.committee_id', '=', plan.committee_id)
    .where('municipal_item.year', '=', plan.year)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('risk')
            .select('risk.id')
            .where('risk.plan_id', '=', plan.id)
            .whereRef('risk.municipal_item_id', '=', 'municipal_item.id'),
        ),
      ),
    )
    .orderBy('municipal_item.id')
    .execute()
  for (const item of items) await addCopy(db, actor, item, plan.id)
}
