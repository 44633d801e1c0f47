import type { ErrorRequestHandler } from 'express'
import type { Db } from '../db/connection.js'
import { eventsOf } from './audit/repository.js'
import { describeEvent, fieldLabel } from './audit/view-model.js'
import { ConflictError } from './errors.js'
import {
  areaOutcomes,
  inspectionAuthorities,
  inspectionKinds,
  labelOf,
  measureStatuses,
  riskScopes,
  riskTreatments,
} from './vocabulary.js'

/** Form fields whose value is a stored code: the 409 page shows the label the user chose, not the code. */
const codedFields: Record<string, readonly { code: string; label: string }[]> = {
  status: measureStatuses,
  treatment: riskTreatments,
  scope: riskScopes,
  authority: inspectionAuthorities,
  kind: inspectionKinds,
  outcome: areaOutcomes,
}

/**
 * A save refused because someone else changed the record first: the 409 page says who changed what since the
 * form was opened, and shows everything the user typed so that nothing of theirs is lost.
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
          ([name, value]) => !['_csrf', 'version'].includes(name) && typeof value === 'string' && value.trim() !== '',
        )
        .map(([name, value]) => {
          const codes = codedFields[name]
          return { label: fieldLabel(name), text: codes ? labelOf(codes, value as string) : value }
        })
      res.status(409).render('errors/conflict', {
        title: 'Någon annan hann ändra först',
        changes: since.map((e) => ({ ...e, ...describeEvent(e) })),
        typed,
        // The edit form itself, opened again, shows the saved version; the forms that change a status, or close
        // or reopen a development area, live on the page of their record.
        formHref: req.originalUrl.replace(/\/(status|avsluta|ateroppna)$/, ''),
      })
    } catch (error) {
      next(error)
    }
  }
}
