import type { Express } from 'express'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { aControl, demoPlan } from '../test/helpers/builders.js'
import { createTestApp, type DemoLogin, html, logIn } from '../test/helpers/test-app.js'
import { createToken } from './api/tokens.js'
import { insertDeviation } from './controls/repository.js'
import { createItem } from './municipal/push-down.js'
import { frozenOpenData, type OpenPlanDocument, openPlanDocument } from './open-data/document.js'
import { insertReportVersion } from './reports/repository.js'
import { insertRollupReportVersion } from './rollup/report-repository.js'
import { insertImport } from './spreadsheets/repository.js'

// Every route of the app, read from its router, against every kind of user. A route added without a line in
// `expected` fails the first test; a rule that lets the wrong person in fails the second.

type Kind = 'anonymous' | DemoLogin
type Outcome = 'ok' | 'login' | 'forbidden' | 'token'
const kinds: Kind[] = ['anonymous', 'lasare', 'hr', 'utbildning', 'sekreterare', 'samordnare', 'admin']

// The kommunövergripande samordnare reads every committee of the municipality as a läsare reads one, and edits nothing.
const read = {
  anonymous: 'login',
  lasare: 'ok',
  hr: 'ok',
  utbildning: 'ok',
  sekreterare: 'ok',
  samordnare: 'ok',
  admin: 'ok',
} as const
const edit = {
  anonymous: 'login',
  lasare: 'forbidden',
  hr: 'forbidden',
  utbildning: 'forbidden',
  sekreterare: 'ok',
  samordnare: 'forbidden',
  admin: 'forbidden',
} as const
// The measure and the control used below are HR-avdelningen's: its ansvarig may report on them, Utbildningsområden's
// may not.
const report = { ...edit, hr: 'ok' } as const
const signedIn = {
  anonymous: 'login',
  lasare: 'ok',
  hr: 'ok',
  utbildning: 'ok',
  sekreterare: 'ok',
  samordnare: 'ok',
  admin: 'ok',
} as const
const open = {
  anonymous: 'ok',
  lasare: 'ok',
  hr: 'ok',
  utbildning: 'ok',
  sekreterare: 'ok',
  samordnare: 'ok',
  admin: 'ok',
} as const
const admin = { ...edit, sekreterare: 'forbidden', admin: 'ok' } as const
// Logging out ends on the login page, for everyone.
const toLogin = {
  anonymous: 'login',
  lasare: 'login',
  hr: 'login',
  utbildning: 'login',
  sekreterare: 'login',
  samordnare: 'login',
  admin: 'login',
} as const

// The API answers to its tokens alone (server/api/routes.test.ts): a session, even the administrator's, is no key.
const token = {
  anonymous: 'token',
  lasare: 'token',
  hr: 'token',
  utbildning: 'token',
  sekreterare: 'token',
  samordnare: 'token',
  admin: 'token',
} as const

