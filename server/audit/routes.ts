import { Router } from 'express'
import type { Db } from '../../db/connection.js'
import type { Services } from '../app.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { describeEvents } from './history.js'
import { searchEvents } from './repository.js'
import { entityOptions, inspectionOf } from './view-model.js'

/** How many rows a page of the log shows; *Äldre ändringar* goes on from the last. */
const eventsShown = 50

/** The searchable audit log: secretaries see their committees' plans and inspections, the administrator all. */
export function auditRoutes({ db }: Services): Router {
  const router = Router()

  router.get('/logg', async (req, res) => {
    const viewer = viewerOf(res)
    authorize(can.readLog(viewer))
    const text = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : ''
    const entity = entityOptions.some((o) => o.value === req.query.typ) ? String(req.query.typ) : ''
    // An id PostgreSQL's integer holds; anything else shows the latest rows.
    const fore =
      typeof req.query.fore === 'string' && /^[1-9]\d{0,9}$/.test(req.query.fore) ? Number(req.query.fore) : 0
    const before = fore > 0 && fore <= 2 ** 31 - 1 ? fore : undefined
    // One row more than shown tells whether there are older ones.
    const found = await searchEvents(db, {
      planCommitteeIds: viewer.isAdmin ? undefined : [...viewer.secretaryOf],
      committeeIds: [...viewer.secretaryOf],
      accounts: viewer.isAdmin,
      text,
      entity,
      limit: eventsShown + 1,
      before,
    })
    const events = found.slice(0, eventsShown)
    const query = (more: Record<string, string>) => {
      const params = new URLSearchParams({ ...(text ? { q: text } : {}), ...(entity ? { typ: entity } : {}), ...more })
      return params.size === 0 ? '/logg' : `/logg?${params}`
    }
    const described = await describeEvents(db, events)
    const inspectionIds = described.map((e) => inspectionOf(e))
    const [planTitle, inspectionTitle] = await Promise.all([
      planTitles(
        db,
        events.map((e) => e.plan_id),
      ),
      inspectionTitles(db, inspectionIds),
    ])
    res.render('audit/index', {
      title: 'Ändringslogg',
      values: { q: text, typ: entity },
      entityOptions,
      pages: (found.length > eventsShown || before !== undefined) && {
        older: found.length > eventsShown ? query({ fore: String(events[events.length - 1]?.id) }) : undefined,
        latest: before === undefined ? undefined : query({}),
      },
      events: described.map((e, i) => ({
        ...e,
        planTitle: e.plan_id ? planTitle.get(e.plan_id) : undefined,
        inspection: inspectionLink(inspectionIds[i], inspectionTitle),
      })),
    })
  })

  return router
}

const idsOf = (ids: readonly (number | null | undefined)[]) => [
  ...new Set(ids.filter((id): id is number => typeof id === 'number')),
]

/** The plans the rows shown belong to, named "Nämnd: Plan"; a deleted plan is not among them. */
async function planTitles(db: Db, planIds: readonly (number | null)[]): Promise<Map<number, string>> {
  const ids = idsOf(planIds)
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select(['plan.id', 'plan.title', 'committee.name as committeeName'])
    .where('plan.id', 'in', ids)
    .execute()
  return new Map(rows.map((p) => [p.id, `${p.committeeName}: ${p.title}`]))
}

/** The titles of the inspections the rows shown belong to; a deleted one's rows are named by the log itself. */
async function inspectionTitles(db: Db, inspectionIds: readonly (number | undefined)[]) {
  const ids = idsOf(inspectionIds)
  if (ids.length === 0) return new Map<number, string>()
  const rows = await db.selectFrom('inspection').select(['id', 'title']).where('id', 'in', ids).execute()
  return new Map(rows.map((i) => [i.id, i.title]))
}

function inspectionLink(id: number | undefined, titles: Map<number, string>) {
  const title = id === undefined ? undefined : titles.get(id)
  return title === undefined ? undefined : { href: `/externa-granskningar/${id}`, text: `Extern granskning: ${title}` }
}
