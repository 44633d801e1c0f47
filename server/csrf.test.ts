import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../db/seed/demo.js'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, logIn, type TestAgent } from '../test/helpers/test-app.js'

const tokenOn = async (agent: TestAgent, path: string) =>
  String(
    html((await agent.get(path).expect(200)).text)('input[name="_csrf"]')
      .first()
      .val(),
  )

const cookieOf = (agent: TestAgent, name: string) =>
  agent.jar.getCookie(name, { domain: '127.0.0.1', path: '/', secure: false, script: false })?.value

const plansLeft = async (db: Awaited<ReturnType<typeof createTestApp>>['db']) =>
  (await db.selectFrom('plan').select('id').execute()).length

describe('the CSRF check', () => {
  it('refuses a valid token sent from another origin, and accepts one from the app’s own or from no origin', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const token = await tokenOn(agent, `/planer/${planId}/ta-bort`)
    const post = (path: string, headers: Record<string, string>) => {
      const request = agent.post(path).type('form')
      for (const [name, value] of Object.entries(headers)) request.set(name, value)
      return request.send({ _csrf: token })
    }
    for (const origin of ['http://evil.example', 'null', 'http://internkontroll.malmo.se:8080']) {
      const refused = await post(`/planer/${planId}/ta-bort`, { Host: 'internkontroll.malmo.se', Origin: origin })
      expect(refused.status).toBe(403)
      expect(html(refused.text)('h1').text()).toBe('Formuläret kunde inte skickas')
      expect(html(refused.text)('main').text()).toContain('Säkerhetskontrollen misslyckades, så ingenting sparades.')
    }
    expect(await plansLeft(db)).toBe(1)
    // The password form answers 400 to its empty fields once the post is let through.
    const sameOrigin = {
      Host: 'Internkontroll.Malmo.se:80',
      Origin: 'http://internkontroll.malmo.se',
      'Sec-Fetch-Site': 'same-origin',
    }
    await post('/konto/losenord', sameOrigin).expect(400)
    // "null" with the browser's word that the post is its own, as under a no-referrer policy.
    await post('/konto/losenord', { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }).expect(400)
    // A browser that names neither origin nor site (an old one) is let through on its token alone.
    await post(`/planer/${planId}/ta-bort`, {}).expect(303)
    expect(await plansLeft(db)).toBe(0)
  })

  it('takes the app’s own origin from the proxy’s headers only when the proxy is trusted', async () => {
    for (const trustProxy of [undefined, 'loopback']) {
      const { agent, db } = await createTestApp({ trustProxy })
      const { planId } = await demoPlan(db)
      const token = await tokenOn(agent, `/planer/${planId}/ta-bort`)
      await agent
        .post(`/planer/${planId}/ta-bort`)
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'ik.malmo.se')
        .set('Origin', 'https://ik.malmo.se')
        .type('form')
        .send({ _csrf: token })
        .expect(trustProxy ? 303 : 403)
    }
  })

  it('checks the origin of an upload too, whose token is read from the multipart body', async () => {
    const { agent, db } = await createTestApp()
    const page = html((await agent.get('/planer/importera').expect(200)).text)
    const upload = (origin: string) =>
      agent
        .post('/planer/importera')
        .set('Host', 'internkontroll.malmo.se')
        .set('Origin', origin)
        .field('_csrf', String(page('input[name="_csrf"]').val()))
        .field('committeeId', String(page('#field-committeeId option').first().val()))
        .field('year', '2021')
        .field('title', 'Internkontrollplan 2021')
        .attach('file', Buffer.from('Risk;Åtgärd\nRöjande av sekretess;Utbildning\n'), 'plan.csv')
    await upload('http://evil.example').expect(403)
    expect(await db.selectFrom('spreadsheet_import').select('id').execute()).toHaveLength(0)
    const accepted = await upload('http://internkontroll.malmo.se').expect(303)
    expect(accepted.headers.location).toMatch(/^\/planer\/importera\/\d+\/kolumner$/)
  })

  it('refuses a token of another session, even in a browser with the same CSRF cookie', async () => {
    const { agent, app, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const token = await tokenOn(agent, `/planer/${planId}/ta-bort`)
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    other.jar.setCookie(`ik_csrf=${cookieOf(agent, 'ik_csrf')}`, '127.0.0.1', '/')
    await other.post(`/planer/${planId}/ta-bort`).type('form').send({ _csrf: token }).expect(403)
    expect(await plansLeft(db)).toBe(1)
  })

  it('renews the token at login, so the login page’s token is refused after it', async () => {
    const { agent, db } = await createTestApp({ as: null })
    const { planId } = await demoPlan(db)
    const before = await tokenOn(agent, '/logga-in')
    const cookieBefore = cookieOf(agent, 'ik_csrf')
    await agent
      .post('/logga-in')
      .type('form')
      .send({ _csrf: before, email: 'sekreterare@demo.internkontroll.se', password: demoPassword })
      .expect(303)
    await agent.post(`/planer/${planId}/ta-bort`).type('form').send({ _csrf: before }).expect(403)
    expect(await plansLeft(db)).toBe(1)
    const after = await tokenOn(agent, `/planer/${planId}/ta-bort`)
    expect(cookieOf(agent, 'ik_csrf')).not.toBe(cookieBefore)
    await agent.post(`/planer/${planId}/ta-bort`).type('form').send({ _csrf: after }).expect(303)
    expect(await plansLeft(db)).toBe(0)
  })

  it('renews the token at logout, so a signed-in page’s token is refused after it', async () => {
    const { agent } = await createTestApp()
    const token = await tokenOn(agent, '/planer')
    await agent.post('/logga-ut').type('form').send({ _csrf: token }).expect(303)
    const login = { _csrf: token, email: 'sekreterare@demo.internkontroll.se', password: demoPassword }
    await agent.post('/logga-in').type('form').send(login).expect(403)
    const fresh = await tokenOn(agent, '/logga-in')
    await agent
      .post('/logga-in')
      .type('form')
      .send({ ...login, _csrf: fresh })
      .expect(303)
  })

  it('still sends a post whose session has expired on to the login page', async () => {
    const { agent, db, advance } = await createTestApp()
    const { planId } = await demoPlan(db)
    const token = await tokenOn(agent, `/planer/${planId}/ta-bort`)
    advance(2 * 3_600_000)
    const response = await agent.post(`/planer/${planId}/ta-bort`).type('form').send({ _csrf: token }).expect(303)
    expect(response.headers.location).toBe('/logga-in')
    expect(await plansLeft(db)).toBe(1)
  })
})
