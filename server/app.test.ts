import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { demoPassword } from '../db/seed/demo.js'
import { demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, logIn } from '../test/helpers/test-app.js'

describe('every request', () => {
  it('refuses a form post without a valid CSRF token and writes nothing', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    await agent.get('/planer').expect(200)
    for (const token of [undefined, 'forged-token']) {
      const response = await agent
        .post(`/planer/${planId}/ta-bort`)
        .type('form')
        .send(token ? { _csrf: token } : {})
        .expect(403)
      expect(html(response.text)('h1').text()).toBe('Formuläret kunde inte skickas')
    }
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(1)
  })

  it('refuses a post that the browser says comes from another site, even with a valid token', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const page = html((await agent.get(`/planer/${planId}/ta-bort`).expect(200)).text)
    const token = String(page('input[name="_csrf"]').val())
    await agent
      .post(`/planer/${planId}/ta-bort`)
      .set('Sec-Fetch-Site', 'same-site')
      .type('form')
      .send({ _csrf: token })
      .expect(403)
    expect(await db.selectFrom('plan').select('id').execute()).toHaveLength(1)
  })

  it('does not accept a token issued for another browser', async () => {
    const first = await createTestApp()
    const page = html((await first.agent.get('/planer/ny').expect(200)).text)
    const token = String(page('input[name="_csrf"]').val())
    const { planId } = await demoPlan(first.db)
    const stranger = supertest.agent(first.app)
    await logIn(stranger, 'sekreterare')
    await stranger.get('/planer').expect(200)
    await stranger.post(`/planer/${planId}/ta-bort`).type('form').send({ _csrf: token }).expect(403)
  })

  it('sends security headers with a policy that allows no inline script', async () => {
    const { agent } = await createTestApp({ as: null })
    const response = await agent.get('/logga-in').expect(200)
    expect(response.headers['content-security-policy']).toContain("script-src 'self'")
    expect(response.headers['content-security-policy']).not.toContain("unsafe-inline'; script")
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    // Browsers then send the app's own posts with their true Origin (under no-referrer they send "null").
    expect(response.headers['referrer-policy']).toBe('same-origin')
    expect(response.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Lax/)
  })

  it('tells the browser to keep no copy of a page or of a login or logout, but lets it cache the stylesheet', async () => {
    const { agent } = await createTestApp({ as: null })
    const noStore = (response: { headers: Record<string, string> }) =>
      expect(response.headers['cache-control']).toBe('no-store')
    noStore(await agent.get('/logga-in').expect(200))
    const token = String(html((await agent.get('/logga-in')).text)('input[name="_csrf"]').val())
    noStore(
      await agent
        .post('/logga-in')
        .type('form')
        .send({ _csrf: token, email: 'sekreterare@demo.internkontroll.se', password: demoPassword })
        .expect(303),
    )
    const plans = await agent.get('/planer').expect(200)
    noStore(plans)
    noStore(await agent.get('/planer/999999').expect(404))
    const signedIn = String(html(plans.text)('input[name="_csrf"]').val())
    noStore(await agent.post('/logga-ut').type('form').send({ _csrf: signedIn }).expect(303))
    const stylesheet = await agent.get('/assets/app.css').expect(200)
    expect(stylesheet.headers['cache-control']).toBe('public, max-age=3600')
  })

  it('shows a Swedish 500 page, with the stack trace only outside production', async () => {
    for (const production of [false, true]) {
      const { agent, db } = await createTestApp({ production, as: null })
      await db.destroy() // every query now fails, as with a broken disk
      // Any session cookie makes the app look the session up in the database.
      const cookie = production ? '__Host-ik_session=x' : 'ik_session=x'
      const response = await agent.get('/planer').set('Cookie', cookie).expect(500)
      expect(html(response.text)('h1').text()).toBe('Ett fel har uppstått')
      expect(/at .+\(.+:\d+:\d+\)/.test(response.text)).toBe(!production)
    }
  })
})
