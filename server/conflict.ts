import type { ErrorRequestHandler } from 'express'
import type { Db } from '../db/connection.js'
import { describeEvents } from './audit/history.js'
import { eventsOf } from './audit/repository.js'
import { displayValue, loadNames } from './audit/values.js'
import { fieldLabel } from './audit/view-model.js'
import { ConflictError } from './errors.js'
import { swedishList } from './vocabulary.js'

/** A form field's stored column ("ownerUnitId" is stored as "owner_unit_id"). */
const columnOf = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * A save refused because someone else changed the same field first: the 409 page shows, per such field, their
 * value beside the user's, says who changed what since the form was opened, and shows everything the user typed
 * so that nothing of theirs is lost. Values read as names and labels, never as stored ids or codes.
 */
export function conflictHandler(db: Db): ErrorRequestHandler {
  return async (err, req, res, next) => {
    if (!(err instanceof ConflictError)) return next(err)
    try {
      const since = (await eventsOf(db, err.entity, err.id))
        .filter((e) => Number((JSON.parse(e.after ?? '{}') as { version?: number }).version) > err.baseVersion)
        .reverse()
      const typed = Object.entries((req.body ?? {}) as Record<string, unknown>)
        .filter(
          // The hidden fields say what the form was opened on, not what the user typed.
          ([name, value]) =>
            !['_csrf', 'version', 'originalCommittees'].includes(name) &&
            typeof value === 'string' &&
            value.trim() !== '',
        )
        .map(([name, value]) => [columnOf(name), value] as [string, unknown])
      const names = await loadNames(db, [
        ...typed,
        ...err.clashes.flatMap((c): [string, unknown][] => [
          [c.field, c.theirs],
          [c.field, c.mine],
        ]),
      ])
      res.status(409).render('errors/conflict', {
        title: 'Någon annan hann ändra först',
        changes: await describeEvents(db, since),
        clashes: err.clashes.map((c) => ({
          label: fieldLabel(c.field),
          theirs: displayValue(c.field, c.theirs, names),
          mine: displayValue(c.field, c.mine, names),
        })),
        by: swedishList([...new Set(since.map((e) => e.user_name))]) || 'någon annan',
        typed: typed.map(([field, value]) => ({
          label: fieldLabel(field),
          text: displayValue(field, value, names),
        })),
        // The edit form itself, opened again, shows the saved version; the forms that close or reopen a
        // development area live on the page of their record.
        formHref: req.originalUrl.replace(/\/(avsluta|ateroppna)$/, ''),
      })
    } catch (error) {
      next(error)
    }
  }
}
