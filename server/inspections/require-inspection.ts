import type { Response } from 'express'
import type { Db } from '../../db/connection.js'
import { requireCommitteeAccess } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { findInspection } from './repository.js'

export type InspectionContext = NonNullable<Awaited<ReturnType<typeof findInspection>>>

/**
 * The inspection named in the URL, or a 404; then the 403 page unless the signed-in person may read the
 * committee's records (or, for `edit`, change them as its secretary).
 */
export async function requireInspection(
  db: Db,
  params: Record<string, unknown>,
  res: Response,
  access: 'read' | 'edit',
): Promise<InspectionContext> {
  const inspection = await findInspection(db, idFrom(params.inspectionId, 'Granskningen'))
  if (!inspection) throw new NotFoundError('Granskningen')
  requireCommitteeAccess(res, inspection, access)
  return inspection
}

export const registerHref = '/externa-granskningar'
export const inspectionHref = (inspection: { id: number }) => `${registerHref}/${inspection.id}`

export function inspectionBreadcrumbs(inspection?: InspectionContext) {
  const crumbs = [{ href: registerHref, text: 'Externa granskningar' }]
  if (inspection) crumbs.push({ href: inspectionHref(inspection), text: inspection.title })
  return crumbs
}

/** Audit target of an inspection or one of its areas: they belong to the committee, not to a plan. */
export const auditTarget = (
  entity: 'inspection' | 'development_area',
  inspection: { committee_id: number },
  id?: number,
) => ({ entity, id, planId: null, committeeId: inspection.committee_id })
