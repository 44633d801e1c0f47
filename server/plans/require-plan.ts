import type { Response } from 'express'
import type { Db } from '../../db/connection.js'
import { requireCommitteeAccess } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { findPlan } from './repository.js'

export type PlanContext = NonNullable<Awaited<ReturnType<typeof findPlan>>>

/**
 * The plan named in the URL, or a 404; then the 403 page unless the signed-in person may read it (or, for
 * `edit`, change it as the committee's secretary). Every page below /planer/:planId starts here.
 */
export async function requirePlan(
  db: Db,
  params: Record<string, unknown>,
  res: Response,
  access: 'read' | 'edit',
): Promise<PlanContext> {
  const plan = await findPlan(db, idFrom(params.planId, 'Planen'))
  if (!plan) throw new NotFoundError('Planen')
  requireCommitteeAccess(res, plan, access)
  return plan
}

export function planBreadcrumbs(plan: PlanContext) {
  return [
    { href: '/planer', text: 'Internkontrollplaner' },
    { href: `/planer/${plan.id}`, text: `${plan.committeeName}: ${plan.title}` },
  ]
}
