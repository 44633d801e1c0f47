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
    const change = async (current: string, repeat: string, status: number) =>
      html((await submitForm(agent, page, { current, password: 'ett nytt långt lösenord', repeat }, status)).text)
    const wrong = await change('fel', 'ett nytt långt lösenord', 400)
    expect(wrong('#field-current-error').text()).toContain('Det nuvarande lösenordet stämmer inte.')
    const mismatch = await change(demoPassword, 'ett annat', 400)
    expect(mismatch('#field-repeat-error').text()).toContain('Lösenorden är inte lika.')
    const done = await change(demoPassword, 'ett nytt långt lösenord', 200)
    expect(done('.notice').text()).toContain('Ditt lösenord är bytt.')
    const other = supertest.agent(app)
    await login('lasare@demo.internkontroll.se', demoPassword, 401, other)
    await login('lasare@demo.internkontroll.se', 'ett nytt långt lösenord', 303, other)
  })
})
