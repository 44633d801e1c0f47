import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { aGroupRole } from '../../../test/helpers/builders.js'
import { TestSamlIdp } from '../../../test/helpers/saml-idp.js'
import { createTestApp, html, type TestAgent } from '../../../test/helpers/test-app.js'

let idp: TestSamlIdp
beforeAll(async () => {
  idp = await TestSamlIdp.start()
})
afterAll(() => idp.stop())
beforeEach(() => {
  idp.user = { nameId: 'anna-1', email: 'anna@kommun.se', name: 'Anna Andersson', groups: [] }
})

const samlApp = (env: Record<string, string | undefined> = {}) =>
  createTestApp({
    as: null,
    env: {
      // Plain HTTP, as the test agent speaks: over HTTPS the request cookie is Secure, which it would not send back.
      PUBLIC_URL: 'http://ik.kommun.se',
      SAML_METADATA_URL: idp.metadataUrl,
      SAML_NAME: 'Kommunens konto',
      ...env,
    },
  })

/** Starts a sign-in in `agent`'s browser: the provider's answer as its page would post it. */
async function answerFor(agent: TestAgent, till = '/planer') {
  const start = await agent.get(`/logga-in/saml?till=${encodeURIComponent(till)}`).expect(303)
  return idp.answer(start.headers.location as string)
}

// Posted from the provider's page: another site, and no token of the app's.
const fromProvider = (agent: TestAgent, path: string, fields: object) =>
  agent.post(path).type('form').set('Origin', idp.url).set('Sec-Fetch-Site', 'cross-site').send(fields)

