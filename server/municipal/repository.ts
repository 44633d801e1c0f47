import type { Db } from '../../db/connection.js'
import type { MunicipalItemKind, RiskTreatment } from '../../db/schema.js'

// Kommungemensamma granskningar och risker: the items, the committees they apply to, and their copies in the plans.

export interface ItemValues {
  kind: MunicipalItemKind
  title: string
  description: string
  treatment: RiskTreatment
  diary_number: string
}

export async function findMunicipalItem(db: Db, municipalityId: number, year: number, itemId: number) {
  return db
    .selectFrom('municipal_item')
    .selectAll()
    .where('id', '=', itemId)
    .where('municipality_id', '=', municipalityId)
    .where('year', '=', year)
    .executeTakeFirst()
}

/** The year's items with how many committees and companies each applies to. */
export async function listMunicipalItems(db: Db, municipalityId: number, year: number) {
  return db
    .selectFrom('municipal_item')
    .leftJoin('municipal_item_committee', 'municipal_item_committee.item_id', 'municipal_item.id')
    .select([
      'municipal_item.id',
      'municipal_item.kind',
      'municipal_item.title',
      'municipal_item.diary_number',
      'municipal_item.treatment',
    ])
    .select((eb) => eb.fn.count<number>('municipal_item_committee.committee_id').as('committeeCount'))
    .where('municipal_item.municipality_id', '=', municipalityId)
    .where('municipal_item.year', '=', year)
    .groupBy('municipal_item.id')
    .orderBy('municipal_item.id')
    .execute()
}

/** The municipality's committees and companies, to choose from. */
export async function listCommitteesOf(db: Db, municipalityId: number) {
  return db
    .selectFrom('committee')
    .select(['id', 'name', 'kind'])
    .where('municipality_id', '=', municipalityId)
    .execute()
}

export async function committeeIdsOfItem(db: Db, itemId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('municipal_item_committee')
    .select('committee_id')
    .where('item_id', '=', itemId)
    .orderBy('committee_id')
    .execute()
  return rows.map((r) => r.committee_id)
}

/** The plans of a year of the given committees, one per committee at most. */
export async function plansOfYear(db: Db, committeeIds: number[], year: number) {
  if (committeeIds.length === 0) return []
  return db
    .selectFrom('plan')
    .select(['id', 'committee_id', 'year'])
    .where('committee_id', 'in', committeeIds)
    .where('year', '=', year)
    .execute()
}

/**
 * The copies (a risk in a plan, with its review row for a review) with their committee and what each holds of the
 * committee's own: measures, controls, the review's decision and result, and what else points at the copy's risk,
 * its own reviews, development areas and next year's risk carried over from it, which a delete would unlink.
 */
function copies(db: Db) {
  return db
    .selectFrom('risk')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .leftJoin('review', (join) =>
      join.onRef('review.risk_id', '=', 'risk.id').onRef('review.municipal_item_id', '=', 'risk.municipal_item_id'),
    )
    .select([
      'risk.id as riskId',
      'risk.plan_id as planId',
      'risk.municipal_item_id as itemId',
      'risk.title as riskTitle',
      'risk.description as riskDescription',
      'risk.treatment as riskTreatment',
      'risk.likelihood',
      'risk.consequence',
      'risk.version as riskVersion',
      'plan.title as planTitle',
      'committee.id as committeeId',
      'committee.name as committeeName',
      'committee.kind as committeeKind',
      'review.id as reviewId',
      'review.title as reviewTitle',
      'review.diary_number as reviewDiaryNumber',
      'review.meeting_date as meetingDate',
      'review.minutes_paragraph as minutesParagraph',
      'review.result',
      'review.version as reviewVersion',
    ])
    .select((eb) => [
      eb
        .selectFrom('measure')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('measure.risk_id', '=', 'risk.id')
        .as('measureCount'),
      eb
        .selectFrom('control')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('control.risk_id', '=', 'risk.id')
        .as('controlCount'),
      eb
        .selectFrom('review as own')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('own.risk_id', '=', 'risk.id')
        .where((w) =>
          w.or([
            w('own.municipal_item_id', 'is', null),
            w('own.municipal_item_id', '!=', w.ref('risk.municipal_item_id')),
          ]),
        )
        .as('ownReviewCount'),
      eb
        .selectFrom('development_area_risk')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('development_area_risk.risk_id', '=', 'risk.id')
        .as('areaCount'),
      eb
        .selectFrom('risk as later')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('later.previous_risk_id', '=', 'risk.id')
        .as('laterRiskCount'),
    ])
}

/** Each copy of an item, with its committee. */
export async function listCopies(db: Db, itemId: number) {
  return copies(db).where('risk.municipal_item_id', '=', itemId).execute()
}

/** The copies in a plan, of whichever items. */
export async function listCopiesInPlan(db: Db, planId: number) {
  return copies(db).where('risk.plan_id', '=', planId).where('risk.municipal_item_id', 'is not', null).execute()
}

/** The items of a year that apply to a committee, in the order they were made. */
export async function listItemsFor(db: Db, committeeId: number, year: number) {
  return db
    .selectFrom('municipal_item')
    .innerJoin('municipal_item_committee', 'municipal_item_committee.item_id', 'municipal_item.id')
    .selectAll('municipal_item')
    .where('municipal_item_committee.committee_id', '=', committeeId)
    .where('municipal_item.year', '=', year)
    .orderBy('municipal_item.id')
    .execute()
}

/** The ids of the items of a year that apply to a committee: the copies its plan of that year should hold. */
export async function itemIdsFor(db: Db, committeeId: number, year: number): Promise<number[]> {
  const rows = await db
    .selectFrom('municipal_item')
    .innerJoin('municipal_item_committee', 'municipal_item_committee.item_id', 'municipal_item.id')
    .select('municipal_item.id')
    .where('municipal_item_committee.committee_id', '=', committeeId)
    .where('municipal_item.year', '=', year)
    .execute()
  return rows.map((r) => r.id)
}

export type Copy = Awaited<ReturnType<typeof listCopies>>[number]

/** The measures under an item's copies, for the side-by-side page. */
export async function listMeasuresOfCopies(db: Db, itemId: number) {
  return db
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
    .where('risk.municipal_item_id', '=', itemId)
    .orderBy('measure.position')
    .execute()
}

/** The item a copy in a plan came from, for the words "beslutad av kommunstyrelsen (KS …)". */
export async function findItemOfCopy(db: Db, itemId: number | null) {
  if (itemId === null) return undefined
  return db.selectFrom('municipal_item').select('diary_number').where('id', '=', itemId).executeTakeFirst()
}

/** Kommunstyrelsen's diary number of each of a plan's copies, by the copy's risk id. */
export async function itemDiaryNumbersOfPlan(db: Db, planId: number): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('risk')
    .innerJoin('municipal_item', 'municipal_item.id', 'risk.municipal_item_id')
    .select(['risk.id', 'municipal_item.diary_number'])
    .where('risk.plan_id', '=', planId)
    .execute()
  return new Map(rows.map((r) => [r.id, r.diary_number]))
}
