// What the roll-up report needs beyond the roll-up page's figures (repository.ts): the overdue measures and the
// highest risks by name, the municipality-wide items with each committee's copy, and the report's final versions.
// Each is one query over the whole scope, however many committees the municipality has.

import type { Db } from '../../db/connection.js'
import type { MeasureStatus, MunicipalItemKind, RiskTreatment } from '../../db/schema.js'
import { overdueOn } from '../measures/overdue-sql.js'
import { storedPdf } from '../reports/repository.js'
import { plansInScope, type RollupScope } from './repository.js'

/** The measures of the scope's plans that are overdue on `today` (Försenad, isOverdue), by due date. */
export async function listOverdueMeasures(db: Db, scope: RollupScope, today: string) {
  const rows = await plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .innerJoin('measure', 'measure.risk_id', 'risk.id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'plan.id as planId',
      'measure.id',
      'measure.title',
      'measure.status',
      'measure.due_date as dueDate',
      'owner_unit.name as ownerName',
    ])
    .where(overdueOn(today))
    .orderBy('measure.due_date')
    .orderBy('risk.position')
    .orderBy('measure.position')
    .execute()
  return rows.map((r) => ({ ...r, status: r.status as MeasureStatus, dueDate: r.dueDate as string }))
}

/** The scored risks of the scope's plans, highest score first, each plan's in its own order within a score. */
export async function listScoredRisks(db: Db, scope: RollupScope) {
  const rows = await plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .select((eb) => [
      'plan.id as planId',
      'risk.id',
      'risk.title',
      'risk.likelihood',
      'risk.consequence',
      eb('risk.likelihood', '*', eb.ref('risk.consequence')).as('score'),
    ])
    .where('risk.likelihood', 'is not', null)
    .where('risk.consequence', 'is not', null)
    .orderBy('score', 'desc')
    .orderBy('risk.position')
    .execute()
  return rows.map((r) => ({ ...r, score: Number(r.score) }))
}

/** The municipality's items of the year, each with the committees and companies it applies to. */
export async function listItemsWithCommittees(db: Db, municipalityId: number, year: number) {
  const items = await db
    .selectFrom('municipal_item')
    .select(['id', 'kind', 'title', 'description', 'treatment', 'diary_number'])
    .where('municipality_id', '=', municipalityId)
    .where('year', '=', year)
    .orderBy('kind', 'desc') // reviews before risks: the reviews are what each committee reports a result of
    .orderBy('id')
    .execute()
  const chosen =
    items.length === 0
      ? []
      : await db
          .selectFrom('municipal_item_committee')
          .select(['item_id as itemId', 'committee_id as committeeId'])
          .where(
            'item_id',
            'in',
            items.map((i) => i.id),
          )
          .execute()
  return items.map((item) => ({
    ...item,
    kind: item.kind as MunicipalItemKind,
    treatment: item.treatment as RiskTreatment,
    committeeIds: chosen.filter((c) => c.itemId === item.id).map((c) => c.committeeId),
  }))
}

/**
 * The committees' copies of these items in their plans of the year: each copied risk with its scores, its review
 * (for a review item) and its measures.
 */
export async function listItemCopies(db: Db, scope: RollupScope, itemIds: number[]) {
  if (itemIds.length === 0) return { risks: [], reviews: [], measures: [] }
  const [risks, reviews, measures] = await Promise.all([
    plansInScope(db, scope)
      .innerJoin('risk', 'risk.plan_id', 'plan.id')
      .select([
        'plan.id as planId',
        'plan.committee_id as committeeId',
        'risk.id',
        'risk.municipal_item_id as itemId',
        'risk.likelihood',
        'risk.consequence',
      ])
      .where('risk.municipal_item_id', 'in', itemIds)
      .orderBy('risk.position')
      .execute(),
    plansInScope(db, scope)
      .innerJoin('review', 'review.plan_id', 'plan.id')
      .select([
        'plan.id as planId',
        'plan.committee_id as committeeId',
        'review.id',
        'review.municipal_item_id as itemId',
        'review.risk_id as riskId',
        'review.diary_number as diaryNumber',
        'review.meeting_date as meetingDate',
        'review.minutes_paragraph as minutesParagraph',
        'review.result',
      ])
      .where('review.municipal_item_id', 'in', itemIds)
      .orderBy('review.position')
      .execute(),
    plansInScope(db, scope)
      .innerJoin('risk', 'risk.plan_id', 'plan.id')
      .innerJoin('measure', 'measure.risk_id', 'risk.id')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select([
        'risk.id as riskId',
        'measure.id',
        'measure.title',
        'measure.status',
        'measure.due_date as dueDate',
        'owner_unit.name as ownerName',
      ])
      .where('risk.municipal_item_id', 'in', itemIds)
      .orderBy('measure.position')
      .execute(),
  ])
  return {
    risks: risks.map((r) => ({ ...r, itemId: r.itemId as number })),
    reviews: reviews.map((r) => ({ ...r, itemId: r.itemId as number })),
    measures: measures.map((m) => ({ ...m, status: m.status as MeasureStatus })),
  }
}

/** The final versions of the municipality's roll-up report of the year, newest first. */
export async function listRollupReportVersions(db: Db, municipalityId: number, year: number) {
  return db
    .selectFrom('rollup_report_version')
    .select(['id', 'version_number', 'created_at', 'created_by', 'sha256', 'byte_size'])
    .where('municipality_id', '=', municipalityId)
    .where('year', '=', year)
    .orderBy('version_number', 'desc')
    .execute()
}

export async function countRollupReportVersions(db: Db, municipalityId: number, year: number): Promise<number> {
  const row = await db
    .selectFrom('rollup_report_version')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('year', '=', year)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findRollupReportVersion(db: Db, municipalityId: number, year: number, id: number) {
  return db
    .selectFrom('rollup_report_version')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('year', '=', year)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** Keeps a final roll-up report's exact bytes with their SHA-256; returns its id. */
export async function insertRollupReportVersion(
  db: Db,
  version: {
    municipalityId: number
    year: number
    versionNumber: number
    fileName: string
    pdf: Uint8Array
    createdAt: string
    createdBy: string
  },
): Promise<number> {
  const row = await db
    .insertInto('rollup_report_version')
    .values({
      municipality_id: version.municipalityId,
      year: version.year,
      version_number: version.versionNumber,
      created_at: version.createdAt,
      created_by: version.createdBy,
      file_name: version.fileName,
      ...storedPdf(version.pdf),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