describe('the SAML routes', () => {
  it('serve the metadata to give the identity provider', async () => {
    const { agent } = await samlApp()
    const metadata = await agent.get('/saml/metadata').expect(200)
    expect(metadata.type).toBe('application/samlmetadata+xml')
    expect(metadata.text).toContain('entityID="http://ik.kommun.se/saml"')
  })

  it('take the answer posted from the provider without a CSRF token, and that path only', async () => {
    const { agent, db } = await samlApp()
    const answer = await answerFor(agent)
    expect(answer.RelayState).toBe('/planer')
    const signedIn = await fromProvider(agent, '/logga-in/saml/acs', answer).expect(303)
    expect(signedIn.headers.location).toBe('/planer')
    expect(await db.selectFrom('app_user').select('email').where('email', '=', idp.user.email).execute()).toHaveLength(
      1,
    )
    await agent.get('/planer').expect(200)
    // Any other post from another site is still refused.
    const refused = await fromProvider(agent, '/logga-ut', {}).expect(403)
    expect(html(refused.text)('h1').text()).toBe('Formuläret kunde inte skickas')
  })

  it.each([
    [
      'https://ik.kommun.se',
      'test',
      /^__Host-ik_saml=_\w+; Max-Age=3600; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=None$/,
    ],
    [
      'http://ik.kommun.se',
      'production',
      /^ik_saml=_\w+; Max-Age=3600; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/,
    ],
  ])(
    "keep the request's id for the provider's cross-site post as PUBLIC_URL %s allows, whatever NODE_ENV=%s",
    async (url, nodeEnv, cookie) => {
      // Production reads the metadata from https only: a copy in a file, with the provider's addresses on https.
      const dir = await mkdtemp(join(tmpdir(), 'saml-metadata-'))
      const file = join(dir, 'idp.xml')
      await writeFile(file, idp.metadataXml().replaceAll(idp.url, 'https://idp.kommun.se'))
      onTestFinished(() => rm(dir, { recursive: true }))
      const { agent } = await samlApp({
        PUBLIC_URL: url,
        NODE_ENV: nodeEnv,
        SAML_METADATA_URL: undefined,
        SAML_METADATA_FILE: file,
      })
      const start = await agent.get('/logga-in/saml').expect(303)
      const cookies = start.headers['set-cookie'] as unknown as string[]
      expect(cookies.filter((c) => c.includes('ik_saml='))).toEqual([expect.stringMatching(cookie)])
    },
  )

  it('refuse an answer in another browser than the one that began, and create no one', async () => {
    const { agent, db, app } = await samlApp()
    const answer = await answerFor(agent)
    const { default: supertest } = await import('supertest')
    const other = supertest.agent(app)
    const refused = await fromProvider(other, '/logga-in/saml/acs', answer).expect(400)
    expect(html(refused.text)('h1').text()).toBe('Inloggningen gick inte igenom')
    expect(await db.selectFrom('app_user').select('id').where('email', '=', idp.user.email).execute()).toEqual([])
  })

  it('say so when the provider answers that no one signed in', async () => {
    const { agent } = await samlApp()
    const start = await agent.get('/logga-in/saml').expect(303)
    idp.flaw = 'denied'
    const answer = await idp.answer(start.headers.location as string)
    const refused = await fromProvider(agent, '/logga-in/saml/acs', answer).expect(403)
    expect(html(refused.text)('main p').first().text()).toBe(
      'Inloggningen med Kommunens konto avbröts eller nekades. Börja om från inloggningssidan.',
    )
  })

  it.each([
    ['on', 303],
    ['off', 403],
  ] as const)(
    'link an account made by hand by its e-mail address only when SAML_TRUST_EMAIL=%s',
    async (trust, status) => {
      const { agent, db } = await samlApp({ SAML_TRUST_EMAIL: trust })
      idp.user = { nameId: 'hanna-1', email: 'hr@demo.internkontroll.se', name: 'Hanna Holm', groups: [] }
      const answered = await fromProvider(agent, '/logga-in/saml/acs', await answerFor(agent)).expect(status)
      const links = await db.selectFrom('sso_identity').select('user_id').execute()
      if (status === 303) expect(links).toHaveLength(1)
      else {
        expect(html(answered.text)('main').text()).toContain('intygar inte att adressen är din')
        expect(links).toEqual([])
      }
    },
  )

  it("refuse a sign-in whose groups did not fit (Entra ID's overage), leaving the roles", async () => {
    const { agent, db } = await samlApp()
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    await aGroupRole(db, 'IK-Många', 'reader', committee.id)
    idp.user = { ...idp.user, groups: ['IK-Många'] }
    await fromProvider(agent, '/logga-in/saml/acs', await answerFor(agent)).expect(303)
    const anna = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', idp.user.email)
      .executeTakeFirstOrThrow()
    const roles = () => db.selectFrom('committee_role').select('role').where('user_id', '=', anna.id).execute()
    expect(await roles()).toEqual([{ role: 'reader' }])

    const start = await agent.get('/logga-in/saml').expect(303)
    idp.flaw = 'overage'
    const refused = await fromProvider(agent, '/logga-in/saml/acs', await idp.answer(start.headers.location as string))
    expect(refused.status).toBe(403)
    expect(html(refused.text)('main p').first().text()).toMatch(
      /^Du är med i fler grupper än organisationens inloggning/,
    )
    expect(await roles()).toEqual([{ role: 'reader' }])
  })

  it('lead back to this site only, and not to a page address too long to keep', async () => {
    const { agent } = await samlApp()
    expect((await answerFor(agent, '//evil.example/')).RelayState).toBe('/')
    expect((await answerFor(agent, `/planer?q=${'x'.repeat(1000)}`)).RelayState).toBe('/')
    // RelayState is not signed: whatever is posted with the answer.
    for (const forged of ['//evil.example', `/planer?q=${'x'.repeat(1000)}`]) {
      const answer = await answerFor(agent)
      const signedIn = await fromProvider(agent, '/logga-in/saml/acs', { ...answer, RelayState: forged }).expect(303)
      expect(signedIn.headers.location).toBe('/')
    }
  })

  it('say in Swedish when the provider cannot be reached', async () => {
    const { agent } = await samlApp({ SAML_METADATA_URL: 'http://127.0.0.1:9/metadata' })
    const page = await agent.get('/logga-in/saml').expect(503)
    expect(html(page.text)('main p').first().text()).toMatch(/^Inloggningen med Kommunens konto svarar inte just nu/)
  })

  it('offer the provider on the login page, after the OpenID provider when both are configured', async () => {
    const { agent } = await samlApp({
      OIDC_ISSUER: 'https://login.kommun.se',
      OIDC_CLIENT_ID: 'internkontroll',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_NAME: 'Entra ID',
    })
    const $ = html((await agent.get('/logga-in?till=%2Fplaner').expect(200)).text)
    const buttons = $('main a.button')
      .map((_, a) => [[$(a).text(), $(a).attr('href')]])
      .get()
    expect(buttons).toEqual([
      ['Logga in med Entra ID', '/logga-in/oidc?till=%2Fplaner'],
      ['Logga in med Kommunens konto', '/logga-in/saml?till=%2Fplaner'],
    ])
  })
})
