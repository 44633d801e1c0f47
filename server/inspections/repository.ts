import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { DevelopmentAreaTable, InspectionTable } from '../../db/schema.js'
import { type Saved, updateVersioned } from '../versioned.js'

const withCommittee = (db: Db) =>
  db
    .selectFrom('inspection')
    .innerJoin('committee', 'committee.id', 'inspection.committee_id')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .selectAll('inspection')
    .select([
      'committee.name as committeeName',
      'administration.id as administrationId',
      'administration.name as administrationName',
      'municipality.name as municipalityName',
    ])

/** Every inspection, or one committee's, newest decision first; the routes keep those the viewer may read. */
export async function listInspections(db: Db, committeeId?: number) {
  let query = withCommittee(db)
  if (committeeId !== undefined) query = query.where('inspection.committee_id', '=', committeeId)
  return query.orderBy('inspection.decision_date', 'desc').orderBy('inspection.id', 'desc').execute()
}

export async function findInspection(db: Db, id: number) {
  return withCommittee(db).where('inspection.id', '=', id).executeTakeFirst()
}

export async function insertInspection(db: Db, inspection: Insertable<InspectionTable>): Promise<number> {
  const { id } = await db.insertInto('inspection').values(inspection).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Saves an edit made on `baseVersion`, merged with someone else's newer change of other fields (updateVersioned). */
export async function updateInspection(
  db: Db,
  id: number,
  baseVersion: number,
  inspection: Updateable<InspectionTable>,
): Promise<Saved> {
  return updateVersioned(db, 'inspection', id, baseVersion, inspection)
}

export async function deleteInspection(db: Db, id: number): Promise<void> {
  await db.deleteFrom('inspection').where('id', '=', id).execute()
}

/** Development areas of the given inspections, in the order of their decision. */
export async function listAreas(db: Db, inspectionIds: number[]) {
  if (inspectionIds.length === 0) return []
  return db
    .selectFrom('development_area')
    .selectAll()
    .where('inspection_id', 'in', inspectionIds)
    .orderBy('inspection_id')
    .orderBy('position')
    .execute()
}

export async function findArea(db: Db, inspectionId: number, areaId: number) {
  return db
    .selectFrom('development_area')
    .selectAll()
    .where('inspection_id', '=', inspectionId)
    .where('id', '=', areaId)
    .executeTakeFirst()
}

export async function insertArea(db: Db, area: Insertable<DevelopmentAreaTable>): Promise<number> {
  const { id } = await db.insertInto('development_area').values(area).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function updateArea(
  db: Db,
  id: number,
  baseVersion: number,
  area: Updateable<DevelopmentAreaTable>,
): Promise<Saved> {
  return updateVersioned(db, 'development_area', id, baseVersion, area)
}

export async function deleteArea(db: Db, id: number): Promise<void> {
  await db.deleteFrom('development_area').where('id', '=', id).execute()
}

export async function nextAreaPosition(db: Db, inspectionId: number): Promise<number> {
  const row = await db
    .selectFrom('development_area')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('inspection_id', '=', inspectionId)
    .executeTakeFirst()
  return Number(row?.max ?? 0) + 1
}

/** The risks of every plan of a committee, newest plan first: what an area may link to. */
export async function listCommitteeRisks(db: Db, committeeId: number) {
  return db
    .selectFrom('risk')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .select(['risk.id', 'risk.title', 'plan.id as planId', 'plan.year as planYear'])
    .where('plan.committee_id', '=', committeeId)
    .orderBy('plan.year', 'desc')
    .orderBy('risk.position')
    .execute()
}

const measuresWithPlan = (db: Db) =>
  db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.id',
      'measure.title',
      'measure.status',
      'measure.due_date',
      'measure.what_to_do',
      'measure.progress',
      'measure.origin_area_id',
      'owner_unit.name as ownerName',
      'plan.id as planId',
      'plan.year as planYear',
    ])

/** The measures of every plan of a committee, newest plan first. */
export async function listCommitteeMeasures(db: Db, committeeId: number) {
  return measuresWithPlan(db)
    .where('plan.committee_id', '=', committeeId)
    .orderBy('plan.year', 'desc')
    .orderBy('risk.position')
    .orderBy('measure.position')
    .execute()
}

