import { createHmac } from 'node:crypto'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Db } from '../../../db/connection.js'
import { demoPassword } from '../../../db/seed/demo.js'
import { aGroupRole, rowCount } from '../../../test/helpers/builders.js'
import { type HttpBrowser, httpBrowser } from '../../../test/helpers/http-browser.js'
import {
  claimsOf,
  signIdToken,
  signingKey,
  startOidcProvider,
  type TestProvider,
} from '../../../test/helpers/oidc-provider.js'
import { createTestApp, html, submitForm } from '../../../test/helpers/test-app.js'
import { identityOf } from './oidc.js'

let provider: TestProvider & { register(app: string): void }
let appUrl: string
let db: Db
let stopApp: () => Promise<void>

beforeAll(async () => {
  provider = await startOidcProvider()
  // The app listens before it is made, so that its PUBLIC_URL (and the provider's redirect URI) can name its port.
  let app: RequestListener | undefined
  const server = createServer((req, res) => app?.(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  stopApp = () => new Promise((resolve) => server.close(() => resolve()))
  const made = await createTestApp({
    as: null,
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_NAME: 'Demokommunens konto',
      PUBLIC_URL: appUrl,
    },
  })
  app = made.app as unknown as RequestListener
  db = made.db
  provider.register(appUrl)
})

afterAll(async () => {
  await stopApp?.()
  await provider?.stop()
})

afterEach(() => {
  vi.useRealTimers()
})

const callbackOf = (url: string) => url.startsWith(`${appUrl}/logga-in/oidc/callback`)

/** Starts a sign-in from the app's login page and signs in at the provider; stops where the provider sends back. */
async function atProvider(browser: HttpBrowser, account: string, till = '/planer'): Promise<string> {
  const login = await browser.go(`${appUrl}/logga-in/oidc?till=${encodeURIComponent(till)}`)
  expect(login.url.startsWith(provider.issuer)).toBe(true)
  const action = html(login.text)('form').attr('action') as string
  const back = await browser.post(
    new URL(action, login.url).href,
    { prompt: 'login', login: account, password: 'x' },
    callbackOf,
  )
  expect(callbackOf(back.url)).toBe(true)
  return back.url
}

async function signIn(browser: HttpBrowser, account: string, till?: string) {
  return browser.go(await atProvider(browser, account, till))
}

const userWith = (email: string) =>
  db.selectFrom('app_user').select(['id', 'name', 'email', 'disabled']).where('email', '=', email).executeTakeFirst()
const rolesOf = async (userId: number) =>
  (await db.selectFrom('committee_role').select('role').where('user_id', '=', userId).execute()).map((r) => r.role)

/** Refused with the clear page, signed in as no one, and no account made for the one who tried. */
async function expectRefused(
  browser: HttpBrowser,
  page: { status: number; text: string },
  email: string,
  status = 400,
) {
  expect(page.status).toBe(status)
  expect(html(page.text)('h1').text()).toBe('Inloggningen gick inte igenom')
  expect(await userWith(email)).toBeUndefined()
  const after = await browser.go(`${appUrl}/planer`)
  expect(after.url).toBe(`${appUrl}/logga-in?till=%2Fplaner`)
}

describe('signing in with OpenID Connect', () => {
  it('says so when the provider does not answer, and asks it again at the next sign-in', async () => {
    // A provider of its own, which answers 503 (discovery too) until it knows the app.
    const down = await startOidcProvider()
    try {
      const { agent } = await createTestApp({
        as: null,
        env: {
          OIDC_ISSUER: down.issuer,
          OIDC_CLIENT_ID: down.clientId,
          OIDC_CLIENT_SECRET: down.clientSecret,
          OIDC_NAME: 'Demokommunens konto',
          PUBLIC_URL: appUrl,
        },
      })
      const refused = await agent.get('/logga-in/oidc').expect(503)
      expect(html(refused.text)('main').text()).toContain('Inloggningen med Demokommunens konto svarar inte just nu')
      down.register(appUrl)
      const started = await agent.get('/logga-in/oidc').expect(303)
      expect(started.headers.location?.startsWith(`${down.issuer}/auth?`)).toBe(true)
    } finally {
      await down.stop()
    }
  })

  it('offers the provider first on the login page', async () => {
    const page = html((await httpBrowser().go(`${appUrl}/logga-in?till=/planer`)).text)
    const first = page('main a.button, main button').first()
    expect(first.text()).toBe('Logga in med Demokommunens konto')
    expect(first.attr('href')).toBe('/logga-in/oidc?till=%2Fplaner')
    expect(page('form[action="/logga-in"]')).toHaveLength(1)
  })

  it('creates the user with the role the group maps to, and takes it away when the group is gone', async () => {
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    await aGroupRole(db, 'IK-Läsare', 'reader', committee.id)
    provider.accounts.set('anna', { email: 'anna@kommun.example', name: 'Anna Andersson', groups: ['IK-Läsare'] })
    const page = await signIn(httpBrowser(), 'anna')
    expect(page.url).toBe(`${appUrl}/planer`)
    expect(html(page.text)('.site-header__account').text()).toContain('Anna Andersson')
    const anna = await userWith('anna@kommun.example')
    expect(await rolesOf(anna?.id as number)).toEqual(['reader'])

    provider.accounts.set('anna', { email: 'anna@kommun.example', name: 'Anna Andersson', groups: [] })
    await signIn(httpBrowser(), 'anna')
    expect(await rolesOf(anna?.id as number)).toEqual([])
  })

  it('refuses a disabled user, changing nothing', async () => {
    provider.accounts.set('bo', { email: 'bo@kommun.example', name: 'Bo Berg', groups: [] })
    await signIn(httpBrowser(), 'bo')
    await db.updateTable('app_user').set({ disabled: 1 }).where('email', '=', 'bo@kommun.example').execute()
    provider.accounts.set('bo', { email: 'bo@kommun.example', name: 'Bo Nytt Namn', groups: [] })
    const sessions = await rowCount(db, 'session')
    const browser = httpBrowser()
    const page = await signIn(browser, 'bo')
    expect(page.status).toBe(403)
    expect(html(page.text)('main').text()).toContain('Ditt konto i Internkontroll är spärrat')
    expect(await rowCount(db, 'session')).toBe(sessions)
    expect((await userWith('bo@kommun.example'))?.name).toBe('Bo Berg')
  })

  it('ends the local session at logout and sends the browser to the provider to end its own', async () => {
    provider.accounts.set('cecilia', { email: 'cecilia@kommun.example', name: 'Cecilia Ceder', groups: [] })
    const browser = httpBrowser()
    const page = await signIn(browser, 'cecilia')
    const token = html(page.text)('form[action="/logga-ut"] input[name="_csrf"]').val() as string
    const out = await browser.request(`${appUrl}/logga-ut`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token }).toString(),
    })
    expect(out.status).toBe(303)
    const endSession = new URL(out.headers.get('location') as string)
    expect(endSession.origin + endSession.pathname).toBe(`${provider.issuer}/session/end`)
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${appUrl}/logga-in`)
    expect(claimsOf(endSession.searchParams.get('id_token_hint') as string).sub).toBe('cecilia')
    // The provider accepts the hint and asks whether to sign out there too.
    const atProviderPage = await browser.go(endSession.href)
    expect(atProviderPage.status).toBe(200)
    expect(atProviderPage.text).toContain('logout')
    const after = await browser.go(`${appUrl}/planer`)
    expect(after.url).toBe(`${appUrl}/logga-in?till=%2Fplaner`)
  })

  it('accepts an ID token signed with a key the provider has rotated to', async () => {
    provider.accounts.set('david', { email: 'david@kommun.example', name: 'David Dahl', groups: [] })
    await signIn(httpBrowser(), 'david')
    provider.rotate()
    let kid = ''
    provider.tamperNextIdToken((idToken) => {
      kid = JSON.parse(Buffer.from(idToken.split('.')[0] as string, 'base64url').toString()).kid
      return idToken
    })
    // openid-client fetches the provider's keys again for a key it has not seen once its copy is a minute old, so a
    // flood of tokens naming made-up keys cannot make it hammer the provider.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 })
    const page = await signIn(httpBrowser(), 'david')
    expect(kid).toBe(provider.keys[0]?.kid)
    expect(provider.keys).toHaveLength(2)
    expect(page.url).toBe(`${appUrl}/planer`)
  })

  it('links an account made here by hand only when the provider says the address is verified', async () => {
    const lars = await userWith('lasare@demo.internkontroll.se')
    const links = await rowCount(db, 'sso_identity')
    const account = { email: 'lasare@demo.internkontroll.se', name: 'Lars Lind', groups: [] }
    provider.accounts.set('lars', { ...account, email_verified: false })
    const refused = await signIn(httpBrowser(), 'lars')
    expect(refused.status).toBe(403)
    expect(html(refused.text)('main').text()).toContain('intygar inte att adressen är din')
    expect(await rowCount(db, 'sso_identity')).toBe(links)
    provider.accounts.set('lars', { ...account, email_verified: true })
    expect((await signIn(httpBrowser(), 'lars')).url).toBe(`${appUrl}/planer`)
    expect(await rowCount(db, 'sso_identity')).toBe(links + 1)
    expect((await userWith('lasare@demo.internkontroll.se'))?.id).toBe(lars?.id)
  })

  it('refuses a sign-in whose groups did not fit in the ID token (Entra ID’s overage), leaving the roles', async () => {
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    await aGroupRole(db, 'IK-Många', 'reader', committee.id)
    provider.accounts.set('gustav', { email: 'gustav@kommun.example', name: 'Gustav Gran', groups: ['IK-Många'] })
    await signIn(httpBrowser(), 'gustav')
    const gustav = (await userWith('gustav@kommun.example'))?.id as number
    expect(await rolesOf(gustav)).toEqual(['reader'])
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const overages = [
      { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.example/x' } } },
      { hasgroups: true },
    ]
    for (const overage of overages) {
      provider.tamperNextIdToken((idToken) => {
        const { groups: _groups, ...claims } = claimsOf(idToken)
        return signIdToken({ ...claims, ...overage }, provider.keys[0] as never)
      })
      const page = await signIn(httpBrowser(), 'gustav')
      expect(page.status).toBe(403)
      expect(html(page.text)('main').text()).toContain('Du är med i fler grupper än organisationens inloggning skickar')
      expect(await rolesOf(gustav)).toEqual(['reader'])
    }
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining('refused: groups overage'),
      expect.stringContaining('refused: groups overage'),
    ])
    warn.mockRestore()
  })
})

describe('reading the person from the ID token', () => {
  const settings = { groupsClaim: 'groups', subjectClaim: 'sub', trustEmail: false }
  const claims = {
    iss: 'https://login.example/t',
    sub: 'pairwise-1',
    oid: 'object-id-1',
    aud: 'internkontroll',
    iat: 0,
    exp: 0,
    name: 'Anna Andersson',
  }

  it('takes the e-mail from the email claim alone, verified only if the provider says so or is trusted to', () => {
    const withUsername = { ...claims, preferred_username: 'anna@kommun.example' }
    expect(identityOf(withUsername, settings)).toMatchObject({ email: '', emailVerified: false })
    const email = { ...claims, email: 'a@k.example' }
    expect(identityOf(email, settings)).toMatchObject({ emailVerified: false })
    expect(identityOf({ ...email, email_verified: 'true' }, settings)).toMatchObject({ emailVerified: false })
    expect(identityOf({ ...email, email_verified: true }, settings)).toMatchObject({ emailVerified: true })
    expect(identityOf(email, { ...settings, trustEmail: true })).toMatchObject({ emailVerified: true })
  })

  it('names the person by OIDC_SUBJECT_CLAIM, with the issuer, and refuses a token without it', () => {
    expect(identityOf(claims, settings)).toMatchObject({ subject: 'https://login.example/t pairwise-1' })
    expect(identityOf(claims, { ...settings, subjectClaim: 'oid' })).toMatchObject({
      subject: 'https://login.example/t object-id-1',
    })
    expect(identityOf(claims, { ...settings, subjectClaim: 'objectid' })).toBe('no subject')
  })
})

describe('attacks on the OpenID sign-in, each refused with a clear page and nothing created', () => {
  it('refuses a callback whose state is not the one this browser started with', async () => {
    provider.accounts.set('eve1', { email: 'eve1@kommun.example', name: 'Eve Ett', groups: [] })
    const browser = httpBrowser()
    const callback = new URL(await atProvider(browser, 'eve1'))
    callback.searchParams.set('state', 'another-state')
    await expectRefused(browser, await browser.go(callback.href), 'eve1@kommun.example')
  })

  it('refuses a callback that arrives in a browser that did not start the sign-in (login CSRF)', async () => {
    provider.accounts.set('eve2', { email: 'eve2@kommun.example', name: 'Eve Två', groups: [] })
    const callback = await atProvider(httpBrowser(), 'eve2')
    const victim = httpBrowser()
    await expectRefused(victim, await victim.go(callback), 'eve2@kommun.example')
  })

  it('refuses a code used once already, even with the cookie that came with it', async () => {
    provider.accounts.set('frida', { email: 'frida@kommun.example', name: 'Frida Falk', groups: [] })
    const browser = httpBrowser()
    const callback = await atProvider(browser, 'frida')
    const copied = httpBrowser(new Map(browser.cookies))
    expect((await browser.go(callback)).url).toBe(`${appUrl}/planer`)
    const sessions = await rowCount(db, 'session')
    const replay = await copied.go(callback)
    expect(replay.status).toBe(400)
    expect(html(replay.text)('h1').text()).toBe('Inloggningen gick inte igenom')
    expect(await rowCount(db, 'session')).toBe(sessions)
  })

  it('refuses an ID token issued to another application', async () => {
    provider.accounts.set('eve3', { email: 'eve3@kommun.example', name: 'Eve Tre', groups: [] })
    provider.tamperNextIdToken((idToken) =>
      signIdToken({ ...claimsOf(idToken), aud: 'another-app', azp: 'another-app' }, provider.keys[0] as never),
    )
    const browser = httpBrowser()
    await expectRefused(browser, await signIn(browser, 'eve3'), 'eve3@kommun.example')
  })

  it('refuses an ID token signed by a key that is not the provider’s', async () => {
    provider.accounts.set('eve4', { email: 'eve4@kommun.example', name: 'Eve Fyra', groups: [] })
    // The same key id as the provider's, so only the signature tells them apart.
    provider.tamperNextIdToken((idToken) => signIdToken(claimsOf(idToken), signingKey(provider.keys[0]?.kid as string)))
    const browser = httpBrowser()
    await expectRefused(browser, await signIn(browser, 'eve4'), 'eve4@kommun.example')
  })

  it('refuses an expired ID token', async () => {
    provider.accounts.set('eve5', { email: 'eve5@kommun.example', name: 'Eve Fem', groups: [] })
    const now = Math.floor(Date.now() / 1000)
    provider.tamperNextIdToken((idToken) =>
      signIdToken({ ...claimsOf(idToken), iat: now - 7200, exp: now - 3600 }, provider.keys[0] as never),
    )
    const browser = httpBrowser()
    await expectRefused(browser, await signIn(browser, 'eve5'), 'eve5@kommun.example')
  })

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    provider.accounts.set('eve6', { email: 'eve6@kommun.example', name: 'Eve Sex', groups: [] })
    provider.tamperNextIdToken((idToken) =>
      signIdToken({ ...claimsOf(idToken), nonce: 'another-nonce' }, provider.keys[0] as never),
    )
    const browser = httpBrowser()
    await expectRefused(browser, await signIn(browser, 'eve6'), 'eve6@kommun.example')
  })

  it('refuses an unsigned ID token (alg none)', async () => {
    provider.accounts.set('eve7', { email: 'eve7@kommun.example', name: 'Eve Sju', groups: [] })
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    provider.tamperNextIdToken((idToken) => `${part({ alg: 'none', typ: 'JWT' })}.${part(claimsOf(idToken))}.`)
    const browser = httpBrowser()
    await expectRefused(browser, await signIn(browser, 'eve7'), 'eve7@kommun.example')
  })

  it('refuses a pending-sign-in cookie changed in the browser, or made without the app’s secret', async () => {
    provider.accounts.set('eve8', { email: 'eve8@kommun.example', name: 'Eve Åtta', groups: [] })
    for (const forge of [
      // The signed data changed: another page to return to.
      (data: string, signature: string) => {
        const pending = JSON.parse(Buffer.from(data, 'base64url').toString())
        return `${Buffer.from(JSON.stringify({ ...pending, till: '/admin' })).toString('base64url')}.${signature}`
      },
      // The same data, signed with a secret the app does not have.
      (data: string) => `${data}.${createHmac('sha256', 'guessed-secret').update(`oidc.${data}`).digest('base64url')}`,
    ]) {
      const browser = httpBrowser()
      const callback = await atProvider(browser, 'eve8')
      const [data = '', signature = ''] = (browser.cookies.get('ik_oidc') as string).split('.')
      browser.cookies.set('ik_oidc', forge(data, signature))
      await expectRefused(browser, await browser.go(callback), 'eve8@kommun.example')
    }
  })

  it('says so when the provider sends the browser back with an error (access_denied)', async () => {
    const browser = httpBrowser()
    const atIdp = await browser.go(`${appUrl}/logga-in/oidc`, (next) => next.startsWith(provider.issuer))
    const state = new URL(atIdp.url).searchParams.get('state') as string
    const page = await browser.go(`${appUrl}/logga-in/oidc/callback?error=access_denied&state=${state}`)
    expect(page.status).toBe(403)
    expect(html(page.text)('main').text()).toContain('avbröts eller nekades')
  })

  it('goes back to a page of this site only: till=//evil.example leads to the start page', async () => {
    provider.accounts.set('hanna', { email: 'hanna@kommun.example', name: 'Hanna Hed', groups: [] })
    const browser = httpBrowser()
    const callback = await atProvider(browser, 'hanna', '//evil.example')
    const pending = (browser.cookies.get('ik_oidc') as string).split('.')[0] as string
    expect(JSON.parse(Buffer.from(pending, 'base64url').toString()).till).toBe('')
    expect((await browser.go(callback)).url).toBe(`${appUrl}/`)
    // A page address too long to keep leads to the start page too, and keeps the cookie small.
    await browser.go(`${appUrl}/logga-in/oidc?till=/${'a'.repeat(5000)}`, (next) => next.startsWith(provider.issuer))
    expect((browser.cookies.get('ik_oidc') as string).length).toBeLessThan(500)
  })

  it('clears the pending-sign-in cookie in production as it was set, Secure, or the browser keeps it', async () => {
    const { agent } = await createTestApp({
      production: true,
      demo: false,
      as: null,
      env: {
        OIDC_ISSUER: 'https://login.example',
        OIDC_CLIENT_ID: 'internkontroll',
        OIDC_CLIENT_SECRET: 'secret',
        PUBLIC_URL: 'https://internkontroll.example',
      },
    })
    const page = await agent
      .get('/logga-in/oidc/callback?code=x&state=y')
      .set('Cookie', '__Host-ik_oidc=stale; __Host-ik_session=ended')
      .expect(400)
    const cleared = (page.headers['set-cookie'] as unknown as string[]).filter((c) =>
      /^__Host-ik_(oidc|session)=;/.test(c),
    )
    expect(cleared).toHaveLength(2)
    for (const cookie of cleared) expect(cookie).toMatch(/; Path=\/;.*Secure/)
  })
})

describe('password login beside the provider', () => {
  it('is offered to everyone while LOCAL_LOGIN is on', async () => {
    const browser = httpBrowser()
    const form = html((await browser.go(`${appUrl}/logga-in`)).text)
    const done = await browser.post(
      `${appUrl}/logga-in`,
      {
        _csrf: form('input[name="_csrf"]').val() as string,
        email: 'lasare@demo.internkontroll.se',
        password: demoPassword,
      },
      (next) => next === `${appUrl}/`,
    )
    expect(done.url).toBe(`${appUrl}/`)
  })
})

describe('password login turned off beside the provider (LOCAL_LOGIN=off)', () => {
  const breakGlassApp = () =>
    createTestApp({
      as: null,
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        PUBLIC_URL: appUrl,
        LOCAL_LOGIN: 'off',
        BREAK_GLASS_EMAILS: 'someone@kommun.example, Admin@Demo.Internkontroll.se',
      },
    })
  const breakGlassPage = '/logga-in?nodinloggning=1&till='

  it('offers the provider alone, and the form behind a small link for the break-glass administrators', async () => {
    const { agent } = await breakGlassApp()
    const page = html((await agent.get('/logga-in').expect(200)).text)
    expect(page('main a.button').text()).toBe('Logga in med organisationens konto')
    expect(page('form[action="/logga-in"]')).toHaveLength(0)
    expect(page('main a:contains("Logga in med lösenord (reservinloggning för administratörer)")').attr('href')).toBe(
      breakGlassPage,
    )
    const form = html((await agent.get(breakGlassPage).expect(200)).text)
    expect(form('form[action="/logga-in"] input[name="password"]')).toHaveLength(1)
  })

  it('lets a named administrator in with the password', async () => {
    const { agent } = await breakGlassApp()
    const done = await submitForm(
      agent,
      breakGlassPage,
      { email: 'admin@demo.internkontroll.se', password: demoPassword },
      303,
      '/logga-in',
    )
    expect(done.headers.location).toBe('/')
  })

  it('answers anyone else as a wrong password, whether it was right or not, and logs why', async () => {
    const { agent, db: own } = await breakGlassApp()
    const answers = []
    for (const password of [demoPassword, 'fel lösenord']) {
      const page = await submitForm(
        agent,
        breakGlassPage,
        { email: 'sekreterare@demo.internkontroll.se', password },
        401,
        '/logga-in',
      )
      answers.push(html(page.text)('main').text().replace(/\s+/g, ' '))
    }
    expect(answers[0]).toContain('Fel e-postadress eller lösenord.')
    expect(answers[0]).toBe(answers[1])
    await agent.get('/planer').expect(303)
    const logged = await own
      .selectFrom('audit_event')
      .select(['entity', 'after'])
      .where('entity', '=', 'failed_login')
      .orderBy('id')
      .execute()
    expect(logged.map((e) => JSON.parse(String(e.after)).reason)).toEqual(['local_login_off', undefined])
  })
})
