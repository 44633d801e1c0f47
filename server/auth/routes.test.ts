import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../../db/seed/demo.js'
import { createTestApp, html, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'

const login = (email: string, password: string, status: number, agent: TestAgent) =>
  submitForm(agent, '/logga-in', { email, password }, status, '/logga-in')

const hr = 'hr@demo.internkontroll.se'

/** A browser of its own at an address of its own (documentation addresses; the app trusts the proxy on loopback). */
function browserAt(app: Parameters<typeof supertest.agent>[0], address: string): TestAgent {
  return supertest.agent(app).set('X-Forwarded-For', address)
}

async function logOut(agent: TestAgent) {
  const token = String(html((await agent.get('/planer').expect(200)).text)('input[name="_csrf"]').val())
  await agent.post('/logga-ut').type('form').send({ _csrf: token }).expect(303)
}

/** Fails at logging in to the account `times` times, waiting out each wait first. */
async function guess(agent: TestAgent, email: string, times: number, advance: (ms: number) => void) {
  for (let i = 0; i < times; i++) {
    const response = await agent.get('/logga-in')
    const token = String(html(response.text)('input[name="_csrf"]').val())
    const tried = await agent
      .post('/logga-in')
      .type('form')
      .send({ _csrf: token, email, password: `gissning ${i}` })
    if (tried.status === 429) {
      advance(Number(tried.headers['retry-after']) * 1000)
      i -= 1
    } else expect(tried.status).toBe(401)
  }
}

describe('logging in', () => {
  it('sends a stranger to the login page and back to where they were going', async () => {
    const { agent } = await createTestApp({ as: null })
    const first = await agent.get('/planer/1/rapport').expect(303)
    expect(first.headers.location).toBe('/logga-in?till=%2Fplaner%2F1%2Frapport')
    const form = await agent.get(first.headers.location as string).expect(200)
    expect(html(form.text)('input[name="till"]').val()).toBe('/planer/1/rapport')
    const done = await submitForm(
      agent,
      first.headers.location as string,
      {
        email: 'Sekreterare@Demo.Internkontroll.se',
        password: demoPassword,
      },
      303,
      '/logga-in',
    )
    expect(done.headers.location).toBe('/planer/1/rapport')
    const page = html((await agent.get('/planer/1/rapport').expect(200)).text)
    expect(page('.site-header__account').text()).toContain('Sara Sekreterare')
  })

  it('says the same for an unknown e-mail and a wrong password, and logs no one in', async () => {
    const { agent } = await createTestApp({ as: null })
    const unknown = html((await login('ingen@malmo.se', demoPassword, 401, agent)).text)
    const wrong = html((await login('sekreterare@demo.internkontroll.se', 'fel lösenord', 401, agent)).text)
    expect(unknown('.error-summary li').text()).toBe('Fel e-postadress eller lösenord.')
    expect(wrong('.error-summary li').text()).toBe('Fel e-postadress eller lösenord.')
    expect(wrong('#field-email').val()).toBe('sekreterare@demo.internkontroll.se')
    await agent.get('/planer').expect(303)
  })

  it('slows guesses at an account with growing waits, and lets the right password in once the wait is over', async () => {
    const { agent, db, advance } = await createTestApp({ as: null })
    // A few mistakes cost nothing.
    for (let i = 0; i < 3; i++) await login(hr, `gissning ${i}`, 401, agent)
    const waits: string[] = []
    for (let i = 3; i < 11; i++) {
      await login(hr, `gissning ${i}`, 401, agent)
      const events = await db.selectFrom('audit_event').select('id').execute()
      const refused = await login(hr, demoPassword, 429, agent)
      // Refused unchecked, even with the right password, and nothing logged or counted.
      expect((await db.selectFrom('audit_event').select('id').execute()).length).toBe(events.length)
      const wait = String(refused.headers['retry-after'])
      waits.push(wait)
      const page = html(refused.text)
      const seconds = wait === '1' ? '1 sekund' : `${wait} sekunder`
      expect(page('.error-summary li').text()).toContain(`Vänta ${seconds} och försök sedan igen.`)
      expect(page('#field-email').val()).toBe(hr)
      advance(Number(wait) * 1000 - 1000)
      if (wait !== '1') await login(hr, demoPassword, 429, agent)
      advance(1000)
    }
    expect(waits).toEqual(['1', '2', '4', '8', '16', '32', '60', '60'])
    // The wait over, the right password gets in at once.
    await login(hr, demoPassword, 303, agent)
  })

  it('lets the owner in from a browser that logged in before, however others fail', async () => {
    const { app, advance } = await createTestApp({ as: null, trustProxy: 'loopback' })
    const office = '192.0.2.10'
    const owner = browserAt(app, office)
    await login(hr, demoPassword, 303, owner)
    await logOut(owner)
    // Someone elsewhere guesses at the owner's account, and someone in the same office at everyone's.
    await guess(browserAt(app, '198.51.100.7'), hr, 12, advance)
    const colleague = browserAt(app, office)
    for (const name of ['sekreterare', 'lasare', 'utbildning', 'admin'])
      await guess(colleague, `${name}@demo.internkontroll.se`, 3, advance)
    // Any other browser waits: for the account, and at the office's address for every account.
    await login(hr, demoPassword, 429, browserAt(app, '203.0.113.1'))
    await login('lasare@demo.internkontroll.se', demoPassword, 429, browserAt(app, office))
    // A proof for another account, or a made-up one, is no proof.
    await login('lasare@demo.internkontroll.se', demoPassword, 429, owner)
    const forger = browserAt(app, '203.0.113.2')
    forger.jar.setCookie(`ik_device=${'A'.repeat(22)}.${'B'.repeat(43)}`)
    await login(hr, demoPassword, 429, forger)
    // The owner's browser gets in at once.
    await login(hr, demoPassword, 303, owner)
    await owner.get('/planer').expect(200)
  })

  it('slows down a known browser that keeps failing too', async () => {
    const { agent } = await createTestApp({ as: 'hr' })
    await logOut(agent)
    for (let i = 0; i < 4; i++) await login(hr, `gissning ${i}`, 401, agent)
    await login(hr, demoPassword, 429, agent)
  })

  it('lets simultaneous correct logins to one account all in', async () => {
    const { app } = await createTestApp({ as: null })
    const browsers = Array.from({ length: 8 }, () => supertest.agent(app))
    // A mistake or two first, as on any morning.
    await login(hr, 'fel lösenord', 401, browsers[0] as TestAgent)
    const responses = await Promise.all(browsers.map((b) => login(hr, demoPassword, 303, b)))
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(303))
    for (const browser of browsers) await browser.get('/planer').expect(200)
  })

  it('takes guesses sent side by side one at a time, so they cannot all pass one check', async () => {
    const { app } = await createTestApp({ as: null })
    const attacker = supertest.agent(app)
    const token = String(html((await attacker.get('/logga-in').expect(200)).text)('input[name="_csrf"]').val())
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const response = await attacker
          .post('/logga-in')
          .type('form')
          .send({ _csrf: token, email: hr, password: `gissning ${i}` })
        return response.status
      }),
    )
    // Three free failures and one more, then a wait for all the rest.
    expect(statuses.filter((s) => s === 401)).toHaveLength(4)
    expect(statuses.filter((s) => s === 429)).toHaveLength(6)
  })

  it('logs every login and failed login with its time, address and e-mail, and the log still verifies', async () => {
    const { app, agent, db, advance } = await createTestApp({ as: 'admin', trustProxy: 'loopback' })
    const browser = browserAt(app, '203.0.113.5')
    await login('ingen@malmo.se', 'hemligt lösenord', 401, browser)
    advance(5_000)
    await login(hr, 'fel lösenord', 401, browser)
    advance(5_000)
    await login('HR@demo.internkontroll.se', demoPassword, 303, browser)
    const hrUser = await db.selectFrom('app_user').select('id').where('email', '=', hr).executeTakeFirstOrThrow()
    const events = await db
      .selectFrom('audit_event')
      .select(['at', 'user_id', 'user_name', 'action', 'entity', 'entity_id', 'plan_id', 'before', 'after'])
      .where('entity', 'in', ['login', 'failed_login'])
      .where('after', 'like', '%203.0.113.5%')
      .orderBy('id')
      .execute()
    expect(events).toEqual([
      {
        at: '2021-03-15T09:00:00.000Z',
        user_id: null,
        user_name: 'ingen@malmo.se',
        action: 'create',
        entity: 'failed_login',
        entity_id: 0,
        plan_id: null,
        before: null,
        after: JSON.stringify({ email: 'ingen@malmo.se', address: '203.0.113.5' }),
      },
      {
        at: '2021-03-15T09:00:05.000Z',
        user_id: null,
        user_name: hr,
        action: 'create',
        entity: 'failed_login',
        entity_id: hrUser.id,
        plan_id: null,
        before: null,
        after: JSON.stringify({ email: hr, address: '203.0.113.5' }),
      },
      {
        at: '2021-03-15T09:00:10.000Z',
        user_id: hrUser.id,
        user_name: 'Hanna Holm',
        action: 'create',
        entity: 'login',
        entity_id: hrUser.id,
        plan_id: null,
        before: null,
        after: JSON.stringify({ email: hr, address: '203.0.113.5' }),
      },
    ])
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
    // The administrator reads them in the log, failures apart.
    const log = html((await agent.get('/logg?typ=failed_login').expect(200)).text)
    expect(
      log('td[data-label="Händelse"]')
        .map((_, e) => log(e).text())
        .get(),
    ).toEqual([
      `Misslyckad inloggning ”${hr}, från 203.0.113.5”`,
      'Misslyckad inloggning ”ingen@malmo.se, från 203.0.113.5”',
    ])
  })

  it('takes the client’s address from one proxy in front with TRUST_PROXY=1, and from no header without it', async () => {
    const addressOf = async (trustProxy: string | undefined) => {
      const { app, db } = await createTestApp({ as: null, trustProxy })
      await login(hr, 'fel lösenord', 401, browserAt(app, '203.0.113.9'))
      const event = await db
        .selectFrom('audit_event')
        .select('after')
        .where('entity', '=', 'failed_login')
        .executeTakeFirstOrThrow()
      return JSON.parse(String(event.after)).address
    }
    // Behind the proxy every client would otherwise be the proxy: one address for the whole municipality.
    expect(await addressOf('1')).toBe('203.0.113.9')
    // Without a trusted proxy the header is the client's own word, and any client could pick a fresh address per guess.
    expect(await addressOf(undefined)).toMatch(/^(::ffff:)?127\.0\.0\.1$/)
  })

  it('gives a new session at login, so a planted session id is worthless, and ends it at logout', async () => {
    const { agent, app } = await createTestApp({ as: null })
    agent.jar.setCookie('ik_session=planted-by-someone-else')
    await login('sekreterare@demo.internkontroll.se', demoPassword, 303, agent)
    const cookie = agent.jar.getCookie('ik_session', { domain: '127.0.0.1', path: '/', secure: false, script: false })
    expect(cookie?.value).toBeDefined()
    expect(cookie?.value).not.toBe('planted-by-someone-else')
    const page = html((await agent.get('/planer').expect(200)).text)
    await agent
      .post('/logga-ut')
      .type('form')
      .send({ _csrf: String(page('input[name="_csrf"]').val()) })
      .expect(303)
    await agent.get('/planer').expect(303)
    // The old token is no use to anyone who copied it.
    const copy = supertest.agent(app)
    copy.jar.setCookie(`ik_session=${cookie?.value}`)
    await copy.get('/planer').expect(303)
  })

  it('ends a session after an hour without requests', async () => {
    const { agent, advance } = await createTestApp()
    await agent.get('/planer').expect(200)
    advance(59 * 60_000)
    await agent.get('/planer').expect(200)
    advance(61 * 60_000)
    const response = await agent.get('/planer').expect(303)
    expect(response.headers.location).toBe('/logga-in?till=%2Fplaner')
  })

  it('only returns to a path on this site', async () => {
    const { agent } = await createTestApp({ as: null })
    const response = await submitForm(
      agent,
      '/logga-in?till=//evil.example/planer',
      { email: 'lasare@demo.internkontroll.se', password: demoPassword },
      303,
      '/logga-in',
    )
    expect(response.headers.location).toBe('/')
  })
})

