import type { Db } from '../../db/connection.js'
import { auditCascade, audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { ConflictError } from '../errors.js'
import { nextPosition } from '../ordering.js'
import { insertReview, updateReview } from '../reviews/repository.js'
import { insertRisk, updateRisk } from '../risks/repository.js'
import { type Saved, updateVersioned } from '../versioned.js'
import { swedishList } from '../vocabulary.js'
import {
  type Copy,
  committeeIdsOfItem,
  type ItemValues,
  itemIdsFor,
  listCopies,
  listCopiesInPlan,
  plansOfYear,
} from './repository.js'
import { workInCopy } from './work-in-copy.js'

// An item lives on as copies in the chosen committees' plans of its year: a risk (at the end of the plan's risks)
// and, for a review, its review row. The copies hold the item's words, which only the item changes; everything else
// in them is the committee's own work, which the item may never take away. Every write here is audited, in the
// caller's transaction.

export type Item = ItemValues & { id: number; municipality_id: number; year: number }
type PlanOfYear = { id: number; committee_id: number; year: number }

/** The item's words as its copies hold them. */
const riskWords = (item: ItemValues) => ({
  title: item.title,
  description: item.description,
  treatment: item.treatment,
})
const reviewWords = (item: ItemValues) => ({ title: item.title, diary_number: item.diary_number })

/**
 * The columns that make a risk the item's copy: for a new copy here, and for an import that writes the copy from a
 * sheet's row (the row's scores, measures and controls are the committee's own; the words are the item's).
 */
export const riskCopyColumns = (item: Item) => ({
  ...riskWords(item),
  scope: 'municipality_wide' as const,
  municipal_item_id: item.id,
})
/** The columns that make a review row a review item's copy. */
export const reviewCopyColumns = (item: Item) => ({ ...reviewWords(item), municipal_item_id: item.id })

/**
 * Refused: the copies named (by committee, or by item for a plan's own copies) hold the committee's own work, which
 * deleting them would take away.
 */
export class CopiesHoldWorkError extends Error {
  constructor(readonly busy: string[]) {
    super(`Copies hold the committees' own work: ${busy.join(', ')}`)
    this.name = 'CopiesHoldWorkError'
  }
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
      ...riskCopyColumns(item),
      likelihood: null,
      consequence: null,
      position: await nextPosition(db, 'risk', planId),
      previous_risk_id: null,
    }),
  )
  if (item.kind === 'review') await addReviewCopy(db, actor, item, planId, riskId)
}

/** The review row of a review item's copy, linked to the copy's risk. */
async function addReviewCopy(db: Db, actor: Actor, item: Item, planId: number, riskId: number): Promise<void> {
  await audited(db, actor, 'create', { entity: 'review', planId }, async () =>
    insertReview(db, {
      plan_id: planId,
      risk_id: riskId,
      ...reviewCopyColumns(item),
      meeting_date: null,
      minutes_paragraph: null,
      position: await nextPosition(db, 'review', planId),
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
    await addReviewCopy(db, actor, item, copy.planId, copy.riskId)
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

/** Refuses, naming each by its committee (or as `name` says), when any of the copies holds the committee's own work. */
function refuseWork(copies: Copy[], name = (c: Copy) => c.committeeName): void {
  const busy = copies.flatMap((c) => {
    const work = workInCopy(c)
    return work.length > 0 ? [`${name(c)} (${work.join(', ')})`] : []
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

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((id, i) => id === b[i])

/**
 * The committees an edit leaves the item with. `shown` is the choice the form was opened with (null from a form that
 * did not carry it): when the user left it as shown, someone else's newer choice stays; when only the user changed
 * it, theirs is written; when both changed it differently, the edit is refused as any stale edit of one field is.
 */
function chosenCommittees(
  itemId: number,
  baseVersion: number,
  stored: number[],
  posted: number[],
  shown: number[] | null,
): number[] {
  if (shown === null || sameIds(stored, shown) || sameIds(stored, posted)) return posted
  if (sameIds(posted, shown)) return stored
  throw new ConflictError('municipal_item', itemId, baseVersion, [
    { field: 'committees', theirs: stored, mine: posted },
  ])
}

/**
 * Saves an edit of an item made on `baseVersion` (a stale edit is merged field by field, or is a ConflictError where
 * both changed the same field, the choice of committees included) and its choice of committees: every copy gets the
 * item's words as saved, a newly chosen committee's plan gets its copy, and an un-chosen committee's copy is deleted.
 * Throws CopiesHoldWorkError when an un-chosen copy (or, for a review turned into a risk, any copy's review) holds the
 * committee's own work; the caller's transaction then writes nothing.
 */
export async function updateItem(
  db: Db,
  actor: Actor,
  itemId: number,
  baseVersion: number,
  values: ItemValues,
  committees: { posted: number[]; shown: number[] | null },
): Promise<Saved> {
  const stored = await committeeIdsOfItem(db, itemId)
  const committeeIds = chosenCommittees(itemId, baseVersion, stored, committees.posted, committees.shown)
  const saved = await audited(db, actor, 'update', { entity: 'municipal_item', id: itemId, planId: null }, async () => {
    const saved = await updateVersioned(db, 'municipal_item', itemId, baseVersion, { ...values })
    if (!sameIds(committeeIds, stored)) {
      await db.deleteFrom('municipal_item_committee').where('item_id', '=', itemId).execute()
      await db
        .insertInto('municipal_item_committee')
        .values(committeeIds.map((committee_id) => ({ item_id: itemId, committee_id })))
        .execute()
    }
    return saved
  })
  // The item as saved, someone else's newer change merged in: its words, not the form's, go into the copies.
  const item = await db.selectFrom('municipal_item').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow()
  const copies = await listCopies(db, itemId)
  const gone = copies.filter((c) => !committeeIds.includes(c.committeeId))
  refuseWork(gone)
  if (item.kind === 'risk') {
    refuseWork(
      copies.filter((c) => c.reviewId !== null && (c.result || c.meetingDate !== null || c.minutesParagraph !== null)),
    )
  }
  for (const copy of gone) await deleteCopy(db, actor, copy)
  const kept = copies.filter((c) => committeeIds.includes(c.committeeId))
  for (const copy of kept) await updateCopy(db, actor, item, copy)
  const copied = new Set(kept.map((c) => c.committeeId))
  for (const plan of await plansOfYear(db, committeeIds, item.year)) {
    if (!copied.has(plan.committee_id)) await addCopy(db, actor, item, plan.id)
  }
  // Someone else's newer choice of committees is told as a merged change too.
  if (saved.merged && committees.shown !== null && !sameIds(stored, committees.shown)) {
    return { ...saved, merged: { ...saved.merged, fields: [...saved.merged.fields, 'committees'] } }
  }
  return saved
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

/**
 * Brings a plan whose year or committee was just changed to the copies of its new year's and committee's items: a
 * copy of an item that no longer applies goes, and the items that now apply come in. Throws CopiesHoldWorkError,
 * naming the items, when a copy that would go holds the committee's own work; the caller's transaction then writes
 * nothing.
 */
export async function reapplyItemsToPlan(db: Db, actor: Actor, plan: PlanOfYear): Promise<void> {
  const applying = new Set(await itemIdsFor(db, plan.committee_id, plan.year))
  const stale = (await listCopiesInPlan(db, plan.id)).filter((c) => !applying.has(c.itemId as number))
  refuseWork(stale, (c) => `”${c.riskTitle}”`)
  for (const copy of stale) await deleteCopy(db, actor, copy)
  await applyItemsToPlan(db, actor, plan)
}
