import type { Db } from '../../db/connection.js'
import type { MeasureStatus, MunicipalItemKind } from '../../db/schema.js'
import { nextPosition } from '../../server/ordering.js'
import { insertReview } from '../../server/reviews/repository.js'
import { insertRisk } from '../../server/risks/repository.js'
import { aMeasure } from './builders.js'

// A municipality-wide item and the committees' copies of it, written straight into the tables as the push-down
// (branch municipal) leaves them: the roll-up report reads them, whoever wrote them.

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

/** An item of the year applying to these committees, with a copy in each of the given plans. */
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
  const { id } = await db
    .insertInto('municipal_item')
    .values({
      municipality_id: item.municipalityId,
      year: item.year,
      kind,
      title: item.title,
      description: item.description ?? '',
      treatment: kind === 'review' ? 'review' : 'monitor',
      diary_number: item.diaryNumber ?? '',
      created_at: `${item.year}-01-10T09:00:00.000Z`,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  if (item.committeeIds.length > 0) {
    await db
      .insertInto('municipal_item_committee')
      .values(item.committeeIds.map((committee_id) => ({ item_id: id, committee_id })))
      .execute()
  }
  for (const copy of item.copies) {
    const riskId = await insertRisk(db, {
      plan_id: copy.planId,
      title: item.title,
      description: item.description ?? '',
      likelihood: copy.likelihood === undefined ? 3 : copy.likelihood,
      consequence: copy.consequence === undefined ? 3 : copy.consequence,
      treatment: kind === 'review' ? 'review' : 'monitor',
      scope: 'municipality_wide',
      position: await nextPosition(db, 'risk', copy.planId),
      previous_risk_id: null,
      municipal_item_id: id,
    })
    if (kind === 'review') {
      await insertReview(db, {
        plan_id: copy.planId,
        risk_id: riskId,
        diary_number: item.diaryNumber ?? '',
        title: item.title,
        meeting_date: copy.meetingDate ?? null,
        minutes_paragraph: copy.minutesParagraph ?? null,
        position: await nextPosition(db, 'review', copy.planId),
        municipal_item_id: id,
        result: copy.result ?? '',
      })
    }
    for (const measure of copy.measures ?? []) {
      await aMeasure(db, riskId, measure.ownerUnitId, {
        title: measure.title,
        status: measure.status,
        dueDate: measure.dueDate,
      })
    }
  }
  return id
}