describe('changing one’s password', () => {
  it('needs the current password and the new one twice, then works for the next login', async () => {
    const { agent, app } = await createTestApp({ as: 'lasare' })
    const elsewhere = supertest.agent(app)
    await login('lasare@demo.internkontroll.se', demoPassword, 303, elsewhere)
    const page = '/konto/losenord'
    const change = async (current: string, repeat: string, status: number) =>
      html((await submitForm(agent, page, { current, password: 'ett nytt långt lösenord', repeat }, status)).text)
    const wrong = await change('fel', 'ett nytt långt lösenord', 400)
    expect(wrong('#field-current-error').text()).toContain('Det nuvarande lösenordet stämmer inte.')
    const mismatch = await change(demoPassword, 'ett annat', 400)
    expect(mismatch('#field-repeat-error').text()).toContain('Lösenorden är inte lika.')
    await change(demoPassword, 'ett nytt långt lösenord', 303)
    const done = html((await agent.get(page).expect(200)).text)
    expect(done('.notice').text()).toBe('Lösenordet är bytt.')
    // The session it was changed in goes on; the one elsewhere is ended.
    await agent.get('/planer').expect(200)
    await elsewhere.get('/planer').expect(303)
    const other = supertest.agent(app)
    await login('lasare@demo.internkontroll.se', demoPassword, 401, other)
    await login('lasare@demo.internkontroll.se', 'ett nytt långt lösenord', 303, other)
  })

  it('takes the current password as a guess: throttled and logged as a failed login, as at the login form', async () => {
    const { agent, db, advance } = await createTestApp({ as: 'lasare' })
    const change = (current: string, status: number) =>
      submitForm(
        agent,
        '/konto/losenord',
        { current, password: 'ett nytt långt lösenord', repeat: 'ett nytt långt lösenord' },
        status,
      )
    // Three free failures and one more, as at the login form; then a wait even for the right password.
    for (const guess of ['fel 1', 'fel 2', 'fel 3', 'fel 4']) await change(guess, 400)
    const waiting = await change(demoPassword, 429)
    expect(waiting.headers['retry-after']).toBe('1')
    expect(html(waiting.text)('#field-current-error').text()).toContain('Vänta 1 sekund')
    const failures = await db.selectFrom('audit_event').select('after').where('entity', '=', 'failed_login').execute()
    expect(failures.map((f) => JSON.parse(String(f.after)).email)).toEqual(
      Array(4).fill('lasare@demo.internkontroll.se'),
    )
    advance(1_000)
    await change(demoPassword, 303)
  })
})

