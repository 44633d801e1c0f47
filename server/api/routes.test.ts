import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { aMeasure } from '../../test/helpers/builders.js'
import { expectDocumented, planSchema } from '../../test/helpers/openapi.js'
import { createTestApp, logIn } from '../../test/helpers/test-app.js'
import { auditedTransaction } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { openPlanDocument } from '../open-data/document.js'
import { ensureOrganisation } from '../organisation/repository.js'
import { insertPlan } from '../plans/repository.js'
import { insertReportVersion } from '../reports/repository.js'
import { isOverdue, measureStatuses } from '../vocabulary.js'
import { createToken, revokeToken, tokenSha256 } from './tokens.js'

// The test app's clock stands at 2021-03-15: the demo's plans of "this year" are 2021's.
const today = '2021-03-15'
const admin: Actor = { userId: null, userName: 'Ada Administratör', at: '2021-03-01T08:00:00.000Z' }

/**
 * Malmö stad of the demo (three committees and companies, 2020's and 2021's plans) with a token, and Lunds kommun
 * with a plan of its own and a token of its own.
 */
async function world() {
  const { app, db } = await createTestApp({ as: null, currentYear: true, today })
  const malmo = await db
    .selectFrom('municipality')
    .select('id')
    .where('name', '=', 'Malmö stad')
    .executeTakeFirstOrThrow()
  const lundCommittee = await db.transaction().execute((trx) =>
    ensureOrganisation(trx, admin, {
      municipality: 'Lunds kommun',
      administration: 'Barn- och skolförvaltningen',
      diaryPrefix: 'BSF',
      committee: 'Barn- och skolnämnden',
      units: ['Ekonomienheten'],
    }),
  )
  const lund = await db
    .selectFrom('municipality')
    .select('id')
    .where('name', '=', 'Lunds kommun')
    .executeTakeFirstOrThrow()
  const lundPlan = await auditedTransaction(db, admin, 'create', { entity: 'plan', planId: null }, (trx) =>
    insertPlan(trx, {
      committee_id: lundCommittee,
      year: 2021,
      title: 'Internkontrollplan 2021 Lund',
      introduction: '',
      measures_introduction: '',
      adopted_meeting_date: null,
      adopted_minutes_paragraph: null,
    }),
  )
  const tokenOf = (municipalityId: number, name: string) =>
    db.transaction().execute((trx) => createToken(trx, admin, { municipalityId, name }))
  const malmoToken = await tokenOf(malmo.id, 'Intranätet')
  const lundToken = await tokenOf(lund.id, 'Lunds BI')
  const plan = (committee: string, year: number) =>
    db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.name', '=', committee)
      .where('plan.year', '=', year)
      .executeTakeFirstOrThrow()
  const get = (path: string, token: string | null = malmoToken.token) => {
    const request = supertest(app).get(`/api/v1${path}`)
    return token === null ? request : request.set('Authorization', `Bearer ${token}`)
  }
  return {
    app,
    db,
    malmo,
    lund,
    lundPlan,
    malmoToken,
    lundToken,
    get,
    school2021: (await plan('Grundskolenämnden', 2021)).id,
    school2020: (await plan('Grundskolenämnden', 2020)).id,
  }
}

/** A plan's measures counted the slow way: every row read and judged in JavaScript. */
async function expectedCounts(db: Db, planId: number) {
  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select(['measure.status', 'measure.due_date'])
    .where('risk.plan_id', '=', planId)
    .execute()
  return {
    total: measures.length,
    overdue: measures.filter((m) => isOverdue(m, today)).length,
    byStatus: Object.fromEntries(
      measureStatuses.map((s) => [s.code, measures.filter((m) => m.status === s.code).length]),
    ),
  }
}

const tokenEvents = (db: Db) =>
  db.selectFrom('audit_event').selectAll().where('entity', '=', 'api_token').orderBy('id').execute()