/** The risks the given areas are linked to, each with the area's id. */
export async function listLinkedRisks(db: Db, areaIds: number[]) {
  if (areaIds.length === 0) return []
  return db
    .selectFrom('development_area_risk as link')
    .innerJoin('risk', 'risk.id', 'link.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .select(['link.area_id as areaId', 'risk.id', 'risk.title', 'plan.id as planId', 'plan.year as planYear'])
    .where('link.area_id', 'in', areaIds)
    .orderBy('plan.year', 'desc')
    .orderBy('risk.position')
    .execute()
}

/**
 * The measures of the given areas, each with the area's id: those linked to it and those that originate from it
 * (`origin`), once each.
 */
export async function listAreaMeasures(db: Db, areaIds: number[]) {
  if (areaIds.length === 0) return []
  const [linked, originating] = await Promise.all([
    measuresWithPlan(db)
      .innerJoin('development_area_measure as link', 'link.measure_id', 'measure.id')
      .select('link.area_id as areaId')
      .where('link.area_id', 'in', areaIds)
      .orderBy('plan.year', 'desc')
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute(),
    measuresWithPlan(db)
      .where('measure.origin_area_id', 'in', areaIds)
      .orderBy('plan.year', 'desc')
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute(),
  ])
  const fromOrigin = originating.map((m) => ({ ...m, areaId: m.origin_area_id as number, origin: true }))
  const seen = new Set(fromOrigin.map((m) => `${m.areaId}:${m.id}`))
  return [
    ...fromOrigin,
    ...linked.filter((m) => !seen.has(`${m.areaId}:${m.id}`)).map((m) => ({ ...m, origin: false })),
  ]
}

/** Areas with their inspection, for the pages of risks and measures and the plan's offer of open areas. */
const areasWithInspection = (db: Db) =>
  db
    .selectFrom('development_area')
    .innerJoin('inspection', 'inspection.id', 'development_area.inspection_id')
    .selectAll('development_area')
    .select([
      'inspection.committee_id',
      'inspection.title as inspectionTitle',
      'inspection.authority',
      'inspection.principal',
      'inspection.decision_date',
      'inspection.report_sent_date',
      'inspection.follow_up_decision_date',
      'inspection.closed',
    ])

export async function listCommitteeAreas(db: Db, committeeId: number) {
  return areasWithInspection(db)
    .where('inspection.committee_id', '=', committeeId)
    .orderBy('inspection.decision_date', 'desc')
    .orderBy('development_area.position')
    .execute()
}

export async function listAreasOfRisk(db: Db, riskId: number) {
  return areasWithInspection(db)
    .innerJoin('development_area_risk as link', 'link.area_id', 'development_area.id')
    .where('link.risk_id', '=', riskId)
    .orderBy('inspection.decision_date', 'desc')
    .execute()
}

export async function listAreasOfMeasure(db: Db, measureId: number) {
  return areasWithInspection(db)
    .innerJoin('development_area_measure as link', 'link.area_id', 'development_area.id')
    .where('link.measure_id', '=', measureId)
    .orderBy('inspection.decision_date', 'desc')
    .execute()
}

export async function findAreaWithInspection(db: Db, areaId: number) {
  return areasWithInspection(db).where('development_area.id', '=', areaId).executeTakeFirst()
}

/** Links are idempotent: linking twice leaves one link. */
export async function linkRisk(db: Db, areaId: number, riskId: number): Promise<void> {
  await db
    .insertInto('development_area_risk')
    .values({ area_id: areaId, risk_id: riskId })
    .onConflict((oc) => oc.doNothing())
    .execute()
}

export async function unlinkRisk(db: Db, areaId: number, riskId: number): Promise<void> {
  await db.deleteFrom('development_area_risk').where('area_id', '=', areaId).where('risk_id', '=', riskId).execute()
}

export async function linkMeasure(db: Db, areaId: number, measureId: number): Promise<void> {
  await db
    .insertInto('development_area_measure')
    .values({ area_id: areaId, measure_id: measureId })
    .onConflict((oc) => oc.doNothing())
    .execute()
}

export async function unlinkMeasure(db: Db, areaId: number, measureId: number): Promise<void> {
  await db
    .deleteFrom('development_area_measure')
    .where('area_id', '=', areaId)
    .where('measure_id', '=', measureId)
    .execute()
}

/** Measures that originate from an area; their origin is cleared when the area goes. */
export async function listOriginatingMeasures(db: Db, areaId: number) {
  return db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select(['measure.id', 'risk.plan_id as planId'])
    .where('measure.origin_area_id', '=', areaId)
    .execute()
}
