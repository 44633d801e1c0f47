import type { Db } from '../../db/connection.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { findPlan } from './repository.js'

export type PlanContext = NonNullable<Awaited<ReturnType<typeof findPlan>>>

/** The plan named in the URL, or a 404: every page below /planer/:planId starts here. */
export async function requirePlan(db: Db, params: Record<string, unknown>): Promise<PlanContext> {
  const plan = await findPlan(db, idFrom(params.planId, 'Planen'))
  if (!plan) throw new NotFoundError('Planen')
  return plan
}

export function planBreadcrumbs(plan: PlanContext) {
  return [
    { href: '/planer', text: 'Internkontrollplaner' },
    { href: `/planer/${plan.id}`, text: `${plan.committeeName}: ${plan.title}` },
  ]
}
