import { createHash } from 'node:crypto'
import type { Db } from '../../db/connection.js'

export async function listReportVersions(db: Db, planId: number) {
  return db
    .selectFrom('report_version')
    .select(['id', 'version_number', 'created_at', 'created_by', 'sha256', 'byte_size'])
    .where('plan_id', '=', planId)
    .orderBy('version_number', 'desc')
    .execute()
}

/** The final versions of these plans' reports, newest first within each plan. */
export async function listFinalReports(db: Db, planIds: number[]) {
  if (planIds.length === 0) return []
  return db
    .selectFrom('report_version')
    .select(['id', 'plan_id', 'version_number', 'created_at', 'byte_size'])
    .where('plan_id', 'in', planIds)
    .orderBy('plan_id')
    .orderBy('version_number', 'desc')
    .execute()
}

export async function findReportVersion(db: Db, planId: number, versionId: number) {
  return db
    .selectFrom('report_version')
    .selectAll()
    .where('plan_id', '=', planId)
    .where('id', '=', versionId)
    .executeTakeFirst()
}

export async function countReportVersions(db: Db, planId: number): Promise<number> {
  const row = await db
    .selectFrom('report_version')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('plan_id', '=', planId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Keeps a final report's exact bytes with their SHA-256. */
export async function insertReportVersion(
  db: Db,
  version: {
    planId: number
    versionNumber: number
    fileName: string
    pdf: Uint8Array
    createdAt: string
    createdBy: string
  },
) {
  return db
    .insertInto('report_version')
    .values({
      plan_id: version.planId,
      version_number: version.versionNumber,
      created_at: version.createdAt,
      created_by: version.createdBy,
      file_name: version.fileName,
      sha256: createHash('sha256').update(version.pdf).digest('hex'),
      byte_size: version.pdf.byteLength,
      pdf: version.pdf,
    })
    .returning(['id', 'version_number'])
    .executeTakeFirstOrThrow()
}

// Records outside any plan whose names the report prints: its cover's organisation and its measures' owners.
const namesInReport = ['municipality', 'administration', 'committee', 'owner_unit']

/**
 * Whether the report may read differently from this final version, as far as the audit log tells: a change logged
 * since the version was stored in the plan, in the plans its risks came from (which "since last year" reads), in the
 * committee's external inspections, or in a name the report prints.
 * A version older than its log counts as changed, so a report is never called final when that cannot be told.
 */
export async function changedSince(db: Db, plan: { id: number; committee_id: number }, versionId: number) {
  const stored = await db
    .selectFrom('audit_event')
    .select('id')
    .where('entity', '=', 'report_version')
    .where('entity_id', '=', versionId)
    .executeTakeFirst()
  if (!stored) return true
  const later = await db
    .selectFrom('audit_event')
    .select('id')
    .where('id', '>', stored.id)
    .where('entity', '!=', 'report_version')
    .where((eb) =>
      eb.or([
        eb('plan_id', '=', plan.id),
        eb(
          'plan_id',
          'in',
          eb
            .selectFrom('risk as current')
            .innerJoin('risk as earlier', 'earlier.id', 'current.previous_risk_id')
            .where('current.plan_id', '=', plan.id)
            .select('earlier.plan_id'),
        ),
        eb('committee_id', '=', plan.committee_id),
        eb('entity', 'in', namesInReport),
      ]),
    )
    .limit(1)
    .executeTakeFirst()
  return later !== undefined
}
