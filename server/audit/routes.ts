import { Router } from 'express'
import type { Services } from '../app.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { listInspections } from '../inspections/repository.js'
import { listPlans } from '../plans/repository.js'
import { describeEvents } from './history.js'
import { searchEvents } from './repository.js'
import { entityOptions, inspectionOf } from './view-model.js'

/** The searchable audit log: secretaries see their committees' plans and inspections, the administrator all. */
export function auditRoutes({ db }: Services): Router {
  const router = Router()

  router.get('/logg', async (req, res) => {
    const viewer = viewerOf(res)
    authorize(can.readLog(viewer))
    const plans = (await listPlans(db)).filter((p) => viewer.isAdmin || viewer.secretaryOf.has(p.committeeId))
    const text = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : ''
    const entity = entityOptions.some((o) => o.value === req.query.typ) ? String(req.query.typ) : ''
    const events = await searchEvents(db, {
      planIds: plans.map((p) => p.id),
      committeeIds: [...viewer.secretaryOf],
      accounts: viewer.isAdmin,
      text,
      entity,
      limit: 200,
    })
    const planTitle = new Map(plans.map((p) => [p.id, `${p.committeeName}: ${p.title}`]))
    // Only inspections still in the register get a link; a deleted one's rows stay, named by the log itself.
    const inspectionTitle = new Map((await listInspections(db)).map((i) => [i.id, i.title]))
    res.render('audit/index', {
      title: 'Ändringslogg',
      values: { q: text, typ: entity },
      entityOptions,
      events: (await describeEvents(db, events)).map((e) => ({
        ...e,
        planTitle: e.plan_id ? planTitle.get(e.plan_id) : undefined,
        inspection: inspectionLink(inspectionOf(e), inspectionTitle),
      })),
    })
  })

  return router
}

function inspectionLink(id: number | undefined, titles: Map<number, string>) {
  const title = id === undefined ? undefined : titles.get(id)
  return title === undefined ? undefined : { href: `/externa-granskningar/${id}`, text: `Extern granskning: ${title}` }
}
