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

/** Keeps a final report's exact bytes with their SHA-256, numbered within the plan. */
export async function insertReportVersion(
  db: Db,
  version: { planId: number; pdf: Uint8Array; createdAt: string; createdBy: string },
) {
  const sha256 = createHash('sha256').update(version.pdf).digest('hex')
  const versionNumber = (await countReportVersions(db, version.planId)) + 1
  return db
    .insertInto('report_version')
    .values({
      plan_id: version.planId,
      version_number: versionNumber,
      created_at: version.createdAt,
      created_by: version.createdBy,
      sha256,
      byte_size: version.pdf.byteLength,
      pdf: version.pdf,
    })
    .returning(['id', 'version_number'])
    .executeTakeFirstOrThrow()
}