describe('the API’s answers', () => {
  it('lists the municipality’s committees and companies, and no other municipality’s', async () => {
    const w = await world()
    const response = await w.get('/committees').expect(200)
    expectDocumented(response, '/committees')
    expect(response.body.items.map((c: { name: string }) => c.name)).toEqual([
      'Förskolenämnden',
      'Grundskolenämnden',
      'Malmö Stadsfastigheter AB',
    ])
    expect(response.body.items[2]).toMatchObject({ kind: 'company', kindLabel: 'Kommunalt bolag' })
    const lund = await w.get('/committees', w.lundToken.token).expect(200)
    expect(lund.body.items.map((c: { name: string }) => c.name)).toEqual(['Barn- och skolnämnden'])
  })

  it('lists the plans with their measures counted per status and overdue as the measures themselves say', async () => {
    const w = await world()
    const response = await w.get('/plans').expect(200)
    expectDocumented(response, '/plans')
    const plans = await w.db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select('plan.id')
      .where('committee.municipality_id', '=', w.malmo.id)
      .execute()
    expect(response.body.total).toBe(plans.length)
    expect(response.body.items).toHaveLength(plans.length)
    expect(response.body.next).toBeNull()
    for (const plan of response.body.items) {
      expect(plan.measures).toEqual(await expectedCounts(w.db, plan.id))
    }
    // The counts are not all zero: the test would pass on an empty plan otherwise.
    expect(response.body.items.some((p: { measures: { overdue: number } }) => p.measures.overdue > 0)).toBe(true)
    const of2020 = await w.get('/plans?year=2020').expect(200)
    expect(of2020.body.items.map((p: { id: number }) => p.id)).toEqual([w.school2020])
    const committee = await w.db
      .selectFrom('committee')
      .select('id')
      .where('name', '=', 'Förskolenämnden')
      .executeTakeFirstOrThrow()
    const preschool = await w.get(`/plans?committeeId=${committee.id}`).expect(200)
    expectDocumented(preschool, '/plans')
    expect(preschool.body.items.map((p: { committee: { id: number } }) => p.committee.id)).toEqual([committee.id])
    expect(preschool.body.items[0].adopted).toEqual({
      meetingDate: '2020-12-10',
      minutesParagraph: 187,
      diaryNumber: 'FSF-2020-04711',
    })
    expect(of2020.body.items[0].adopted).toBeNull()
  })

  it('gives a plan as its open-data document, valid by open data’s own schema, whether or not it is published', async () => {
    const w = await world()
    const published = await w.db
      .selectFrom('plan')
      .select('published_at')
      .where('id', '=', w.school2021)
      .executeTakeFirstOrThrow()
    expect(published.published_at).toBeNull()
    const response = await w.get(`/plans/${w.school2021}`).expect(200)
    expectDocumented(response, '/plans/{planId}')
    // The same check by the schema alone, compiled on its own as open data's consumers would.
    const ajv = new Ajv2020({ strict: true, allErrors: true })
    formats.default(ajv)
    const validate = ajv.compile(planSchema)
    expect(validate(response.body), ajv.errorsText(validate.errors)).toBe(true)
    expect(response.body).toMatchObject({
      schema: '/oppna-data/schema/plan-v1.json',
      asOf: today,
      municipality: { id: w.malmo.id, name: 'Malmö stad' },
      committee: { name: 'Grundskolenämnden', kind: 'committee' },
      plan: { id: w.school2021, year: 2021 },
    })
    expect(response.body).toEqual(await openPlanDocument(w.db, w.school2021, { now: new Date(`${today}T09:00:00Z`) }))
    const measures = response.body.risks.flatMap((r: { measures: { overdue: boolean }[] }) => r.measures)
    expect(measures.filter((m: { overdue: boolean }) => m.overdue)).toHaveLength(
      (await expectedCounts(w.db, w.school2021)).overdue,
    )
  })

  it('gives a plan’s risks and its measures, each measure with its status, unit, due date and overdue', async () => {
    const w = await world()
    const risks = await w.get(`/plans/${w.school2020}/risks`).expect(200)
    expectDocumented(risks, '/plans/{planId}/risks')
    expect(risks.body.items).toHaveLength(6)

    const measures = await w.get(`/plans/${w.school2020}/measures`).expect(200)
    expectDocumented(measures, '/plans/{planId}/measures')
    const rows = await w.db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select(['measure.id', 'measure.status', 'measure.due_date', 'owner_unit.name as unit', 'risk.title as risk'])
      .where('risk.plan_id', '=', w.school2020)
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute()
    expect(measures.body.total).toBe(rows.length)
    expect(
      measures.body.items.map((m: Record<string, { code?: string; name?: string; title?: string }>) => ({
        id: m.id,
        status: m.status?.code,
        due_date: m.dueDate,
        unit: m.ownerUnit?.name,
        risk: m.risk?.title,
      })),
    ).toEqual(rows.map((r) => ({ id: r.id, status: r.status, due_date: r.due_date, unit: r.unit, risk: r.risk })))
    expect(measures.body.items.map((m: { overdue: boolean }) => m.overdue)).toEqual(
      rows.map((r) => isOverdue(r, today)),
    )
  })

  it('filters measures by status and by overdue, in SQL, with the totals to match', async () => {
    const w = await world()
    const expected = await expectedCounts(w.db, w.school2021)
    for (const status of measureStatuses) {
      const response = await w.get(`/plans/${w.school2021}/measures?status=${status.code}`).expect(200)
      expectDocumented(response, '/plans/{planId}/measures')
      expect(response.body.total).toBe(expected.byStatus[status.code])
      expect(
        response.body.items.every(
          (m: { status: { code: string; label: string } }) =>
            m.status.code === status.code && m.status.label === status.label,
        ),
      ).toBe(true)
    }
    const overdue = await w.get(`/plans/${w.school2021}/measures?overdue=true`).expect(200)
    expect(overdue.body.total).toBe(expected.overdue)
    expect(overdue.body.total).toBeGreaterThan(0)
    expect(overdue.body.items.every((m: { overdue: boolean }) => m.overdue)).toBe(true)
    const onTime = await w.get(`/plans/${w.school2021}/measures?overdue=false`).expect(200)
    expect(onTime.body.total).toBe(expected.total - expected.overdue)
    expect(onTime.body.items.every((m: { overdue: boolean }) => !m.overdue)).toBe(true)
  })

  it('pages a list with limit and offset, and the next page’s address walks all of it once', async () => {
    const w = await world()
    const all = (await w.get(`/plans/${w.school2020}/measures?limit=500`).expect(200)).body.items.map(
      (m: { id: number }) => m.id,
    )
    const seen: number[] = []
    let next: string | null = `/plans/${w.school2020}/measures?limit=5`
    while (next) {
      const page: supertest.Response = await w.get(next.replace('/api/v1', '')).expect(200)
      expectDocumented(page, '/plans/{planId}/measures')
      expect(page.body.limit).toBe(5)
      seen.push(...page.body.items.map((m: { id: number }) => m.id))
      next = page.body.next
    }
    expect(all.length).toBeGreaterThan(5)
    expect(seen).toEqual(all)
  })

  it('answers the roll-up’s figures per committee and the combined matrix, as the roll-up page counts them', async () => {
    const w = await world()
    const response = await w.get('/rollup/2021').expect(200)
    expectDocumented(response, '/rollup/{year}')
    expect(response.body.municipality).toEqual({ id: w.malmo.id, name: 'Malmö stad' })
    const names = response.body.committees.map((c: { committee: { name: string } }) => c.committee.name)
    expect(names).toEqual(['Förskolenämnden', 'Grundskolenämnden', 'Malmö Stadsfastigheter AB'])
    for (const row of response.body.committees) {
      expect(row.plan.measures).toEqual(await expectedCounts(w.db, row.plan.id))
    }
    const preschool = response.body.committees[0].plan
    expect(preschool.lights.total).toBeGreaterThan(0)
    const risks = await w.db
      .selectFrom('risk')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['risk.likelihood', 'risk.consequence'])
      .where('plan.year', '=', 2021)
      .where('committee.municipality_id', '=', w.malmo.id)
      .execute()
    const scored = risks.filter((r) => r.likelihood !== null && r.consequence !== null)
    expect(response.body.matrix.scored).toBe(scored.length)
    expect(response.body.matrix.unscored).toBe(risks.length - scored.length)
    const cell = (l: number, c: number) =>
      response.body.matrix.cells.find(
        (x: { likelihood: number; consequence: number }) => x.likelihood === l && x.consequence === c,
      )
    for (const r of scored) expect(cell(r.likelihood as number, r.consequence as number).count).toBeGreaterThan(0)

    const administration = await w.db
      .selectFrom('administration')
      .innerJoin('committee', 'committee.administration_id', 'administration.id')
      .select('administration.id')
      .where('committee.name', '=', 'Grundskolenämnden')
      .executeTakeFirstOrThrow()
    const filtered = await w.get(`/rollup/2021?administrationId=${administration.id}`).expect(200)
    expectDocumented(filtered, '/rollup/{year}')
    expect(filtered.body.administrationId).toBe(administration.id)
    expect(
      filtered.body.committees.every(
        (c: { committee: { administration: { id: number } } }) => c.committee.administration.id === administration.id,
      ),
    ).toBe(true)
  })

  it('names the latest final report of a plan in the roll-up by version and date, not by who made it', async () => {
    const w = await world()
    await insertReportVersion(w.db, {
      planId: w.school2021,
      versionNumber: 1,
      fileName: 'Uppföljning 2021.pdf',
      pdf: new TextEncoder().encode('%PDF-1.7'),
      createdAt: '2021-03-10T09:00:00Z',
      createdBy: 'Sara Sekreterare',
    })
    const response = await w.get('/rollup/2021').expect(200)
    expectDocumented(response, '/rollup/{year}')
    const school = response.body.committees.find((c: { plan: { id: number } | null }) => c.plan?.id === w.school2021)
    expect(school.plan.latestReport).toEqual({ versionNumber: 1, date: '2021-03-10' })
    expect(response.text).not.toContain('Sara Sekreterare')
  })

  it('names units, never people: no account’s name and no responsible person in any answer', async () => {
    const w = await world()
    const risk = await w.db
      .selectFrom('risk')
      .select('id')
      .where('plan_id', '=', w.school2021)
      .executeTakeFirstOrThrow()
    const unit = await w.db.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
    const measureId = await aMeasure(w.db, risk.id, unit.id, { title: 'Uppdatera rutinen' })
    await w.db
      .updateTable('measure')
      .set({ responsible_person: 'Ingrid Persson' })
      .where('id', '=', measureId)
      .execute()
    const people = [
      'Ingrid Persson',
      ...(await w.db.selectFrom('app_user').select('name').execute()).map((u) => u.name),
      ...(await w.db.selectFrom('control').select('responsible_person').execute())
        .map((c) => c.responsible_person)
        .filter((name) => name !== ''),
    ]
    expect(people.length).toBeGreaterThan(3)
    const plans = (await w.get('/plans').expect(200)).body.items as { id: number }[]
    const answers = [
      await w.get('/committees'),
      await w.get('/plans'),
      await w.get('/rollup/2021'),
      await w.get('/rollup/2020'),
      ...(await Promise.all(plans.map((p) => w.get(`/plans/${p.id}`)))),
      ...(await Promise.all(plans.map((p) => w.get(`/plans/${p.id}/risks`)))),
      ...(await Promise.all(plans.map((p) => w.get(`/plans/${p.id}/measures?limit=500`)))),
    ]
    expect(answers.every((a) => a.status === 200)).toBe(true)
    // The measure whose responsible person is named is among the answers, by its title and unit.
    expect(answers.some((a) => a.text.includes('Uppdatera rutinen'))).toBe(true)
    for (const answer of answers) {
      for (const person of people) expect(answer.text).not.toContain(person)
    }
  })

  it('serves its description without a token, as checked in', async () => {
    const w = await world()
    const response = await supertest(w.app).get('/api/v1/openapi.json').expect(200)
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.body.openapi).toBe('3.1.0')
    expect(Object.keys(response.body.paths)).toContain('/plans/{planId}/measures')
    expect(response.headers['set-cookie']).toBeUndefined()
  })
})

