import { readFileSync } from 'node:fs'
import { type Response, Router } from 'express'
import type { Services } from '../app.js'
import { NotFoundError } from '../errors.js'
import { downloadName } from '../spreadsheets/export.js'
import { openDataCsv } from './csv.js'
import { isPublic, type OpenPlanDocument, openPlanDocument, planSchemaPath } from './document.js'
import { findFrozenCopy, findPlanForOpenData, listPublishedPlans } from './repository.js'
import { publishedIndex } from './view-model.js'

// Read once: the file is the published schema, served as it is checked in.
const planSchema = readFileSync(new URL('./plan.schema.json', import.meta.url))

/** Public data, the same for everyone: a shared cache may keep it a while; a plan's copy changes with the plan. */
const planCache = 'public, max-age=300'
/** A final report's copy never changes, but unpublishing must take it away within the hour. */
const frozenCache = 'public, max-age=3600'

/**
 * A number in a file's address, written one way only (`/planer/3.json`, not `03.json`): each file has one address,
 * so a cache, a link checker or a harvester comparing addresses never sees one file as two.
 */
function numberIn(value: unknown, what: string): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) throw new NotFoundError(what)
  return Number(value)
}

/**
 * Open data's files (öppna data): the schema, and each published plan's and final report's copy as JSON and CSV.
 * Public, without login; a plan not published (or not adopted) is a 404 for everyone, the same as one that does not
 * exist. Mounted before the cookies, the session and the CSRF check are read: the answers are the same for everyone
 * and a shared cache may keep them, so none of them may set a cookie or depend on one.
 */
export function openDataFileRoutes({ db, clock }: Services): Router {
  // Case-sensitive and strict for the same reason: `/3.JSON` and `/3.json/` are not the file's address.
  const router = Router({ caseSensitive: true, strict: true })

  // Readable from any site's scripts (Access-Control-Allow-Origin), and embeddable despite helmet's same-origin
  // resource policy: the point of open data. No cookie is read into these answers.
  function sendData(res: Response, cache: string, type: 'json' | 'csv', body: string | Buffer, name: string): void {
    res.set('Cache-Control', cache)
    res.set('Access-Control-Allow-Origin', '*')
    res.set('Cross-Origin-Resource-Policy', 'cross-origin')
    // A CSV is for a spreadsheet, opened from the downloads folder, so it gets the plan's name there; JSON is read in
    // the browser or by a program, which want it shown, not saved.
    if (type === 'csv') res.attachment(downloadName(`${name}.csv`)).type('text/csv; charset=utf-8; header=present')
    else res.type('application/json; charset=utf-8')
    res.send(body)
  }

  async function publicPlan(planIdParam: unknown) {
    const plan = await findPlanForOpenData(db, numberIn(planIdParam, 'Planen'))
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
    const versionNumber = numberIn(versionParam, 'Rapportversionen')
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
    const municipalities = publishedIndex(plans, reports)
    res.render('open-data/index', { title: 'Öppna data', municipalities, schemaPath: planSchemaPath })
  })

  // Anything else under /oppna-data is a 404 here too, rather than the login page the app's other paths lead to.
  router.use((_req, _res, next) => next(new NotFoundError()))

  return router
}
