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

/** A final version's file as its row keeps it, the committees' and the roll-up's alike: exact bytes, SHA-256, size. */
export const storedPdf = (pdf: Uint8Array) => ({
  sha256: createHash('sha256').update(pdf).digest('hex'),
  byte_size: pdf.byteLength,
  pdf,
})

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
    /** The plan's open-data document frozen with this version, given its PDF's SHA-256 (frozenOpenData). */
    openData?: (sha256: string) => string
  },
) {
  const stored = storedPdf(version.pdf)
  return db
    .insertInto('report_version')
    .values({
      plan_id: version.planId,
      version_number: version.versionNumber,
      created_at: version.createdAt,
      created_by: version.createdBy,
      file_name: version.fileName,
      ...stored,
      open_data: version.openData?.(stored.sha256) ?? null,
    })
    .returning(['id', 'version_number'])
    .executeTakeFirstOrThrow()
}
