// The roll-up's figures for a municipality's plans of one year. Each question is one query grouped by plan (or by
// risk matrix cell) over all of the municipality's plans of the year, so the page costs the same few queries
// whether the municipality has two committees or forty.

import { type ExpressionBuilder, sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { CommitteeKind, Database } from '../../db/schema.js'
import { lightCountColumns, lightPerControl } from '../controls/overview.js'
import { overdueOn, statusCounts } from '../measures/overdue-sql.js'
import { swedishOrder } from '../vocabulary.js'

/** Which of the municipality's plans of the year: all, or those of one administration's committees and companies. */
export interface RollupScope {
  municipalityId: number
  year: number
  administrationId: number | null
}

export async function findMunicipality(db: Db, id: number) {
  return db.selectFrom('municipality').select(['id', 'name']).where('id', '=', id).executeTakeFirst()
}

export async function listAdministrationsOf(db: Db, municipalityId: number) {
  return db
    .selectFrom('administration')
    .select(['id', 'name'])
    .where('municipality_id', '=', municipalityId)
    .orderBy('name')
    .execute()
}

const inScope = (scope: RollupScope) => (eb: ExpressionBuilder<Database, 'committee'>) =>
  eb.and([
    eb('committee.municipality_id', '=', scope.municipalityId),
    ...(scope.administrationId === null ? [] : [eb('committee.administration_id', '=', scope.administrationId)]),
  ])

/** The plans of the scope: what the measure, risk and control queries start from, here and in report-repository.ts. */
export const plansInScope = (db: Db, scope: RollupScope) =>
  db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .where('plan.year', '=', scope.year)
    .where(inScope(scope))

/**
 * Every committee and company of the scope, with its plan of the year if it has one (a committee has at most one
 * per year) and that plan's latest final follow-up report.
 */
export async function listCommitteePlans(db: Db, scope: RollupScope) {
  const rows = await db
    .selectFrom('committee')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .leftJoin('plan', (join) => join.onRef('plan.committee_id', '=', 'committee.id').on('plan.year', '=', scope.year))
    .leftJoin('report_version', (join) =>
      join.onRef('report_version.plan_id', '=', 'plan.id').on((eb) =>
        eb(
          'report_version.version_number',
          '=',
          eb
            .selectFrom('report_version as latest')
            .select((l) => l.fn.max('latest.version_number').as('n'))
            .whereRef('latest.plan_id', '=', 'plan.id'),
        ),
      ),
    )
    .select([
      'committee.id as committeeId',
      'committee.name as committeeName',
      'committee.kind as kind',
      'administration.id as administrationId',
      'administration.name as administrationName',
      'plan.id as planId',
      'plan.title as planTitle',
      'plan.adopted_meeting_date as adoptedMeetingDate',
      'plan.adopted_minutes_paragraph as adoptedMinutesParagraph',
      'plan.adopted_diary_number as adoptedDiaryNumber',
      'report_version.id as reportVersionId',
      'report_version.version_number as reportVersionNumber',
      'report_version.created_at as reportCreatedAt',
    ])
    .where(inScope(scope))
    .execute()
  return rows.map((r) => ({ ...r, kind: r.kind as CommitteeKind }))
}

/** Per plan and status: how many measures, and how many of them are overdue on `today` (Försenad, isOverdue). */
export async function countMeasures(db: Db, scope: RollupScope, today: string) {
  const rows = await plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .innerJoin('measure', 'measure.risk_id', 'risk.id')
    .select((eb) => [
      'plan.id as planId',
      'measure.status as status',
      eb.fn.countAll<number>().as('count'),
      eb.fn.countAll<number>().filterWhere(overdueOn(today)).as('overdue'),
    ])
    .groupBy(['plan.id', 'measure.status'])
    .execute()
  return statusCounts(rows)
}

/** Per plan with controls: how many controls show each traffic light on `today`. */
export async function countLights(db: Db, scope: RollupScope, today: string) {
  const lights = lightPerControl(db, (eb) => eb('plan.id', 'in', plansInScope(db, scope).select('plan.id')), today)
  const rows = await db
    .selectFrom(lights)
    .select((eb) => ['lights.planId', ...lightCountColumns(eb)])
    .groupBy('lights.planId')
    .execute()
  return rows.map((r) => ({
    planId: r.planId,
    green: Number(r.green),
    yellow: Number(r.yellow),
    red: Number(r.red),
    total: Number(r.total),
  }))
}

/** Per plan with a scored risk: the highest risk score (likelihood × consequence). */
export async function highestRiskScores(db: Db, scope: RollupScope) {
  const rows = await plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .select((eb) => [
      'plan.id as planId',
      eb.fn.max(eb('risk.likelihood', '*', eb.ref('risk.consequence'))).as('score'),
    ])
    .where('risk.likelihood', 'is not', null)
    .where('risk.consequence', 'is not', null)
    .groupBy('plan.id')
    .execute()
  return rows.map((r) => ({ planId: r.planId, score: Number(r.score) }))
}

/** The scored risks of the scope's plans per likelihood × consequence cell, and how many are not scored. */
export async function countRisksPerCell(db: Db, scope: RollupScope) {
  const rows = await plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .select((eb) => ['risk.likelihood', 'risk.consequence', eb.fn.countAll<number>().as('count')])
    .groupBy(['risk.likelihood', 'risk.consequence'])
    .execute()
  return rows.map((r) => ({ likelihood: r.likelihood, consequence: r.consequence, count: Number(r.count) }))
}

/** The scope's committees and companies by id, in the sv-SE order of their names (a bounded list: tens at most). */
async function committeesInSwedishOrder(db: Db, scope: RollupScope): Promise<number[]> {
  const rows = await db.selectFrom('committee').select(['id', 'name']).where(inScope(scope)).execute()
  return rows.sort((a, b) => swedishOrder.compare(a.name, b.name)).map((c) => c.id)
}

/**
 * The scored risks of the scope's plans in one likelihood × consequence cell, by committee (sv-SE order of names)
 * and plan order: what a matrix cell's count stands for. At most `limit`, cut in the order shown; the cell's count
 * says how many there are in all.
 */
export async function listRisksInCell(
  db: Db,
  scope: RollupScope,
  cell: { likelihood: number; consequence: number },
  limit: number,
) {
  const order = await committeesInSwedishOrder(db, scope)
  // SQL sorts names by bytes (Ö before Å); each committee's rank carries the Swedish order into the query, so the
  // limit cuts the list where the page would.
  const rank =
    order.length === 0
      ? sql<number>`0`
      : sql<number>`case ${sql.join(
          order.map((id, i) => sql`when ${sql.ref('committee.id')} = ${id} then ${i}`),
          sql` `,
        )} end`
  return plansInScope(db, scope)
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .select([
      'risk.id',
      'risk.title',
      'risk.municipal_item_id as municipalItemId',
      'plan.id as planId',
      'committee.name as committeeName',
      'committee.kind',
    ])
    .where('risk.likelihood', '=', cell.likelihood)
    .where('risk.consequence', '=', cell.consequence)
    .orderBy(rank)
    .orderBy('risk.position')
    .limit(limit)
    .execute()
}