describe('the API’s errors', () => {
  it('answers a parameter it cannot use with a documented 400 problem', async () => {
    const w = await world()
    for (const [path, template] of [
      [`/plans/${w.school2020}/measures?limit=501`, '/plans/{planId}/measures'],
      [`/plans/${w.school2020}/measures?limit=0`, '/plans/{planId}/measures'],
      [`/plans/${w.school2020}/measures?status=klar`, '/plans/{planId}/measures'],
      [`/plans/${w.school2020}/measures?overdue=ja`, '/plans/{planId}/measures'],
      ['/plans?year=21', '/plans'],
      ['/plans?offset=-1', '/plans'],
      [`/rollup/2021?administrationId=99999`, '/rollup/{year}'],
      ['/plans?committeeId=99999', '/plans'],
    ] as const) {
      const response = await w.get(path).expect(400)
      expectDocumented(response, template)
      expect(JSON.parse(response.text)).toMatchObject({ status: 400, title: 'Felaktig begäran' })
    }
  })

  it('answers an unknown plan, a plan of another municipality and a year that is no year with the same 404', async () => {
    const w = await world()
    for (const [path, template] of [
      ['/plans/999999', '/plans/{planId}'],
      [`/plans/${w.lundPlan}`, '/plans/{planId}'],
      [`/plans/${w.lundPlan}/measures`, '/plans/{planId}/measures'],
      [`/plans/${w.lundPlan}/risks`, '/plans/{planId}/risks'],
      ['/plans/abc', '/plans/{planId}'],
      ['/rollup/21', '/rollup/{year}'],
    ] as const) {
      const response = await w.get(path).expect(404)
      expectDocumented(response, template)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    }
    // Lund's token reaches Lund's plan and not Malmö's.
    await w.get(`/plans/${w.lundPlan}`, w.lundToken.token).expect(200)
    const malmoPlan = await w.get(`/plans/${w.school2020}`, w.lundToken.token).expect(404)
    const unknown = await w.get('/plans/999999', w.lundToken.token).expect(404)
    expect(malmoPlan.text).toBe(unknown.text)
    // Another municipality's administration reads as one that does not exist.
    const lundAdministration = await w.db
      .selectFrom('administration')
      .select('id')
      .where('municipality_id', '=', w.lund.id)
      .executeTakeFirstOrThrow()
    const foreign = await w.get(`/rollup/2021?administrationId=${lundAdministration.id}`).expect(400)
    const missing = await w.get('/rollup/2021?administrationId=99999').expect(400)
    expect(foreign.text).toBe(missing.text)
    // So does another municipality's committee.
    const lundCommittee = await w.db
      .selectFrom('committee')
      .select('id')
      .where('municipality_id', '=', w.lund.id)
      .executeTakeFirstOrThrow()
    const foreignCommittee = await w.get(`/plans?committeeId=${lundCommittee.id}`).expect(400)
    expectDocumented(foreignCommittee, '/plans')
    expect(foreignCommittee.text).toBe((await w.get('/plans?committeeId=99999').expect(400)).text)
    await w.get(`/plans?committeeId=${lundCommittee.id}`, w.lundToken.token).expect(200)
    const lundRollup = await w.get('/rollup/2021', w.lundToken.token).expect(200)
    expect(lundRollup.body.committees.map((c: { committee: { name: string } }) => c.committee.name)).toEqual([
      'Barn- och skolnämnden',
    ])
  })

  it('refuses every method but GET with 405 and Allow, before looking at the token', async () => {
    const w = await world()
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const response = await supertest(w.app)
        [method](`/api/v1/plans/${w.school2020}`)
        .set('Authorization', `Bearer ${w.malmoToken.token}`)
        .expect(405)
      expect(response.headers.allow).toBe('GET, HEAD')
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(JSON.parse(response.text)).toMatchObject({ status: 405, title: 'Metoden tillåts inte' })
    }
    expect(await tokenEvents(w.db)).toHaveLength(2) // the two creates
  })

  it('answers an address it does not have with a 404 problem', async () => {
    const w = await world()
    const response = await w.get('/planer').expect(404)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    await supertest(w.app)
      .get('/api/v2/plans')
      .expect(404)
      .expect('Content-Type', /problem\+json/)
  })
})