const expected: Record<string, Record<Kind, Outcome>> = {
  'GET /logga-in': open,
  'POST /logga-in': open,
  'POST /logga-ut': toLogin,
  'GET /favicon.ico': open,
  // For load balancers and orchestrators: no session, cookie or CSRF (server/health/routes.ts).
  'GET /healthz': open,
  'GET /readyz': open,
  'GET /tillganglighetsredogorelse': open,
  'GET /hjalp': open,
  // Open data: public, the plan in the world below published.
  'GET /oppna-data': open,
  'GET /oppna-data/schema/plan-v1.json': open,
  'GET /oppna-data/planer/:planId.json': open,
  'GET /oppna-data/planer/:planId.csv': open,
  'GET /oppna-data/planer/:planId/rapporter/:versionNumber.json': open,
  'GET /oppna-data/planer/:planId/rapporter/:versionNumber.csv': open,
  'GET /konto/losenord': signedIn,
  'POST /konto/losenord': signedIn,
  'GET /konto/paminnelser': signedIn,
  'POST /konto/paminnelser': signedIn,
  'GET /': signedIn,
  'GET /planer': signedIn,
  'GET /logg': { ...edit, admin: 'ok' },
  'GET /admin/anvandare': admin,
  'GET /admin/enheter': admin,
  'POST /admin/enheter': admin,
  'GET /admin/enheter/:unitId/redigera': admin,
  'POST /admin/enheter/:unitId/redigera': admin,
  'GET /admin/enheter/:unitId/ta-bort': admin,
  'POST /admin/enheter/:unitId/ta-bort': admin,
  'GET /admin/forvaltningar': admin,
  'POST /admin/forvaltningar': admin,
  'GET /admin/forvaltningar/:administrationId/redigera': admin,
  'POST /admin/forvaltningar/:administrationId/redigera': admin,
  'GET /admin/namnder': admin,
  'POST /admin/namnder': admin,
  'GET /admin/namnder/:committeeId/redigera': admin,
  'POST /admin/namnder/:committeeId/redigera': admin,
  'GET /admin/anvandare/:userId/roller': admin,
  'POST /admin/anvandare/:userId/roller': admin,
  'GET /admin/anvandare/ny': admin,
  'POST /admin/anvandare/ny': admin,
  'POST /admin/anvandare/:userId/sparr': admin,
  'POST /admin/anvandare/:userId/koppling/ta-bort': admin,
  'GET /admin/anvandare/:userId/losenord': admin,
  'POST /admin/anvandare/:userId/losenord': admin,
  'GET /admin/api-nycklar': admin,
  'POST /admin/api-nycklar': admin,
  'GET /admin/api-nycklar/:tokenId/aterkalla': admin,
  'POST /admin/api-nycklar/:tokenId/aterkalla': admin,
  'GET /admin/grupper': admin,
  'POST /admin/grupper': admin,
  'POST /admin/grupper/:mappingId/ta-bort': admin,
  'GET /admin/e-post': admin,
  'POST /admin/e-post/:mailId/forsok-igen': admin,
  'GET /planer/ny': edit,
  'POST /planer/ny': edit,
  'GET /planer/:planId': read,
  'GET /planer/:planId/redigera': edit,
  'POST /planer/:planId/redigera': edit,
  'GET /planer/:planId/ta-bort': edit,
  'POST /planer/:planId/ta-bort': edit,
  'GET /planer/:planId/risker/ny': edit,
  'POST /planer/:planId/risker/ny': edit,
  'GET /planer/:planId/risker/:riskId': read,
  'GET /planer/:planId/risker/:riskId/redigera': edit,
  'POST /planer/:planId/risker/:riskId/redigera': edit,
  'GET /planer/:planId/risker/:riskId/ta-bort': edit,
  'POST /planer/:planId/risker/:riskId/ta-bort': edit,
  'POST /planer/:planId/risker/:riskId/flytta': edit,
  'GET /planer/:planId/granskningar': read,
  'GET /planer/:planId/granskningar/ny': edit,
  'POST /planer/:planId/granskningar/ny': edit,
  'GET /planer/:planId/granskningar/:reviewId/redigera': edit,
  'POST /planer/:planId/granskningar/:reviewId/redigera': edit,
  'GET /planer/:planId/granskningar/:reviewId/ta-bort': edit,
  'POST /planer/:planId/granskningar/:reviewId/ta-bort': edit,
  'POST /planer/:planId/granskningar/:reviewId/flytta': edit,
  'GET /planer/:planId/atgarder': read,
  'GET /planer/:planId/atgarder/ny': edit,
  'POST /planer/:planId/atgarder/ny': edit,
  'GET /planer/:planId/atgarder/:measureId': read,
  'GET /planer/:planId/atgarder/:measureId/uppdatera': report,
  'POST /planer/:planId/atgarder/:measureId/uppdatera': report,
  'GET /planer/:planId/atgarder/:measureId/redigera': edit,
  'POST /planer/:planId/atgarder/:measureId/redigera': edit,
  'GET /planer/:planId/atgarder/:measureId/ta-bort': edit,
  'POST /planer/:planId/atgarder/:measureId/ta-bort': edit,
  'POST /planer/:planId/atgarder/:measureId/flytta': edit,
  'GET /planer/:planId/kontroller': read,
  'GET /planer/:planId/kontroller/ny': edit,
  'POST /planer/:planId/kontroller/ny': edit,
  'GET /planer/:planId/kontroller/:controlId': read,
  'GET /planer/:planId/kontroller/:controlId/redigera': edit,
  'POST /planer/:planId/kontroller/:controlId/redigera': edit,
  'GET /planer/:planId/kontroller/:controlId/ta-bort': edit,
  'POST /planer/:planId/kontroller/:controlId/ta-bort': edit,
  'POST /planer/:planId/kontroller/:controlId/flytta': edit,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId/datum': edit,
  'POST /planer/:planId/kontroller/:controlId/tillfallen/:runId/datum': edit,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId': read,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId/rapportera': report,
  'POST /planer/:planId/kontroller/:controlId/tillfallen/:runId/rapportera': report,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/ny': report,
  'POST /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/ny': report,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/:deviationId/redigera': report,
  'POST /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/:deviationId/redigera': report,
  'GET /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/:deviationId/ta-bort': report,
  'POST /planer/:planId/kontroller/:controlId/tillfallen/:runId/avvikelser/:deviationId/ta-bort': report,
  'GET /planer/:planId/rapport': read,
  'GET /planer/:planId/rapport/pdf': edit,
  'POST /planer/:planId/rapport/faststall': edit,
  'GET /planer/:planId/rapport/versioner/:versionId': read,
  'GET /planer/:planId/nasta-ar': edit,
  'POST /planer/:planId/nasta-ar': edit,
  'GET /planer/:planId/exportera/xlsx': read,
  'GET /planer/:planId/exportera/csv': read,
  'POST /planer/:planId/publicera': edit,
  'POST /planer/:planId/sluta-publicera': edit,
  'GET /planer/importera': edit,
  'POST /planer/importera': edit,
  'GET /planer/importera/:importId/kolumner': edit,
  'POST /planer/importera/:importId/kolumner': edit,
  'GET /planer/importera/:importId/kontrollera': edit,
  'POST /planer/importera/:importId/kontrollera': edit,
  'GET /externa-granskningar': signedIn,
  'GET /externa-granskningar/tidsfrister': signedIn,
  'GET /externa-granskningar/ny': edit,
  'POST /externa-granskningar/ny': edit,
  'GET /externa-granskningar/:inspectionId': read,
  'GET /externa-granskningar/:inspectionId/redigera': edit,
  'POST /externa-granskningar/:inspectionId/redigera': edit,
  'GET /externa-granskningar/:inspectionId/ta-bort': edit,
  'POST /externa-granskningar/:inspectionId/ta-bort': edit,
  'GET /externa-granskningar/:inspectionId/redovisning': edit,
  'GET /externa-granskningar/:inspectionId/omraden/ny': edit,
  'POST /externa-granskningar/:inspectionId/omraden/ny': edit,
  'GET /externa-granskningar/:inspectionId/omraden/:areaId': read,
  'GET /externa-granskningar/:inspectionId/omraden/:areaId/redigera': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/redigera': edit,
  'GET /externa-granskningar/:inspectionId/omraden/:areaId/ta-bort': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/ta-bort': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/risker': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/risker/ta-bort': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/atgarder': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/atgarder/ta-bort': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/avsluta': edit,
  'POST /externa-granskningar/:inspectionId/omraden/:areaId/ateroppna': edit,
  // The roll-up: the municipality's administrator and its coordinator.
  'GET /kommun/:municipalityId/:year': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/exportera/xlsx': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/risker/:likelihood/:consequence': { ...admin, samordnare: 'ok' },
  // The roll-up report: read by them, made final (fastställd) by them.
  'GET /kommun/:municipalityId/:year/sammanstallning': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/sammanstallning/pdf': { ...admin, samordnare: 'ok' },
  'POST /kommun/:municipalityId/:year/sammanstallning/faststall': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/sammanstallning/versioner/:rollupVersionId': { ...admin, samordnare: 'ok' },
  'GET /api/v1/openapi.json': open,
  'GET /api/v1/committees': token,
  'GET /api/v1/plans': token,
  'GET /api/v1/plans/:planId': token,
  'GET /api/v1/plans/:planId/risks': token,
  'GET /api/v1/plans/:planId/measures': token,
  'GET /api/v1/rollup/:year': token,
  'GET /kommun/:municipalityId/:year/gemensamma': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/gemensamma/ny': { ...admin, samordnare: 'ok' },
  'POST /kommun/:municipalityId/:year/gemensamma/ny': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/gemensamma/:itemId': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/gemensamma/:itemId/redigera': { ...admin, samordnare: 'ok' },
  'POST /kommun/:municipalityId/:year/gemensamma/:itemId/redigera': { ...admin, samordnare: 'ok' },
  'GET /kommun/:municipalityId/:year/gemensamma/:itemId/ta-bort': { ...admin, samordnare: 'ok' },
  'POST /kommun/:municipalityId/:year/gemensamma/:itemId/ta-bort': { ...admin, samordnare: 'ok' },
}

