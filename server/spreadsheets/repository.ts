import type { Db } from '../../db/connection.js'
import type { Mapping } from './import/mapping.js'
import type { FileFormat, ParsedSheet, PlanSheet } from './import/parse.js'

/** How long an uploaded file waits for its import. */
const keptMs = 24 * 60 * 60 * 1000

export interface PendingImport {
  id: number
  committeeId: number
  year: number
  title: string
  fileName: string
  format: FileFormat
  sheets: ParsedSheet[]
  planSheet: PlanSheet | null
  mapping: Mapping
}

/** Stores an upload for its owner, and deletes everyone's uploads that have waited too long. */
export async function insertImport(
  db: Db,
  userId: number,
  now: Date,
  upload: Omit<PendingImport, 'id'>,
): Promise<number> {
  await db
    .deleteFrom('spreadsheet_import')
    .where('created_at', '<', new Date(now.getTime() - keptMs).toISOString())
    .execute()
  const { id } = await db
    .insertInto('spreadsheet_import')
    .values({
      user_id: userId,
      created_at: now.toISOString(),
      committee_id: upload.committeeId,
      year: upload.year,
      title: upload.title,
      file_name: upload.fileName,
      format: upload.format,
      sheets: JSON.stringify(upload.sheets),
      plan_sheet: upload.planSheet && JSON.stringify(upload.planSheet),
      mapping: JSON.stringify(upload.mapping),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** The person's own upload, unless it has waited too long. */
export async function findImport(db: Db, userId: number, id: number, now: Date): Promise<PendingImport | undefined> {
  const row = await db
    .selectFrom('spreadsheet_import')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('created_at', '>=', new Date(now.getTime() - keptMs).toISOString())
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    committeeId: row.committee_id,
    year: row.year,
    title: row.title,
    fileName: row.file_name,
    format: row.format === 'csv' ? 'csv' : 'xlsx',
    sheets: JSON.parse(row.sheets) as ParsedSheet[],
    planSheet: row.plan_sheet === null ? null : (JSON.parse(row.plan_sheet) as PlanSheet),
    mapping: JSON.parse(row.mapping) as Mapping,
  }
}

export async function saveMapping(db: Db, id: number, mapping: Mapping): Promise<void> {
  await db
    .updateTable('spreadsheet_import')
    .set({ mapping: JSON.stringify(mapping) })
    .where('id', '=', id)
    .execute()
}

export async function deleteImport(db: Db, id: number): Promise<void> {
  await db.deleteFrom('spreadsheet_import').where('id', '=', id).execute()
}

/** The administration whose owner units a committee's measures belong to. */
export async function findAdministrationOf(db: Db, committeeId: number) {
  return db
    .selectFrom('committee')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .select(['administration.id', 'administration.name'])
    .where('committee.id', '=', committeeId)
    .executeTakeFirstOrThrow()
}