describe('the API’s tokens', () => {
  it('answers no token, a wrong one, another scheme and a revoked one with 401, WWW-Authenticate and a problem', async () => {
    const w = await world()
    const noToken = await w.get('/plans', null).expect(401)
    expectDocumented(noToken, '/plans')
    expect(noToken.headers['www-authenticate']).toBe('Bearer realm="Internkontroll API"')
    expect(JSON.parse(noToken.text)).toMatchObject({ status: 401, title: 'Behörighet saknas' })

    const wrong = await w.get('/plans', `ik_${'A'.repeat(43)}`).expect(401)
    expectDocumented(wrong, '/plans')
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="Internkontroll API", error="invalid_token"')

    const basic = await supertest(w.app)
      .get('/api/v1/plans')
      .set('Authorization', `Basic ${Buffer.from(`x:${w.malmoToken.token}`).toString('base64')}`)
      .expect(401)
    expect(basic.headers['www-authenticate']).toMatch(/^Bearer/)
    // The hash is not a key either.
    await w.get('/plans', tokenSha256(w.malmoToken.token)).expect(401)

    await w.get('/plans').expect(200)
    await w.db.transaction().execute((trx) => revokeToken(trx, admin, w.malmoToken.id))
    const revoked = await w.get('/plans').expect(401)
    expectDocumented(revoked, '/plans')
    expect(JSON.parse(revoked.text).detail).toContain('återkallad')
    // Lund's own token still works.
    await w.get('/plans', w.lundToken.token).expect(200)
  })

  it('records every use as one audited update of the token, before answering, and the log verifies', async () => {
    const w = await world()
    const before = await tokenEvents(w.db)
    await w.get('/committees').expect(200)
    await w.get(`/plans/${w.school2020}/measures?status=done`).expect(200)
    await w.get(`/plans/${w.lundPlan}`).expect(404) // a use all the same
    await w.get('/plans', 'ik_unknown').expect(401) // no token, no use
    await supertest(w.app).get('/api/v1/openapi.json').expect(200)
    const events = (await tokenEvents(w.db)).slice(before.length)
    expect(events.map((e) => [e.action, e.entity_id, e.plan_id, e.user_id, e.user_name])).toEqual(
      Array(3).fill(['update', w.malmoToken.id, null, null, `API-nyckel Intranätet (${w.malmoToken.prefix}…)`]),
    )
    const after = events.map((e) => JSON.parse(e.after as string))
    expect(after.map((a) => [a.use_count, a.last_used_path, a.last_used_at])).toEqual([
      [1, '/api/v1/committees', '2021-03-15T09:00:00.000Z'],
      [2, `/api/v1/plans/${w.school2020}/measures?status=done`, '2021-03-15T09:00:00.000Z'],
      [3, `/api/v1/plans/${w.lundPlan}`, '2021-03-15T09:00:00.000Z'],
    ])
    const row = await w.db
      .selectFrom('api_token')
      .selectAll()
      .where('id', '=', w.malmoToken.id)
      .executeTakeFirstOrThrow()
    expect(row.use_count).toBe(3)
    // Neither the token nor its hash is in the log.
    const log = JSON.stringify(await w.db.selectFrom('audit_event').selectAll().execute())
    expect(log).not.toContain(w.malmoToken.token)
    expect(log).not.toContain(row.token_sha256)
    expect(await verifyAudit(w.db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('sets no cookie and ignores a session: a signed-in administrator without a token gets 401', async () => {
    const w = await world()
    const agent = supertest.agent(w.app)
    await logIn(agent, 'admin')
    const withSession = await agent.get('/api/v1/plans').expect(401)
    expect(withSession.headers['set-cookie']).toBeUndefined()
    const answers = [
      await w.get('/plans'),
      await w.get('/rollup/2021'),
      await w.get('/plans', 'ik_wrong'),
      await w.get('/plans/999999'),
      await supertest(w.app).post('/api/v1/plans'),
      await supertest(w.app).get('/api/v1/openapi.json'),
    ]
    expect(answers.map((a) => a.headers['set-cookie'])).toEqual(answers.map(() => undefined))
    expect(answers.map((a) => a.headers['cache-control'])).toEqual(answers.map(() => 'no-store'))
  })
})
