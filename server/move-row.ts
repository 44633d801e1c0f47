import type { Response } from 'express'
import { z } from 'zod'
import type { Db } from '../db/connection.js'
import type { Actor } from './audit/repository.js'
import { setNotice } from './notice.js'
import { type Direction, move, type OrderedTable } from './ordering.js'

// A move button's value.
const directionField = z.enum(['up', 'down']) satisfies z.ZodType<Direction>

// The name and its participle: "Kontrollmomentet" is neuter, "är flyttat".
const movedName = {
  risk: ['Risken', 'flyttad'],
  review: ['Granskningen', 'flyttad'],
  measure: ['Åtgärden', 'flyttad'],
  control: ['Kontrollmomentet', 'flyttat'],
} as const

/**
 * A "Flytta upp/ned" post: moves the row, says so, and leads back to the list at the row's button that is still
 * there (id `move-<direction>-<table>-<id>`, views/partials/move-buttons.hbs): the page scrolls to it, and
 * views/assets/app.js puts the focus back on it.
 */
export async function moveRow(
  db: Db,
  res: Response,
  actor: Actor,
  row: { table: OrderedTable; id: number; planId: number },
  asked: unknown,
  listHref: string,
): Promise<void> {
  const parsed = directionField.safeParse(asked)
  if (!parsed.success) return res.redirect(303, listHref)
  const { moved, left } = await db
    .transaction()
    .execute((trx) => move(trx, actor, row.table, row.id, parsed.data, row.planId))
  // A page left open, or a double click, may ask for a move past the end: then nothing moved, and it says so.
  const where = parsed.data === 'up' ? 'överst' : 'nederst'
  const [name, participle] = movedName[row.table]
  setNotice(
    res,
    moved
      ? `${name} är ${participle} ${parsed.data === 'up' ? 'upp' : 'ned'}.`
      : `${name} står redan ${where} och flyttades inte.`,
  )
  res.redirect(303, `${listHref}#move-${left}-${row.table}-${row.id}`)
}
