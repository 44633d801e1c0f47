import { readFileSync } from 'node:fs'
import { type Request, Router } from 'express'
import type { MeasureStatus } from '../../db/schema.js'
import type { Services } from '../app.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { idFrom } from '../ids.js'
import { countMeasuresOfPlans } from '../measures/repository.js'
import { openPlanDocument } from '../open-data/document.js'
import { rollupFigures } from '../rollup/figures.js'
import { findMunicipality } from '../rollup/repository.js'
import { yearFrom } from '../rollup/schema.js'
import { measureStatuses } from '../vocabulary.js'
import { requireToken } from './bearer.js'
import { ApiProblem, problemHandler, sendProblem } from './problem.js'
import {
  findAdministration,
  findCommittee,
  findPlan,
  listCommittees,
  listMeasures,
  listPlans,
  listRisks,
  type Page,
} from './repository.js'
import { committeeJson, measureJson, pageJson, planJson, riskJson, rollupJson } from './view-model.js'

/** The description of the API, served as checked in: what the tests hold every answer to. */
const openapi = readFileSync(new URL('./openapi.json', import.meta.url), 'utf8')

const maxLimit = 500
const defaultLimit = 100

/** A query parameter given once, trimmed; undefined when it is not given or empty. */
function param(req: Request, name: string): string | undefined {
  const value = req.query[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new ApiProblem(400, `Ange ${name} en gång.`)
  return value.trim() === '' ? undefined : value.trim()
}

function wholeNumber(req: Request, name: string, range: { min: number; max: number }): number | undefined {
  const value = param(req, name)
  if (value === undefined) return undefined
  const n = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= range.min && n <= range.max)) {
    throw new ApiProblem(400, `${name} ska vara ett heltal från ${range.min} till ${range.max}.`)
  }
  return n
}

/** limit and offset: a page of at most 500 records, 100 unless asked. */
function pageOf(req: Request): Page {
  return {
    limit: wholeNumber(req, 'limit', { min: 1, max: maxLimit }) ?? defaultLimit,
    offset: wholeNumber(req, 'offset', { min: 0, max: 1_000_000_000 }) ?? 0,
  }
}

/** The address as the client asked for it, to build the next page's from. */
const requestUrl = (req: Request) => new URL(req.originalUrl, 'http://api.invalid')

/**
 * The read-only JSON API for the municipality's integrations (/api/v1, server/api/openapi.json). Mounted before
 * the cookies, sessions and CSRF of the pages: a token is its only identity, and it sets no cookie.
 */
export function apiRoutes({ db, clock, config }: Services): Router {
  const router = Router()

  // Nothing here changes anything; another method is refused before a token is even looked at.
  router.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next()
    res.set('Allow', 'GET, HEAD')
    sendProblem(res, 405, `API:t går bara att läsa: ${req.method} tillåts inte, använd GET.`)
  })

  // Public, so an integration can be written before it has a token.
  router.get('/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi)
  })

  const v1 = Router()
  router.use('/v1', requireToken(db, clock), v1)
  const municipalityOf = (res: { locals: Express.Locals }) => {
    const token = res.locals.apiToken
    if (!token) throw new Error('requireToken must run before this route')
    return token.municipalityId
  }

  v1.get('/committees', async (_req, res) => {
    const committees = await listCommittees(db, municipalityOf(res))
    res.json({ items: committees.map(committeeJson) })
  })

  v1.get('/plans', async (req, res) => {
    const municipalityId = municipalityOf(res)
    const filter = {
      year: wholeNumber(req, 'year', { min: 1900, max: 9999 }) ?? null,
      committeeId: wholeNumber(req, 'committeeId', { min: 1, max: 9_999_999_999 }) ?? null,
    }
    // Another municipality's committee reads as one that does not exist, as administrationId on the roll-up does.
    if (filter.committeeId !== null && !(await findCommittee(db, municipalityId, filter.committeeId))) {
      throw new ApiProblem(400, 'committeeId är ingen nämnd eller inget bolag i kommunen.')
    }
    const page = pageOf(req)
    const { rows, total } = await listPlans(db, municipalityId, filter, page)
    const counts = await countMeasuresOfPlans(
      db,
      rows.map((p) => p.id),
      swedishDate(clock()),
    )
    res.json(
      pageJson(
        rows.map((p) => planJson(p, counts)),
        total,
        page,
        requestUrl(req),
      ),
    )
  })

  async function planOf(req: Request, municipalityId: number) {
    const plan = await findPlan(db, municipalityId, idFrom(req.params.planId, 'Planen'))
    if (!plan) throw new NotFoundError('Planen')
    return plan
  }

  // The plan's open-data document (server/open-data/plan.schema.json), whether or not it is published: the token
  // is the municipality's own, and the document names no person either way.
  v1.get('/plans/:planId', async (req, res) => {
    const plan = await planOf(req, municipalityOf(res))
    const document = await openPlanDocument(db, plan.id, { now: clock() })
    if (!document) throw new NotFoundError('Planen')
    res.json(document)
  })

  v1.get('/plans/:planId/risks', async (req, res) => {
    const plan = await planOf(req, municipalityOf(res))
    res.json({ items: (await listRisks(db, plan.id)).map(riskJson) })
  })

  v1.get('/plans/:planId/measures', async (req, res) => {
    const plan = await planOf(req, municipalityOf(res))
    const status = param(req, 'status')
    if (status !== undefined && !measureStatuses.some((s) => s.code === status)) {
      throw new ApiProblem(400, `status ska vara en av ${measureStatuses.map((s) => s.code).join(', ')}.`)
    }
    const overdue = param(req, 'overdue')
    if (overdue !== undefined && overdue !== 'true' && overdue !== 'false') {
      throw new ApiProblem(400, 'overdue ska vara true eller false.')
    }
    const filter = {
      status: (status as MeasureStatus | undefined) ?? null,
      overdue: overdue === undefined ? null : overdue === 'true',
    }
    const page = pageOf(req)
    const { rows, total } = await listMeasures(db, plan.id, filter, page, swedishDate(clock()))
    res.json(pageJson(rows.map(measureJson), total, page, requestUrl(req)))
  })

  v1.get('/rollup/:year', async (req, res) => {
    const municipalityId = municipalityOf(res)
    const year = yearFrom(req.params.year)
    const administrationId = wholeNumber(req, 'administrationId', { min: 1, max: 9_999_999_999 }) ?? null
    // Another municipality's administration reads as one that does not exist.
    if (administrationId !== null && !(await findAdministration(db, municipalityId, administrationId))) {
      throw new ApiProblem(400, 'administrationId är ingen förvaltning i kommunen.')
    }
    // The token's municipality, which the token's row keeps from being deleted.
    const municipality = await findMunicipality(db, municipalityId)
    if (!municipality) throw new Error(`The token's municipality ${municipalityId} is gone`)
    const scope = { municipalityId, year, administrationId }
    const { rows, matrix } = await rollupFigures(db, scope, swedishDate(clock()))
    res.json(rollupJson({ municipality, year, administrationId }, rows, matrix))
  })

  router.use((_req, res) => sendProblem(res, 404, 'Adressen finns inte i API:t. Se /api/v1/openapi.json.'))
  router.use(problemHandler(config.production))
  return router
}
