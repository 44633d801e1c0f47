import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../../db/seed/demo.js'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'

const login = (email: string, password: string, status: number, agent: ReturnType<typeof supertest.agent>) =>
  submitForm(agent, '/logga-in', { email, password }, status, '/logga-in')

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

  it('stops an account after five failures, even with the right password', async () => {
    const { agent } = await createTestApp({ as: null })
    for (let i = 0; i < 5; i++) await login('hr@demo.internkontroll.se', `gissning ${i}`, 401, agent)
    const blocked = html((await login('hr@demo.internkontroll.se', demoPassword, 429, agent)).text)
    expect(blocked('.error-summary').text()).toContain('För många misslyckade inloggningar')
    // Another account from the same address still gets in.
    await login('lasare@demo.internkontroll.se', demoPassword, 303, agent)
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
})
