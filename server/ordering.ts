import type { Kysely } from 'kysely'
import type { Db } from '../db/connection.js'
import { audited } from './audit/audited.js'
import type { Actor } from './audit/repository.js'

// Risks and reviews are ordered within their plan, measures and controls within their risk: the order of the report.
const scopeColumn = { risk: 'plan_id', review: 'plan_id', measure: 'risk_id', control: 'risk_id' } as const
export type OrderedTable = keyof typeof scopeColumn
export type Direction = 'up' | 'down'
type OrderedRow = { id: number; position: number; plan_id: number; risk_id: number }

// Kysely cannot type one query over a union of tables; the table and column names here are constants.
const loose = (db: Db) => db as unknown as Kysely<Record<OrderedTable, OrderedRow>>

export async function nextPosition(db: Db, table: OrderedTable, scopeId: number): Promise<number> {
  const row = await loose(db)
    .selectFrom(table)
    .select((eb) => eb.fn.max('position').as('max'))
    .where(scopeColumn[table], '=', scopeId)
    .executeTakeFirst()
  return Number(row?.max ?? 0) + 1
}

/**
 * Swaps a row with its neighbour above or below, both changes in the audit log; at either end nothing
 * changes. Call it inside a transaction. Returns whether it moved, and the direction the row can still be moved
 * in: the same one, or the other once the row has reached the end of its list.
 */
export async function move(
  db: Db,
  actor: Actor,
  table: OrderedTable,
  id: number,
  direction: Direction,
  planId: number,
): Promise<{ moved: boolean; left: Direction }> {
  const t = loose(db)
  const column = scopeColumn[table]
  const row = await t.selectFrom(table).select(['id', 'position', column]).where('id', '=', id).executeTakeFirst()
  const other = direction === 'up' ? 'down' : 'up'
  if (!row) return { moved: false, left: other }
  // The neighbour, and whether there is a row beyond it that the moved row can go on past.
  const [neighbour, beyond] = await t
    .selectFrom(table)
    .select(['id', 'position'])
    .where(column, '=', row[column])
    .where('position', direction === 'up' ? '<' : '>', row.position)
    .orderBy('position', direction === 'up' ? 'desc' : 'asc')
    .limit(2)
    .execute()
  if (!neighbour) return { moved: false, left: other }
  for (const [moved, position] of [
    [row.id, neighbour.position],
    [neighbour.id, row.position],
  ] as const) {
    await audited(db, actor, 'update', { entity: table, id: moved, planId }, async () => {
      await t.updateTable(table).set({ position }).where('id', '=', moved).execute()
    })
  }
  return { moved: true, left: beyond ? direction : other }
}

/** Marks the first and last of a list in report order, so the views leave out "move up" and "move down" there. */
export function withEnds<T>(list: readonly T[]): (T & { first: boolean; last: boolean })[] {
  return list.map((item, i) => ({ ...item, first: i === 0, last: i === list.length - 1 }))
}
