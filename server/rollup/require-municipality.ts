import type { Response } from 'express'
import type { Db } from '../../db/connection.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { findMunicipality } from './repository.js'
import { yearFrom } from './schema.js'

/**
 * The municipality and year named in the URL, or a 404; then the 403 page unless the signed-in person may read the
 * municipality's plans (or, for `write`, act for it as its coordinator). Every page below /kommun/:municipalityId/:year
 * starts here; `mayWrite` tells a page that only reads whether to offer the writes.
 */
export async function requireMunicipality(
  db: Db,
  params: Record<string, unknown>,
  res: Response,
  access: 'read' | 'write',
) {
  const municipality = await findMunicipality(db, idFrom(params.municipalityId, 'Kommunen'))
  if (!municipality) throw new NotFoundError('Kommunen')
  const viewer = viewerOf(res)
  authorize(
    access === 'write' ? can.writeMunicipality(viewer, municipality.id) : can.readMunicipality(viewer, municipality.id),
  )
  return { municipality, year: yearFrom(params.year), mayWrite: can.writeMunicipality(viewer, municipality.id) }
}
