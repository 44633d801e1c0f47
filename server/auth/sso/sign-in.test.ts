import cookieParser from 'cookie-parser'
import express from 'express'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../../db/connection.js'
import { loadDemoDataIfEmpty } from '../../../db/seed/demo.js'
import { loadConfig } from '../../../server/config.js'
import { aGroupRole, rowCount } from '../../../test/helpers/builders.js'
import { html, testPdf } from '../../../test/helpers/test-app.js'
import { openTestDatabase } from '../../../test/helpers/test-database.js'
import { createApp } from '../../app.js'
import { verifyAudit } from '../../audit/verify.js'
import { developmentAuditKey } from '../../config.js'
import { createViews, viewsDir } from '../../views.js'
import { type ExternalIdentity, signInIdentity } from './sign-in.js'

/**
 * The demo's app, and in front of it one route that signs in whatever identity the test names, as a provider's
 * callback does once it has verified one: what both providers share, tested without either.
 */
async function appWithSignIn(env: Record<string, string> = {}) {
  const config = loadConfig({ NODE_ENV: 'test', SECRET: 'test-secret-that-is-long-enough-for-hmac', ...env })
  const db = await openTestDatabase()
  const now = new Date('2021-03-15T09:00:00Z')
  await loadDemoDataIfEmpty(db, now, { currentYear: false })
  const services = { db, config, clock: () => now, pdf: testPdf }
  const outer = express()
  const views = createViews()
  outer.engine('.hbs', views.engine)
  outer.set('view engine', '.hbs')
  outer.set('views', viewsDir)
  outer.use(cookieParser())
  outer.get('/test-sign-in', (req, res) =>
    signInIdentity(services, req, res, JSON.parse(String(req.query.identity)), String(req.query.till ?? '')),
  )
  outer.use(createApp(services))
  const browser = () => supertest.agent(outer)
  const signIn = (agent: ReturnType<typeof browser>, identity: Partial<ExternalIdentity>, till = '') =>
    agent.get('/test-sign-in').query({ identity: JSON.stringify({ ...anna, ...identity }), till })
  return { db, browser, signIn }
}

const anna: ExternalIdentity = {
  provider: 'oidc',
  subject: 'https://idp.example 1234',
  email: 'Anna.Andersson@Kommun.example',
  emailVerified: true,
  name: 'Anna Andersson',
  groups: [],
}

const committeeId = async (db: Db) => (await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()).id

const userNamed = (db: Db, email: string) =>
  db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst()

