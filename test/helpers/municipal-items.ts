import type { Db } from '../../db/connection.js'
import type { MeasureStatus, MunicipalItemKind } from '../../db/schema.js'
import { audited } from '../../server/audit/audited.js'
import { createItem } from '../../server/municipal/push-down.js'
import { listCopies, plansOfYear } from '../../server/municipal/repository.js'
import { updateReview } from '../../server/reviews/repository.js'
import { updateRisk } from '../../server/risks/repository.js'
import { aMeasure } from './builders.js'

// A municipality-wide item and the committees' follow-up in their copies, made as the coordinator's form and the
// committees' own forms make them (createItem, then audited updates of the copies): the roll-up report reads them.

/** A committee's plan of the year with the demo's ids of the committee and its first owner unit. */
export async function planOfCommittee(db: Db, committee: string, year: number) {
  const plan = await db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select(['plan.id', 'plan.committee_id as committeeId', 'committee.administration_id as administrationId'])
    .where('committee.name', '=', committee)
    .where('plan.year', '=', year)
    .executeTakeFirstOrThrow()
  const unit = await db
    .selectFrom('owner_unit')
    .select(['id', 'name'])
    .where('administration_id', '=', plan.administrationId)
    .orderBy('id')
    .executeTakeFirstOrThrow()
  return { ...plan, unit }
}

export interface ItemCopy {
  planId: number
  likelihood?: number | null
  consequence?: number | null
  /** For a review item: the review's meeting, § and result. */
  meetingDate?: string | null
  minutesParagraph?: number | null
  result?: string
  measures?: { title: string; ownerUnitId: number; status?: MeasureStatus; dueDate?: string | null }[]
}

/**
 * An item of the year applying to these committees, with the committees' follow-up in the given plans' copies.
 * A chosen committee whose plan of the year is not among `copies` has its plan without the copy, as a plan restored
 * from before the item would: the report must say so, though the app itself never leaves a plan so.
 */
export async function aMunicipalItem(
  db: Db,
  item: {
    municipalityId: number
    year: number
    kind?: MunicipalItemKind
    title: string
    description?: string
    diaryNumber?: string
    committeeIds: number[]
    copies: ItemCopy[]
  },
): Promise<number> {
  const kind = item.kind ?? 'review'
  const actor = { userId: null, userName: 'Test', at: `${item.year}-01-10T09:00:00.000Z` }
  const listed = new Set(item.copies.map((c) => c.planId))
  const withoutCopy = (await plansOfYear(db, item.committeeIds, item.year))
    .filter((p) => !listed.has(p.id))
    .map((p) => p.committee_id)
  return db.transaction().execute(async (trx) => {
    const id = await createItem(
      trx,
      actor,
      {
        municipality_id: item.municipalityId,
        year: item.year,
        kind,
        title: item.title,
        description: item.description ?? '',
        treatment: kind === 'review' ? 'review' : 'monitor',
        diary_number: item.diaryNumber ?? '',
      },
      item.committeeIds.filter((c) => !withoutCopy.includes(c)),
    )
    if (withoutCopy.length > 0) {
      await trx
        .insertInto('municipal_item_committee')
        .values(withoutCopy.map((committee_id) => ({ item_id: id, committee_id })))
        .execute()
    }
    const copies = await listCopies(trx, id)
    for (const followUp of item.copies) {
      const copy = copies.find((c) => c.planId === followUp.planId)
      if (!copy) throw new Error(`No copy of ${item.title} in plan ${followUp.planId}: is its committee chosen?`)
      const { planId, riskId, reviewId } = copy
      await audited(trx, actor, 'update', { entity: 'risk', id: riskId, planId }, () =>
        updateRisk(trx, riskId, copy.riskVersion, {
          likelihood: followUp.likelihood === undefined ? 3 : followUp.likelihood,
          consequence: followUp.consequence === undefined ? 3 : followUp.consequence,
        }),
      )
      if (reviewId !== null) {
        await audited(trx, actor, 'update', { entity: 'review', id: reviewId, planId }, () =>
          updateReview(trx, reviewId, copy.reviewVersion as number, {
            meeting_date: followUp.meetingDate ?? null,
            minutes_paragraph: followUp.minutesParagraph ?? null,
            result: followUp.result ?? '',
          }),
        )
      }
      for (const measure of followUp.measures ?? []) {
        await audited(trx, actor, 'create', { entity: 'measure', planId }, () =>
          aMeasure(trx, riskId, measure.ownerUnitId, {
            title: measure.title,
            status: measure.status,
            dueDate: measure.dueDate,
          }),
        )
      }
    }
    return id
  })
}
