import type { Response } from 'express'
import type { Db } from '../../db/connection.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { type ControlContext, findControl, findRun } from './repository.js'

export type { ControlContext }
export type RunContext = NonNullable<Awaited<ReturnType<typeof findRun>>>

/**
 * The plan and control named in the URL (/planer/:planId/kontroller/:controlId), or a 404; the 403 page unless the
 * signed-in person may read the plan (or, for `edit`, change it as the committee's secretary). The control comes
 * with its traffic light as of the clock's today.
 */
export async function requireControl(
  db: Db,
  params: Record<string, unknown>,
  res: Response,
  access: 'read' | 'edit',
  today: Date,
): Promise<{ plan: PlanContext; control: ControlContext }> {
  const plan = await requirePlan(db, params, res, access)
  const control = await findControl(db, plan.id, idFrom(params.controlId, 'Kontrollmomentet'), swedishDate(today))
  if (!control) throw new NotFoundError('Kontrollmomentet')
  return { plan, control }
}

/** The run (occasion) named in the URL (…/tillfallen/:runId) of the control named there, or a 404. */
export async function requireRun(
  db: Db,
  params: Record<string, unknown>,
  res: Response,
  access: 'read' | 'edit',
  today: Date,
): Promise<{ plan: PlanContext; control: ControlContext; run: RunContext }> {
  const loaded = await requireControl(db, params, res, access, today)
  const run = await findRun(db, loaded.control.id, idFrom(params.runId, 'Kontrolltillfället'))
  if (!run) throw new NotFoundError('Kontrolltillfället')
  return { ...loaded, run }
}

export const controlsHref = (plan: { id: number }) => `/planer/${plan.id}/kontroller`
export const controlHref = (plan: { id: number }, control: { id: number }) => `${controlsHref(plan)}/${control.id}`
export const runHref = (plan: { id: number }, control: { id: number }, run: { id: number }) =>
  `${controlHref(plan, control)}/tillfallen/${run.id}`

/** Plan › Risk › Kontrollmoment: where a control's pages sit. */
export function controlBreadcrumbs(plan: PlanContext, control?: ControlContext) {
  const crumbs = [...planBreadcrumbs(plan), { href: controlsHref(plan), text: 'Kontrollmoment' }]
  if (control) crumbs.push({ href: controlHref(plan, control), text: `Kontrollmoment: ${control.title}` })
  return crumbs
}