describe('the password rules', () => {
  const messages = (text: string) =>
    html(text)('.error-summary li')
      .map((_, e) => html(text)(e).text())
      .get()

  it('refuse, in Swedish, what an administrator gives a new account or resets, and keep it as typed', async () => {
    const { app, agent, db } = await createTestApp({ as: 'admin' })
    const create = (password: string, status: number) =>
      submitForm(agent, '/admin/anvandare/ny', { name: 'Nina Ny', email: 'nina.ny@malmo.se', password }, status)
    expect(messages((await create('kort', 400)).text)).toEqual(['Lösenordet ska vara minst 12 tecken långt.'])
    expect(messages((await create('qwerty123456', 400)).text)).toEqual([
      'Lösenordet är ett av de vanligaste lösenorden och gissas lätt. Välj ett annat.',
    ])
    expect(messages((await create('nina.ny-malmo-2026', 400)).text)).toEqual([
      'Lösenordet får inte vara eller innehålla namnet i e-postadressen (nina.ny).',
    ])
    const bad = html((await create('zzzzzzzzzzzzzz', 400)).text)
    expect(bad('#field-password-error').text()).toContain('Lösenordet får inte vara ett och samma tecken upprepat.')
    // Every message of the form at once, the password's among them.
    const both = await submitForm(
      agent,
      '/admin/anvandare/ny',
      { name: '', email: 'nina.ny@malmo.se', password: ' ett långt lösenord' },
      400,
    )
    expect(messages(both.text)).toEqual([
      'Ange namnet.',
      'Lösenordet får inte börja eller sluta med mellanslag. Ta bort dem, eller lägg mellanslagen inne i lösenordet.',
    ])
    expect(await db.selectFrom('app_user').select('id').where('email', '=', 'nina.ny@malmo.se').execute()).toEqual([])

    // Spaces inside are kept, and only the password exactly as typed logs in.
    await create('ett  långt lösenord', 303)
    await login('nina.ny@malmo.se', 'ett långt lösenord', 401, supertest.agent(app))
    await login('nina.ny@malmo.se', 'ett  långt lösenord', 303, supertest.agent(app))

    const nina = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'nina.ny@malmo.se')
      .executeTakeFirstOrThrow()
    const reset = `/admin/anvandare/${nina.id}/losenord`
    expect(messages((await submitForm(agent, reset, { password: 'NINA.NY.NINA.NY' }, 400)).text)).toEqual([
      'Lösenordet får inte vara eller innehålla namnet i e-postadressen (nina.ny).',
    ])
    await submitForm(agent, reset, { password: 'ett nytt långt lösenord' }, 303)
    await login('nina.ny@malmo.se', 'ett nytt långt lösenord', 303, supertest.agent(app))
  })

  it('refuse what a person chooses for themselves', async () => {
    const { agent } = await createTestApp({ as: 'lasare' })
    const change = (password: string) =>
      submitForm(agent, '/konto/losenord', { current: demoPassword, password, repeat: password }, 400)
    expect(messages((await change('lasare-lasare-lasare')).text)).toEqual([
      'Lösenordet får inte vara eller innehålla namnet i e-postadressen (lasare).',
    ])
    expect(messages((await change('internkontroll-demo')).text)).toEqual([
      'Lösenordet är ett av de vanligaste lösenorden och gissas lätt. Välj ett annat.',
    ])
  })
})