describe('signing in with an identity from the organisation’s provider', () => {
  it('creates the user at the first sign-in, with the roles the groups map to, and starts a session', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    await aGroupRole(db, 'IK-LÄSARE', 'reader', await committeeId(db))
    const agent = browser()
    const done = await signIn(agent, { groups: ['ik-läsare', 'Other'] }, '/planer').expect(303)
    expect(done.headers.location).toBe('/planer')
    const user = await userNamed(db, 'anna.andersson@kommun.example')
    expect(user).toMatchObject({ name: 'Anna Andersson', is_admin: 0, disabled: 0 })
    const roles = await db
      .selectFrom('committee_role')
      .selectAll()
      .where('user_id', '=', user?.id as number)
      .execute()
    expect(roles.map((r) => r.role)).toEqual(['reader'])
    const page = html((await agent.get('/planer').expect(200)).text)
    expect(page('.site-header__account').text()).toContain('Anna Andersson')
    const log = await db
      .selectFrom('audit_event')
      .select(['entity', 'action', 'user_name', 'after'])
      .orderBy('id')
      .execute()
    expect(log.slice(-2).map((e) => [e.entity, e.action])).toEqual([
      ['app_user', 'create'],
      ['login', 'create'],
    ])
    expect(JSON.parse(String(log.at(-1)?.after))).toEqual({
      email: 'anna.andersson@kommun.example',
      address: expect.any(String),
      provider: 'oidc',
    })
  })

  it('finds the user by subject: a new e-mail and name update the same user, and a group gone takes its role', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    const committee = await committeeId(db)
    await aGroupRole(db, 'ik-sekreterare', 'secretary', committee)
    await signIn(browser(), { groups: ['ik-sekreterare'] }).expect(303)
    const users = await rowCount(db, 'app_user')
    const id = (await userNamed(db, 'anna.andersson@kommun.example'))?.id as number
    // A role the administrator gives by hand stays whatever the groups say.
    await db.insertInto('committee_role').values({ user_id: id, committee_id: committee, role: 'reader' }).execute()
    await signIn(browser(), { email: 'anna.berg@kommun.example', name: 'Anna Berg', groups: [] }).expect(303)
    expect(await rowCount(db, 'app_user')).toBe(users)
    expect(await db.selectFrom('app_user').select(['email', 'name']).where('id', '=', id).execute()).toEqual([
      { email: 'anna.berg@kommun.example', name: 'Anna Berg' },
    ])
    const roles = await db.selectFrom('committee_role').select('role').where('user_id', '=', id).execute()
    expect(roles).toEqual([{ role: 'reader' }])
    const change = await db
      .selectFrom('audit_event')
      .select(['before', 'after'])
      .where('entity', '=', 'app_user')
      .where('entity_id', '=', id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(String(change.before)).roles).toContain(`secretary:${committee}`)
    expect(JSON.parse(String(change.after)).roles).not.toContain(`secretary:${committee}`)
  })

  it('links the account an administrator made with the same e-mail when the provider vouches for it', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    const users = await rowCount(db, 'app_user')
    await signIn(browser(), { email: 'lasare@demo.internkontroll.se', name: 'Lars Lind' }).expect(303)
    expect(await rowCount(db, 'app_user')).toBe(users)
    const lars = await userNamed(db, 'lasare@demo.internkontroll.se')
    expect(
      await db
        .selectFrom('committee_role')
        .select('role')
        .where('user_id', '=', lars?.id as number)
        .execute(),
    ).toEqual([{ role: 'reader' }])
    // Once linked, another subject with that address is someone else, and refused rather than let in.
    const other = await signIn(browser(), {
      subject: 'https://idp.example 999',
      email: 'lasare@demo.internkontroll.se',
    })
    expect(other.status).toBe(403)
    expect(html(other.text)('main').text()).toContain('annan användare')
  })

  it('links no account by an address the provider does not vouch for, nor an administrator’s at all', async () => {
    const { db, browser, signIn } = await appWithSignIn({ BREAK_GLASS_EMAILS: 'sekreterare@demo.internkontroll.se' })
    const [users, links, log] = [
      await rowCount(db, 'app_user'),
      await rowCount(db, 'sso_identity'),
      await rowCount(db, 'audit_event'),
    ]
    const agent = browser()
    const unverified = await signIn(agent, { email: 'lasare@demo.internkontroll.se', emailVerified: false })
    expect(unverified.status).toBe(403)
    expect(html(unverified.text)('main').text()).toContain('intygar inte att adressen är din')
    expect(html(unverified.text)('main').text()).toContain('Inloggningen gjordes inte')
    for (const email of ['admin@demo.internkontroll.se', 'sekreterare@demo.internkontroll.se']) {
      const refused = await signIn(agent, { email })
      expect(refused.status).toBe(403)
      expect(html(refused.text)('main').text()).toContain('administratörskonto')
    }
    expect([
      await rowCount(db, 'app_user'),
      await rowCount(db, 'sso_identity'),
      await rowCount(db, 'audit_event'),
    ]).toEqual([users, links, log])
    await agent.get('/planer').expect(303)
  })

  it('keeps the link in the account as the audit log has it, so one planted behind the app’s back shows', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    const verify = async () =>
      (await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).findings.map((f) => f.message)
    await signIn(browser(), {}).expect(303)
    await signIn(browser(), { subject: 'https://idp.example lars', email: 'lasare@demo.internkontroll.se' }).expect(303)
    expect(await verify()).toEqual([])
    const lars = (await userNamed(db, 'lasare@demo.internkontroll.se'))?.id as number
    const linked = await db
      .selectFrom('audit_event')
      .select('after')
      .where('entity', '=', 'app_user')
      .where('entity_id', '=', lars)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(JSON.parse(String(linked.after)).identities).toEqual(['oidc https://idp.example lars'])
    await db
      .insertInto('sso_identity')
      .values({ provider: 'saml', subject: 'https://evil.example x', user_id: lars, created_at: '2021-03-15' })
      .execute()
    expect(await verify()).toEqual([expect.stringContaining('Inloggning via organisationen')])
  })

  it('makes one account of two first sign-ins at once', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    const users = await rowCount(db, 'app_user')
    const [first, second] = await Promise.all([signIn(browser(), {}), signIn(browser(), {})])
    expect([first.status, second.status]).toEqual([303, 303])
    expect(await rowCount(db, 'app_user')).toBe(users + 1)
  })

  it('compares groups in one Unicode form: an Ä in two code points is the same as in one', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    await aGroupRole(db, 'IK-L\u00e4sare', 'reader', await committeeId(db))
    await signIn(browser(), { groups: ['ik-la\u0308sare'] }).expect(303)
    const anna = (await userNamed(db, 'anna.andersson@kommun.example'))?.id as number
    expect(await db.selectFrom('committee_role').select('role').where('user_id', '=', anna).execute()).toEqual([
      { role: 'reader' },
    ])
  })

  it('refuses a disabled user with a clear page, and changes nothing', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    await signIn(browser(), {}).expect(303)
    await db.updateTable('app_user').set({ disabled: 1 }).where('email', '=', 'anna.andersson@kommun.example').execute()
    const [sessions, log] = [await rowCount(db, 'session'), await rowCount(db, 'audit_event')]
    const agent = browser()
    const refused = await signIn(agent, { name: 'Anna Ny' }).expect(403)
    expect(html(refused.text)('h1').text()).toBe('Inloggningen gick inte igenom')
    expect(html(refused.text)('main').text()).toContain('spärrat')
    expect(await rowCount(db, 'session')).toBe(sessions)
    expect(await rowCount(db, 'audit_event')).toBe(log)
    expect((await userNamed(db, 'anna.andersson@kommun.example'))?.name).toBe('Anna Andersson')
    await agent.get('/planer').expect(303)
  })

  it('refuses an identity without an e-mail address, creating nothing', async () => {
    const { db, browser, signIn } = await appWithSignIn()
    const users = await rowCount(db, 'app_user')
    await signIn(browser(), { email: '' }).expect(403)
    expect(await rowCount(db, 'app_user')).toBe(users)
  })
})
