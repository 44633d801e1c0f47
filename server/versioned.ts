import { type Kysely, sql } from 'kysely'
import type { Db } from '../db/connection.js'
import { ConflictError } from './errors.js'

export type Versioned = 'plan' | 'risk' | 'review' | 'measure' | 'inspection' | 'development_area'

/**
 * Updates a record only if it is still at the version the form was based on, and raises its version;
 * otherwise nothing is written and the edit is refused with a ConflictError.
 */
export async function updateVersioned(
  db: Db,
  entity: Versioned,
  id: number,
  baseVersion: number,
  changes: Record<string, unknown>,
): Promise<void> {
  // Kysely cannot type one query over a union of tables; the table names are constants.
  const result = await (db as unknown as Kysely<Record<Versioned, { id: number; version: number }>>)
    .updateTable(entity)
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', baseVersion)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) throw new ConflictError(entity, id, baseVersion)
}
