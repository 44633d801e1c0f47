import { Router } from 'express'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { setNotice } from '../notice.js'
import { requirePlan } from '../plans/require-plan.js'
import { setPublished } from './repository.js'

/**
 * The secretary's *Publicera som öppna data* and *Sluta publicera* on the plan page: an audited update of the plan's
 * `published_at`. Only an adopted plan is published; the page says so beside a plan that is not.
 */
export function publishRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })

  // The plan read here may be outdated by a click a moment ago: what changes is decided in the update itself, and an
  // update that changes nothing is no event in the log (`audited`).
  router.post('/publicera', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const actor = actorOf(res, clock)
    const published = await auditedTransaction(
      db,
      actor,
      'update',
      { entity: 'plan', id: plan.id, planId: plan.id },
      (trx) => setPublished(trx, plan.id, actor.at),
    )
    if (published) setNotice(res, 'Planen är publicerad som öppna data.')
    else if (plan.adopted_meeting_date === null) {
      setNotice(
        res,
        'Planen kan inte publiceras som öppna data förrän den är antagen: fyll i sammanträdet som antog den.',
      )
    } else setNotice(res, 'Planen var redan publicerad som öppna data.')
    res.redirect(303, `/planer/${plan.id}#open-data-heading`)
  })

  router.post('/sluta-publicera', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'plan', id: plan.id, planId: plan.id },
      (trx) => setPublished(trx, plan.id, null),
    )
    setNotice(
      res,
      'Planen är inte längre publicerad som öppna data. Dess filer och rapporternas filer visas inte längre.',
    )
    res.redirect(303, `/planer/${plan.id}#open-data-heading`)
  })

  return router
}
