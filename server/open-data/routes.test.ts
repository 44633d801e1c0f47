import Ajv2020 from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../../db/seed/demo.js'
import { anotherPlan, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { hashPassword } from '../auth/passwords.js'
import { grantCommitteeRole, insertUser } from '../auth/repository.js'
import { insertReportVersion } from '../reports/repository.js'
import type { OpenPlanDocument } from './document.js'
import schema from './plan.schema.json' with { type: 'json' }
import { setPublished } from './repository.js'

const ajv = new Ajv2020.default({ strict: true, allErrors: true })
addFormats.default(ajv)
const validate = ajv.compile(schema)

async function setup() {
  const { app, agent, db } = await createTestApp()
  const { planId } = await demoPlan(db)
  // The source of the demo's 2020 plan does not say when it was adopted; only an adopted plan can be published.
  await db
    .updateTable('plan')
    .set({ adopted_meeting_date: '2020-02-19', adopted_minutes_paragraph: 21, adopted_diary_number: 'GRF-2020-00123' })
    .where('id', '=', planId)
    .execute()
  const anonymous = supertest(app)
  const publicPaths = [
    `/oppna-data/planer/${planId}.json`,
    `/oppna-data/planer/${planId}.csv`,
    `/oppna-data/planer/${planId}/rapporter/1.json`,
    `/oppna-data/planer/${planId}/rapporter/1.csv`,
  ]
  return { app, agent, db, planId, anonymous, publicPaths }
}

const publish = (agent: TestAgent, planId: number) =>
  submitForm(agent, `/planer/${planId}`, {}, 303, `/planer/${planId}/publicera`)

/** A version stored as the app stores one, with its frozen copy. */
async function aFinalVersion(db: Awaited<ReturnType<typeof setup>>['db'], planId: number) {
  const { frozenOpenData, openPlanDocument } = await import('./document.js')
  const pdf = new TextEncoder().encode('%PDF-1.7')
  const createdAt = '2021-03-15T09:00:00.000Z'
  const document = (await openPlanDocument(db, planId, { now: new Date(createdAt) })) as OpenPlanDocument
  await insertReportVersion(db, {
    planId,
    versionNumber: 1,
    fileName: 'Uppföljning (version 1).pdf',
    pdf,
    createdAt,
    createdBy: 'Sara Sekreterare',
    openData: (sha256) => frozenOpenData(document, { versionNumber: 1, createdAt, sha256 }),
  })
}

describe('open data, public', () => {
  it('is a 404 for everyone without login while the plan is not published, and not in the index', async () => {
    const { db, planId, anonymous, publicPaths } = await setup()
    await aFinalVersion(db, planId)
    for (const path of publicPaths) {
      const response = await anonymous.get(path)
      expect({ path, status: response.status }).toEqual({ path, status: 404 })
      expect(response.headers['content-type']).toContain('text/html')
    }
    // Not the login page either: open-data paths never ask anyone to log in.
    await anonymous.get('/oppna-data/planer/ingen.json').expect(404)
    await anonymous.get('/oppna-data/okant').expect(404)
    const index = html((await anonymous.get('/oppna-data').expect(200)).text)
    expect(index('main').text()).toContain('Inga planer är publicerade som öppna data ännu.')
  })

  it('has one address per file: other spellings of a published file are 404', async () => {
    const { agent, db, planId, anonymous, publicPaths } = await setup()
    await aFinalVersion(db, planId)
    await publish(agent, planId)
    for (const path of publicPaths) await anonymous.get(path).expect(200)
    for (const path of [
      `/oppna-data/planer/0${planId}.json`,
      `/oppna-data/planer/${planId}.JSON`,
      `/oppna-data/planer/${planId}.Csv`,
      `/oppna-data/planer/${planId}.json/`,
      `/oppna-data/planer/${planId}/rapporter/01.json`,
      `/oppna-data/planer/${planId}/rapporter/1.CSV`,
      '/oppna-data/schema/PLAN-v1.json',
    ]) {
      const response = await anonymous.get(path)
      expect({ path, status: response.status }).toEqual({ path, status: 404 })
    }
  })

  it('is served to everyone without login once the secretary publishes it, with types, file name and caching', async () => {
    const { agent, db, planId, anonymous, publicPaths } = await setup()
    await aFinalVersion(db, planId)
    const response = await publish(agent, planId)
    expect(response.headers.location).toBe(`/planer/${planId}#open-data-heading`)

    const json = await anonymous.get(publicPaths[0] as string).expect(200)
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(json.headers['cache-control']).toBe('public, max-age=300')
    expect(json.headers['access-control-allow-origin']).toBe('*')
    expect(json.headers['set-cookie']).toBeUndefined()
    expect(validate(json.body)).toBe(true)
    expect(json.body.plan.id).toBe(planId)

    const csv = await anonymous.get(publicPaths[1] as string).expect(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present')
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="Grundskolen.*Internkontrollplan 2020\.csv"/,
    )
    expect(csv.text.split('\r\n')[0]).toContain('Kommun;Förvaltning;Nämnd eller bolag')

    const frozen = await anonymous.get(publicPaths[2] as string).expect(200)
    expect(frozen.headers['cache-control']).toBe('public, max-age=3600')
    expect(frozen.body.finalReport.versionNumber).toBe(1)
    expect(validate(frozen.body)).toBe(true)
    const frozenCsv = await anonymous.get(publicPaths[3] as string).expect(200)
    expect(frozenCsv.headers['content-disposition']).toContain('version 1.csv')
    // A version not stored, and one stored before open data (open_data null), are not offered.
    await anonymous.get(`/oppna-data/planer/${planId}/rapporter/2.json`).expect(404)
    await insertReportVersion(db, {
      planId,
      versionNumber: 2,
      fileName: 'Uppföljning (version 2).pdf',
      pdf: new TextEncoder().encode('%PDF-1.7 2'),
      createdAt: '2021-03-16T09:00:00.000Z',
      createdBy: 'Sara Sekreterare',
    })
    await anonymous.get(`/oppna-data/planer/${planId}/rapporter/2.json`).expect(404)

    const index = html((await anonymous.get('/oppna-data').expect(200)).text)
    const links = index('main a')
      .map((_, a) => index(a).attr('href'))
      .get()
    expect(links).toEqual(expect.arrayContaining([...publicPaths, '/oppna-data/schema/plan-v1.json']))
    expect(links).not.toContain(`/oppna-data/planer/${planId}/rapporter/2.json`)
    expect(index('main').text()).toContain('Grundskolenämnden')

    const schemaFile = await anonymous.get('/oppna-data/schema/plan-v1.json').expect(200)
    expect(schemaFile.headers['content-type']).toContain('application/schema+json')
    expect(JSON.parse(schemaFile.text).$id).toBe('/oppna-data/schema/plan-v1.json')
  })

  it('shows on the plan page that it is public, with its links, and logs the change of published_at', async () => {
    const { app, agent, db, planId } = await setup()
    const before = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(before('#open-data-heading').parent().text()).toContain('Planen är inte publicerad som öppna data.')
    await publish(agent, planId)
    const page = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(page('.notice').text()).toContain('Planen är publicerad som öppna data.')
    const section = page('#open-data-heading').parent()
    expect(section.text()).toContain('Planen är publicerad som öppna data sedan 2021-03-15')
    expect(
      section
        .find('a')
        .map((_, a) => page(a).attr('href'))
        .get(),
    ).toEqual(expect.arrayContaining([`/oppna-data/planer/${planId}.json`, `/oppna-data/planer/${planId}.csv`]))
    expect(section.find(`form[action="/planer/${planId}/sluta-publicera"] button`).text()).toBe('Sluta publicera')
    const event = await db
      .selectFrom('audit_event')
      .select(['action', 'entity', 'before', 'after'])
      .where('entity', '=', 'plan')
      .where('entity_id', '=', planId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(event.action).toBe('update')
    expect(JSON.parse(String(event.before)).published_at).toBeNull()
    expect(JSON.parse(String(event.after)).published_at).toBe('2021-03-15T09:00:00.000Z')
    // The plan's history says it in Swedish time.
    expect(page('.record-history, #history-heading').parent().text().replace(/\s+/g, ' ')).toContain(
      'Publicerad som öppna data: – → 2021-03-15 10:00',
    )
    const reader = supertest.agent(app)
    await logIn(reader, 'lasare')
    const readerPage = html((await reader.get(`/planer/${planId}`).expect(200)).text)
    const readerSection = readerPage('#open-data-heading').parent()
    expect(readerSection.text()).toContain('Planen är publicerad som öppna data')
    expect(readerSection.find('form')).toHaveLength(0)
  })

  it('hides the plan’s and its reports’ copies again when the secretary stops publishing', async () => {
    const { agent, db, planId, anonymous, publicPaths } = await setup()
    await aFinalVersion(db, planId)
    await publish(agent, planId)
    for (const path of publicPaths) await anonymous.get(path).expect(200)
    await submitForm(agent, `/planer/${planId}`, {}, 303, `/planer/${planId}/sluta-publicera`)
    for (const path of publicPaths) await anonymous.get(path).expect(404)
    const plan = await db.selectFrom('plan').select('published_at').where('id', '=', planId).executeTakeFirstOrThrow()
    expect(plan.published_at).toBeNull()
    expect(html((await anonymous.get('/oppna-data').expect(200)).text)('main').text()).toContain(
      'Inga planer är publicerade',
    )
  })

  it('decides in the update itself: a publish read before another’s (two clicks at once) changes nothing', async () => {
    // Two posts at once both read the plan unpublished; what the second may still change is this update's to refuse.
    const { db, planId } = await setup()
    const at = (second: number) => `2021-03-15T09:00:0${second}.000Z`
    const plan = () =>
      db.selectFrom('plan').select(['published_at', 'version']).where('id', '=', planId).executeTakeFirstOrThrow()
    const { version } = await plan()
    expect([await setPublished(db, planId, at(1)), await setPublished(db, planId, at(2))]).toEqual([true, false])
    expect(await plan()).toEqual({ published_at: at(1), version: version + 1 })
    expect([await setPublished(db, planId, null), await setPublished(db, planId, null)]).toEqual([true, false])
    expect(await plan()).toEqual({ published_at: null, version: version + 2 })
    expect(await setPublished(db, await anotherPlan(db), at(3))).toBe(false)
  })

  it('publishes only an adopted plan, and says so in Swedish', async () => {
    const { agent, db, anonymous } = await setup()
    const planId = await anotherPlan(db)
    const page = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(page('#open-data-heading').parent().text()).toContain(
      'Planen kan publiceras som öppna data först när den är antagen.',
    )
    expect(page(`form[action="/planer/${planId}/publicera"]`)).toHaveLength(0)
    const token = String(page('input[name="_csrf"]').first().val())
    await agent.post(`/planer/${planId}/publicera`).type('form').send({ _csrf: token }).expect(303)
    const after = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(after('.notice').text()).toContain('Planen kan inte publiceras som öppna data förrän den är antagen')
    const plan = await db.selectFrom('plan').select('published_at').where('id', '=', planId).executeTakeFirstOrThrow()
    expect(plan.published_at).toBeNull()
    await anonymous.get(`/oppna-data/planer/${planId}.json`).expect(404)
  })
})

describe('who may publish', () => {
  it('is the committee’s secretary only: owner, reader, coordinator and another committee’s secretary get 403', async () => {
    const { app, db, planId, anonymous } = await setup()
    const other = await db
      .insertInto('committee')
      .values(
        await db
          .selectFrom('committee')
          .select(['municipality_id', 'administration_id'])
          .select((eb) => eb.val('Förskolenämnden').as('name'))
          .executeTakeFirstOrThrow(),
      )
      .returning('id')
      .executeTakeFirstOrThrow()
    const otherSecretary = await insertUser(db, {
      email: 'annan.sekreterare@demo.internkontroll.se',
      name: 'Annan Sekreterare',
      passwordHash: await hashPassword(demoPassword),
      isAdmin: false,
      createdAt: '2021-01-01T00:00:00.000Z',
    })
    await grantCommitteeRole(db, otherSecretary, other.id, 'secretary')

    const agents: [string, TestAgent][] = []
    for (const login of ['hr', 'lasare', 'samordnare', 'admin'] as const) {
      const agent = supertest.agent(app)
      await logIn(agent, login)
      agents.push([login, agent])
    }
    const otherAgent = supertest.agent(app)
    await submitForm(
      otherAgent,
      '/logga-in',
      { email: 'annan.sekreterare@demo.internkontroll.se', password: demoPassword },
      303,
      '/logga-in',
    )
    agents.push(['annan sekreterare', otherAgent])
    for (const [who, agent] of agents) {
      const token = String(html((await agent.get('/konto/losenord').expect(200)).text)('input[name="_csrf"]').val())
      for (const action of ['publicera', 'sluta-publicera']) {
        const response = await agent.post(`/planer/${planId}/${action}`).type('form').send({ _csrf: token })
        expect({ who, action, status: response.status }).toEqual({ who, action, status: 403 })
      }
    }
    // Nobody else's try published it.
    await anonymous.get(`/oppna-data/planer/${planId}.json`).expect(404)
    // Without login (and so without a token) the post is refused, and still nothing is published.
    await anonymous.post(`/planer/${planId}/publicera`).type('form').send({}).expect(403)
    await anonymous.get(`/oppna-data/planer/${planId}.json`).expect(404)
  })
})

describe('a final report’s copy', () => {
  it('is frozen when the version is made final, and does not change when the plan changes', async () => {
    const { agent, db, planId, anonymous } = await setup()
    await submitForm(agent, `/planer/${planId}/rapport`, { createdBy: 'Sara Sekreterare, nämndsekreterare' }, 303)
    // Publishing changes no word of the report: its preview is still the final version.
    await publish(agent, planId)
    const edition = html((await agent.get(`/planer/${planId}/rapport`).expect(200)).text)('.report-cover__edition')
    expect(edition.text()).toBe('Version 1, fastställd 2021-03-15 av Sara Sekreterare, nämndsekreterare')
    const version = await db
      .selectFrom('report_version')
      .select(['sha256', 'created_at', 'open_data'])
      .where('plan_id', '=', planId)
      .executeTakeFirstOrThrow()
    const frozen = await anonymous.get(`/oppna-data/planer/${planId}/rapporter/1.json`).expect(200)
    expect(validate(frozen.body)).toBe(true)
    expect(frozen.body.finalReport).toEqual({ versionNumber: 1, createdAt: version.created_at, sha256: version.sha256 })
    expect(frozen.text).not.toContain('Sara Sekreterare')
    const frozenCsv = (await anonymous.get(`/oppna-data/planer/${planId}/rapporter/1.csv`).expect(200)).text

    const measure = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select(['measure.id', 'measure.title'])
      .where('risk.plan_id', '=', planId)
      .executeTakeFirstOrThrow()
    await db.updateTable('measure').set({ title: 'Ändrad efter fastställandet' }).where('id', '=', measure.id).execute()
    await db.updateTable('plan').set({ title: 'Ny titel' }).where('id', '=', planId).execute()

    const current = await anonymous.get(`/oppna-data/planer/${planId}.json`).expect(200)
    expect(current.text).toContain('Ändrad efter fastställandet')
    const again = await anonymous.get(`/oppna-data/planer/${planId}/rapporter/1.json`).expect(200)
    expect(again.text).toBe(frozen.text)
    expect(again.text).toBe(version.open_data)
    expect(again.text).toContain(JSON.stringify(measure.title))
    expect(again.text).not.toContain('Ändrad efter fastställandet')
    expect((await anonymous.get(`/oppna-data/planer/${planId}/rapporter/1.csv`).expect(200)).text).toBe(frozenCsv)
  }, 60_000)
})