/** "GET /planer/:planId" for every route the app's router holds, mounted routers included. */
function routesOf(app: Express): string[] {
  type Layer = {
    route?: { path: string; methods: Record<string, boolean> }
    handle: { stack?: Layer[] }
    rawPath?: unknown
  }
  const walk = (stack: Layer[], prefix: string): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const path = `${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}` || '/'
        return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${path}`)
      }
      if (layer.handle.stack && typeof layer.rawPath === 'string') {
        return walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath))
      }
      return []
    })
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '')
}

/** An app with one agent per kind of user, and ids for every route parameter. */
async function world() {
  const { app, db } = await createTestApp({ as: null })
  const { planId, risks, unit } = await demoPlan(db)
  const measure = await db
    .selectFrom('measure')
    .select('id')
    .where('owner_unit_id', '=', unit('HR-avdelningen'))
    .executeTakeFirstOrThrow()
  const review = await db.selectFrom('review').select('id').executeTakeFirstOrThrow()
  const area = await db.selectFrom('development_area').select(['id', 'inspection_id']).executeTakeFirstOrThrow()
  // Adopted and published, so that its open data is served; the final version has its frozen copy.
  await db
    .updateTable('plan')
    .set({ adopted_meeting_date: '2020-02-19', published_at: '2021-03-15T09:00:00.000Z' })
    .where('id', '=', planId)
    .execute()
  const pdf = new TextEncoder().encode('%PDF-1.7')
  const document = (await openPlanDocument(db, planId, {
    now: new Date('2021-03-15T09:00:00Z'),
  })) as OpenPlanDocument
  const version = await insertReportVersion(db, {
    planId,
    versionNumber: 1,
    fileName: 'Uppföljning (version 1).pdf',
    pdf,
    createdAt: '2021-03-15T09:00:00Z',
    createdBy: 'Sara Sekreterare',
    openData: (sha256) => frozenOpenData(document, { versionNumber: 1, createdAt: '2021-03-15T09:00:00Z', sha256 }),
  })
  const municipalityId = (await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()).id
  const rollupVersionId = await insertRollupReportVersion(db, {
    municipalityId,
    year: 2020,
    versionNumber: 1,
    fileName: 'Sammanställning (version 1).pdf',
    pdf: new TextEncoder().encode('%PDF-1.7'),
    createdAt: '2021-03-15T09:00:00Z',
    createdBy: 'Kim Kommunsekreterare',
  })
  // An upload waiting for its import is the secretary's own.
  const secretary = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', 'sekreterare@demo.internkontroll.se')
    .executeTakeFirstOrThrow()
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  const importId = await insertImport(db, secretary.id, new Date('2021-03-15T09:00:00Z'), {
    committeeId: committee.id,
    year: 2022,
    title: 'Internkontrollplan 2022',
    fileName: 'plan.csv',
    format: 'csv',
    planSheet: null,
    sheets: [{ kind: 'risks', name: 'CSV', headers: ['Risk'], rows: [{ line: 2, cells: ['Röjande av sekretess'] }] }],
    mapping: { risks: ['riskTitle'] },
  })
  // HR-avdelningen's control too, so that its ansvarig may report its runs and Utbildningsområden's may not.
  const controlId = await aControl(db, risks[0]?.id as number, unit('HR-avdelningen'))
  const run = await db
    .selectFrom('control_run')
    .select('id')
    .where('control_id', '=', controlId)
    .where('occasion', '=', 1)
    .executeTakeFirstOrThrow()
  await db
    .updateTable('control_run')
    .set({ result: 'deviations', performed_on: '2020-03-20', reported_on: '2020-03-25' })
    .where('id', '=', run.id)
    .execute()
  // Both the control's owner unit and the secretary may delete a deviation: each kind of user gets one of its own,
  // so that one's delete leaves the next something to try.
  const deviations = Object.fromEntries(
    await Promise.all(
      kinds.map(async (kind, i) => [
        kind,
        await insertDeviation(db, {
          run_id: run.id,
          description: `Avvikelse ${i}`,
          severity: 'low',
          decision: null,
          no_measure_reason: '',
          position: i + 1,
        }),
      ]),
    ),
  ) as Record<Kind, number>
  // A mail the relay refused: the one an administrator may send again.
  const mail = await db
    .insertInto('outbox_mail')
    .values({
      user_id: secretary.id,
      to_address: 'sekreterare@demo.internkontroll.se',
      subject: 'Påminnelse',
      text_body: 'Text',
      html_body: '<p>Text</p>',
      state: 'failed',
      next_attempt_at: '2021-03-15T09:00:00Z',
      last_error: '550 User unknown',
      created_at: '2021-03-15T09:00:00Z',
      message_id: '<1@internkontroll>',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const apiToken = await createToken(
    db,
    { userId: null, userName: 'Ada Administratör', at: '2021-03-15T09:00:00Z' },
    { municipalityId, name: 'BI' },
  )
  // A municipality-wide review in the 2020 plan, whose copy holds the committee's result: its delete is refused
  // (400) for each writer in turn rather than done by the first and a 404 for the next.
  const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
  const itemId = await createItem(
    db,
    actor,
    {
      municipality_id: municipalityId,
      year: 2020,
      kind: 'review',
      title: 'Hantering av bisysslor',
      description: '',
      treatment: 'review',
      diary_number: 'KS 2020/0412',
    },
    [committee.id],
  )
  await db.updateTable('review').set({ result: 'Granskad.' }).where('municipal_item_id', '=', itemId).execute()
  const mapping = await db
    .insertInto('sso_group_role')
    .values({ group_name: 'IK-Läsare', role: 'reader', committee_id: committee.id, created_at: actor.at })
    .returning('id')
    .executeTakeFirstOrThrow()
  const params: Record<string, number> = {
    itemId,
    mappingId: mapping.id,
    importId,
    tokenId: apiToken.id,
    mailId: mail.id,
    planId,
    riskId: risks[0]?.id as number,
    measureId: measure.id,
    controlId,
    runId: run.id,
    reviewId: review.id,
    versionId: version.id,
    versionNumber: version.version_number,
    inspectionId: area.inspection_id,
    areaId: area.id,
    unitId: unit('HR-avdelningen'),
    committeeId: committee.id,
    administrationId: (await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()).id,
    municipalityId,
    rollupVersionId,
    year: 2020,
    likelihood: 3,
    consequence: 4,
    // The demo läsare: an account that is not the administrator's own.
    userId: (
      await db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', 'lasare@demo.internkontroll.se')
        .executeTakeFirstOrThrow()
    ).id,
  }
  const agents = Object.fromEntries(
    await Promise.all(
      kinds.map(async (kind) => {
        const agent = supertest.agent(app)
        if (kind !== 'anonymous') await logIn(agent, kind)
        const page = await agent.get('/logga-in')
        const token = page.status === 200 ? html(page.text)('input[name="_csrf"]').val() : undefined
        // A signed-in person is sent on from the login page; any page of theirs carries the token.
        const csrf = String(token ?? html((await agent.get('/konto/losenord')).text)('input[name="_csrf"]').val())
        return [kind, { agent, csrf }] as const
      }),
    ),
  ) as Record<Kind, { agent: ReturnType<typeof supertest.agent>; csrf: string }>
  return { app, agents, params, perKind: { deviationId: deviations } as Record<string, Record<Kind, number>> }
}

async function outcome(w: Awaited<ReturnType<typeof world>>, kind: Kind, route: string): Promise<Outcome | string> {
  const [method, pattern] = route.split(' ') as [string, string]
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => String(w.perKind[name]?.[kind] ?? w.params[name]))
  const { agent, csrf } = w.agents[kind]
  const response = method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ _csrf: csrf })
  if (response.status === 403) return 'forbidden'
  if (response.status === 401 && String(response.headers['www-authenticate']).startsWith('Bearer')) return 'token'
  if (response.status === 303 && String(response.headers.location).startsWith('/logga-in')) return 'login'
  if (response.status < 400 || response.status === 400 || response.status === 409) return 'ok'
  return `status ${response.status}`
}

describe('who may do what', () => {
  it('has a rule for every route of the app, and no rule for a route that is gone', async () => {
    const { app } = await createTestApp({ as: null })
    expect(routesOf(app).sort()).toEqual(Object.keys(expected).sort())
  })

  it('lets each kind of user reach exactly what their role allows', async () => {
    const found: Record<string, Record<Kind, string>> = {}
    const shared = await world()
    for (const route of Object.keys(expected)) {
      // A post may change or delete what the next one needs: each gets a fresh world.
      const w = route.startsWith('POST') ? await world() : shared
      found[route] = {} as Record<Kind, string>
      // The secretary goes last: a delete they may make would otherwise leave the others a 404 instead of a 403.
      for (const kind of [...kinds.filter((k) => k !== 'sekreterare'), 'sekreterare'] as const) {
        const result = await outcome(w, kind, route)
        ;(found[route] as Record<Kind, string>)[kind] = result
      }
    }
    expect(found).toEqual(expected)
    // A fresh world per post, some 150 of them: minutes when CI's three runs share the cores.
  }, 600_000)
})
