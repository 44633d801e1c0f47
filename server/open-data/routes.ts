import { readFileSync } from 'node:fs'
import { type Response, Router } from 'express'
import type { Services } from '../app.js'
import { NotFoundError } from '../errors.js'
import { storable } from '../forms.js'
import { idFrom } from '../ids.js'
import { committeeKinds, labelOf, swedishOrder } from '../vocabulary.js'
import { openDataCsv } from './csv.js'
import { isPublic, type OpenPlanDocument, openPlanDocument, planSchemaPath } from './document.js'
import { findFrozenCopy, findPlanForOpenData, listFrozenCopies, listPublishedPlans } from './repository.js'

// Read once: the file is the published schema, served as it is checked in.
const planSchema = readFileSync(new URL('./plan.schema.json', import.meta.url))

/** Public data, the same for everyone: a shared cache may keep it a while; a plan's copy changes with the plan. */
const planCache = 'public, max-age=300'
/** A final report's copy never changes, but unpublishing must take it away within the hour. */
const frozenCache = 'public, max-age=3600'

/** Links to a published plan's copies: the index and the plan page show them. */
export const openDataLinks = (planId: number) => ({
  json: `/oppna-data/planer/${planId}.json`,
  csv: `/oppna-data/planer/${planId}.csv`,
})
export const frozenCopyLinks = (planId: number, versionNumber: number) => ({
  json: `/oppna-data/planer/${planId}/rapporter/${versionNumber}.json`,
  csv: `/oppna-data/planer/${planId}/rapporter/${versionNumber}.csv`,
})

/** "Grundskolenämnden Internkontrollplan 2020.csv", as the plan's own export names it. */
const fileName = (base: string) => storable(`${base}.csv`).replace(/[\\/:*?"<>|\t\n\r]/g, '-')

/**
 * Open data's files (öppna data): the schema, and each published plan's and final report's copy as JSON and CSV.
 * Public, without login; a plan not published (or not adopted) is a 404 for everyone, the same as one that does not
 * exist. Mounted before the cookies, the session and the CSRF check are read: the answers are the same for everyone
 * and a shared cache may keep them, so none of them may set a cookie or depend on one.
 */
export function openDataFileRoutes({ db, clock }: Services): Router {
  const router = Router()

  // Readable from any site's scripts (Access-Control-Allow-Origin), and embeddable despite helmet's same-origin
  // resource policy: the point of open data. No cookie is read into these answers.
  function sendData(res: Response, cache: string, type: 'json' | 'csv', body: string | Buffer, name: string): void {
    res.set('Cache-Control', cache)
    res.set('Access-Control-Allow-Origin', '*')
    res.set('Cross-Origin-Resource-Policy', 'cross-origin')
    // A CSV is saved under the plan's name; JSON is shown in the browser as it is.
    if (type === 'csv') res.attachment(fileName(name)).type('text/csv; charset=utf-8; header=present')
    else res.type('application/json; charset=utf-8')
    res.send(body)
  }

  async function publicPlan(planIdParam: unknown) {
    const plan = await findPlanForOpenData(db, idFrom(planIdParam, 'Planen'))
    if (!plan || !isPublic(plan)) throw new NotFoundError('Planen')
    return plan
  }

  router.get('/schema/plan-v1.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400')
    res.set('Access-Control-Allow-Origin', '*')
    res.set('Cross-Origin-Resource-Policy', 'cross-origin')
    res.type('application/schema+json').send(planSchema)
  })

  async function currentCopy(planIdParam: unknown) {
    const plan = await publicPlan(planIdParam)
    const document = await openPlanDocument(db, plan.id, { now: clock() })
    if (!document) throw new NotFoundError('Planen')
    return { document, name: `${plan.committeeName} ${plan.title}` }
  }

  router.get('/planer/:planId.json', async (req, res) => {
    const { document, name } = await currentCopy(req.params.planId)
    sendData(res, planCache, 'json', JSON.stringify(document), name)
  })

  router.get('/planer/:planId.csv', async (req, res) => {
    const { document, name } = await currentCopy(req.params.planId)
    sendData(res, planCache, 'csv', openDataCsv(document), name)
  })

  async function frozenCopy(planIdParam: unknown, versionParam: unknown) {
    const plan = await publicPlan(planIdParam)
    const versionNumber = idFrom(versionParam, 'Rapportversionen')
    const stored = await findFrozenCopy(db, plan.id, versionNumber)
    if (stored === undefined) throw new NotFoundError('Rapportversionen')
    return { stored, name: `${plan.committeeName} ${plan.title} uppföljning version ${versionNumber}` }
  }

  router.get('/planer/:planId/rapporter/:versionNumber.json', async (req, res) => {
    const { stored, name } = await frozenCopy(req.params.planId, req.params.versionNumber)
    // The stored text exactly as it was frozen: a consumer's checksum of it stays valid.
    sendData(res, frozenCache, 'json', stored, name)
  })

  router.get('/planer/:planId/rapporter/:versionNumber.csv', async (req, res) => {
    const { stored, name } = await frozenCopy(req.params.planId, req.params.versionNumber)
    sendData(res, frozenCache, 'csv', openDataCsv(JSON.parse(stored) as OpenPlanDocument), name)
  })

  return router
}

/**
 * The index of published plans: an ordinary page, which shows a signed-in person's header like any public page;
 * so it is mounted after the session, and stays uncached.
 */
export function openDataPageRoutes({ db }: Services): Router {
  const router = Router()

  router.get('/', async (_req, res) => {
    const { plans, reports } = await listPublishedPlans(db)
    const municipalities = [...new Set(plans.map((p) => p.municipalityId))].map((municipalityId) => {
      const own = plans.filter((p) => p.municipalityId === municipalityId)
      const committees = [...new Set(own.map((p) => p.committeeName))].sort(swedishOrder.compare)
      return {
        name: own[0]?.municipalityName,
        committees: committees.map((name) => {
          const committeePlans = own.filter((p) => p.committeeName === name).sort((a, b) => b.year - a.year)
          return {
            name,
            kindLabel: labelOf(committeeKinds, committeePlans[0]?.committeeKind ?? 'committee'),
            plans: committeePlans.map((p) => ({
              ...p,
              links: openDataLinks(p.id),
              reports: reports
                .filter((r) => r.plan_id === p.id)
                .map((r) => ({ ...r, links: frozenCopyLinks(p.id, r.version_number) })),
            })),
          }
        }),
      }
    })
    municipalities.sort((a, b) => swedishOrder.compare(a.name ?? '', b.name ?? ''))
    res.render('open-data/index', { title: 'Öppna data', municipalities, schemaPath: planSchemaPath })
  })

  // Anything else under /oppna-data is a 404 here too, rather than the login page the app's other paths lead to.
  router.use((_req, _res, next) => next(new NotFoundError()))

  return router
}

/** What the plan page says of the plan's open data: whether it is public, and the links to its copies. */
export async function openDataOnPlanPage(
  db: Services['db'],
  plan: { id: number; published_at: string | null; adopted_meeting_date: string | null },
) {
  const published = isPublic(plan)
  const reports = published ? await listFrozenCopies(db, plan.id) : []
  return {
    published,
    publishedAt: plan.published_at,
    adopted: plan.adopted_meeting_date !== null,
    links: openDataLinks(plan.id),
    reports: reports.map((r) => ({ ...r, links: frozenCopyLinks(plan.id, r.version_number) })),
  }
}
