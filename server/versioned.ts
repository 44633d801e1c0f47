import type { Response } from 'express'
import { type Kysely, sql } from 'kysely'
import type { Db } from '../db/connection.js'
import { sameValue } from './audit/values.js'
import { fieldLabel } from './audit/view-model.js'
import { type Clash, ConflictError } from './errors.js'
import { setNotice } from './notice.js'
import { swedishList } from './vocabulary.js'

export type Versioned =
  | 'plan'
  | 'risk'
  | 'review'
  | 'measure'
  | 'inspection'
  | 'development_area'
  | 'control'
  | 'control_run'
  | 'control_deviation'
  | 'municipal_item'

/** What a save wrote; `merged` when it was based on an older version and kept someone else's newer change. */
export interface Saved {
  written: Record<string, unknown>
  merged?: { by: string[]; fields: string[] }
}

type Row = Record<string, unknown> & { id: number; version: number }
// Kysely cannot type one query over a union of tables; the table names are constants.
const tables = (db: Db) => db as unknown as Kysely<Record<Versioned, Row>>

async function write(db: Db, entity: Versioned, id: number, version: number, changes: Record<string, unknown>) {
  const result = await tables(db)
    .updateTable(entity)
    .set({ ...changes, version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * Updates a record if it is still at the version the form was based on, and raises its version. A form opened
 * before someone else's save is merged when the two changed different fields: only the fields this form changed
 * are written over the newer record. Where both changed the same field, nothing is written: a ConflictError
 * names each such field. Call it inside the transaction that audits the change.
 */
export async function updateVersioned(
  db: Db,
  entity: Versioned,
  id: number,
  baseVersion: number,
  changes: Record<string, unknown>,
): Promise<Saved> {
  if (await write(db, entity, id, baseVersion, changes)) return { written: changes }
  const { base, since } = await recordAt(db, entity, id, baseVersion)
  const current = await tables(db).selectFrom(entity).selectAll().where('id', '=', id).executeTakeFirst()
  if (!base || !current) throw new ConflictError(entity, id, baseVersion)
  const mine = Object.fromEntries(Object.entries(changes).filter(([field, value]) => !sameValue(value, base[field])))
  const theirs = Object.keys(current).filter(
    (field) => field !== 'version' && field in base && !sameValue(current[field], base[field]),
  )
  const clashes: Clash[] = theirs
    .filter((field) => field in mine && !sameValue(mine[field], current[field]))
    .map((field) => ({ field, theirs: current[field], mine: mine[field] }))
  if (clashes.length > 0) throw new ConflictError(entity, id, baseVersion, clashes)
  // Written on the version just read, so a save that slipped in between is not overwritten either.
  if (Object.keys(mine).length > 0 && !(await write(db, entity, id, Number(current.version), mine))) {
    throw new ConflictError(entity, id, baseVersion)
  }
  return { written: mine, merged: { by: since, fields: theirs } }
}

/**
 * The record as the form saw it, from the audit log (every versioned record's audited row holds its version),
 * and who has changed it since.
 */
async function recordAt(db: Db, entity: Versioned, id: number, version: number) {
  const events = (
    await db
      .selectFrom('audit_event')
      .select(['user_name', 'before', 'after'])
      .where('entity', '=', entity)
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute()
  ).map((e) => ({
    by: e.user_name,
    before: e.before ? (JSON.parse(e.before) as Row) : undefined,
    after: e.after ? (JSON.parse(e.after) as Row) : undefined,
  }))
  // The row that made the version, or for a record older than its log (demo data) the row that left it.
  const base =
    events.find((e) => e.after?.version === version)?.after ?? events.find((e) => e.before?.version === version)?.before
  const since = events.filter((e) => (e.after?.version ?? 0) > version).map((e) => e.by)
  return { base, since: [...new Set(since)] }
}

/**
 * Says on the page a save leads to what it did ("Åtgärden är sparad."), and, when it kept someone else's newer
 * change beside the user's, whose and of what.
 */
export function noteSave(res: Response, done: string, saved: Saved): void {
  if (!saved.merged) {
    setNotice(res, done)
    return
  }
  const fields = swedishList(saved.merged.fields.map(fieldLabel))
  const by = swedishList(saved.merged.by) || 'Någon annan'
  setNotice(
    res,
    `${done} ${by} hade ändrat ${fields || 'posten'} efter att du öppnade formuläret; båda ändringarna finns kvar.`,
  )
}
