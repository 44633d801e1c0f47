// Sign-in with a SAML identity provider in Chromium: the provider (test/helpers/saml-idp.ts) and the real server run on
// 127.0.0.1, and the browser goes between them as a person's would.
import { mkdirSync } from 'node:fs'
import type { Browser, HTTPResponse, Page } from 'puppeteer-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Db, openDatabase } from '../../db/connection.js'
import { insertGroupRole } from '../../server/auth/sso/repository.js'
import { type SamlFlaw, TestSamlIdp } from '../helpers/saml-idp.js'
import { axeViolations, desktop, expectAccessible, launchBrowser, phone, reflowProblems, texts } from './browser.js'
import { type RunningServer, startServer } from './server.js'

// Where the screenshots of the pages a person meets go, to be looked at (SCREENSHOTS=dir), or nowhere.
const shots = process.env.SCREENSHOTS
if (shots) mkdirSync(shots, { recursive: true })
const screenshot = async (page: Page, name: string) => {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
}

const providerName = 'Testkommunens konto'
const button = `Logga in med ${providerName}`

describe('sign-in with a SAML identity provider', () => {
  let idp: TestSamlIdp
  let server: RunningServer
  let browser: Browser
  let db: Db
  let committeeId: number
  let planId: number

  beforeAll(async () => {
    idp = await TestSamlIdp.start()
    const [started, launched] = await Promise.allSettled([
      startServer({
        env: (baseUrl) => ({
          PUBLIC_URL: baseUrl,
          SAML_METADATA_URL: idp.metadataUrl,
          SAML_NAME: providerName,
          // Beside an OpenID provider, as a municipality moving from one to the other has; asked only when chosen.
          OIDC_ISSUER: 'https://login.kommun.invalid',
          OIDC_CLIENT_ID: 'internkontroll',
          OIDC_CLIENT_SECRET: 'not-used',
          OIDC_NAME: 'Entra ID',
        }),
      }),
      launchBrowser(),
    ])
    if (started.status === 'fulfilled') server = started.value
    if (launched.status === 'fulfilled') browser = launched.value
    for (const s of [started, launched]) if (s.status === 'rejected') throw s.reason
    db = openDatabase(server.database)
    const plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['plan.id', 'plan.committee_id'])
      .where('committee.name', '=', 'Grundskolenämnden')
      .executeTakeFirstOrThrow()
    planId = plan.id
    committeeId = plan.committee_id
    // The administrator's mapping: the provider's group ik-grundskola makes its members the committee's secretaries.
    await insertGroupRole(db, {
      groupName: 'ik-grundskola',
      role: 'secretary',
      committeeId,
      unitId: null,
      municipalityId: null,
      createdAt: new Date().toISOString(),
    })
  })

  afterAll(async () => {
    await db?.destroy()
    await browser?.close()
    await server?.stop()
    await idp?.stop()
  })

  beforeEach(() => {
    idp.user = {
      nameId: 'anna-1',
      email: 'anna.andersson@kommun.se',
      name: 'Anna Andersson',
      groups: ['ik-grundskola'],
    }
  })

  /** Runs `use` in a browser of its own: no cookies from another test. */
  async function inOwnBrowser(use: (page: Page) => Promise<void>): Promise<void> {
    const context = await browser.createBrowserContext()
    try {
      const page = await context.newPage()
      await page.setCacheEnabled(false)
      await use(page)
    } finally {
      await context.close()
    }
  }

  /**
   * Presses the SAML button on the page open now and follows the browser through the provider and back: the status
   * of the page it ends on (the ACS's refusal, or the page the sign-in leads to).
   */
  async function signIn(page: Page): Promise<number> {
    const acs = `${server.baseUrl}/logga-in/saml/acs`
    let answered = false
    const landed = new Promise<HTTPResponse>((resolve) => {
      const seen = (response: HTTPResponse) => {
        if (response.request().resourceType() !== 'document' || !response.url().startsWith(server.baseUrl)) return
        if (response.url() === acs) answered = true
        if (answered && ![302, 303].includes(response.status())) {
          page.off('response', seen)
          resolve(response)
        }
      }
      page.on('response', seen)
    })
    await page.locator(`::-p-aria([name="${button}"][role="link"])`).click()
    const status = (await landed).status()
    await page.waitForSelector('main h1')
    return status
  }

  const counts = async () => ({
    users: (await db.selectFrom('app_user').select('id').execute()).length,
    sessions: (await db.selectFrom('session').select('token_hash').execute()).length,
    identities: (await db.selectFrom('sso_identity').select('subject').execute()).length,
    events: (await db.selectFrom('audit_event').select('id').execute()).length,
  })
  const userByEmail = (email: string) =>
    db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst()

  it('offers the provider on the login page, after the OpenID provider and before the password form', async () => {
    await inOwnBrowser(async (page) => {
      await expectAccessible(page, `${server.baseUrl}/logga-in`)
      await page.setViewport(desktop)
      expect(await texts(page, 'main a.button')).toEqual(['Logga in med Entra ID', button])
      expect(await page.$('#field-password')).not.toBeNull()
      await screenshot(page, 'saml-login')
    })
  })

  it('signs a new person in with the role their group maps to, back where they were going, and logs out there too', async () => {
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/planer/${planId}`)
      expect(new URL(page.url()).pathname).toBe('/logga-in')
      expect(await signIn(page)).toBe(200)
      expect(new URL(page.url()).pathname).toBe(`/planer/${planId}`)
      expect(await texts(page, '.site-header__account span')).toEqual(['Anna Andersson'])

      const user = await userByEmail('anna.andersson@kommun.se')
      expect(user).toMatchObject({ name: 'Anna Andersson', disabled: 0 })
      const roles = await db
        .selectFrom('committee_role')
        .selectAll()
        .where('user_id', '=', user?.id ?? 0)
        .execute()
      expect(roles).toEqual([{ user_id: user?.id, committee_id: committeeId, role: 'secretary' }])
      expect(idp.requests.at(-1)?.relayState).toBe(`/planer/${planId}`)

      // Out of Internkontroll, on to the provider, which ends its session and sends the browser back.
      const backAtLogin = page.waitForResponse((r) => r.url() === `${server.baseUrl}/logga-in`)
      await page.locator('::-p-aria([name="Logga ut"][role="button"])').click()
      await backAtLogin
      await page.waitForSelector('.notice')
      expect(new URL(page.url()).pathname).toBe('/logga-in')
      expect(await texts(page, '.notice')).toEqual([`Du är utloggad, även från ${providerName}.`])
      expect(idp.logoutRequests.at(-1)?.nameId).toBe('anna-1')
      await page.goto(`${server.baseUrl}/planer/${planId}`)
      expect(new URL(page.url()).pathname).toBe('/logga-in')
    })
  })

  it('ends the session here when the person logs out of another service at the provider', async () => {
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/logga-in`)
      expect(await signIn(page)).toBe(200)
      // The provider sends the browser to the logout address with its signed LogoutRequest, and takes the answer.
      await page.goto(await idp.logoutRequestUrl(`${server.baseUrl}/saml`, 'anna-1'))
      expect(page.url()).toMatch(new RegExp(`^${idp.url}/slo\\?SAMLResponse=`))
      expect(idp.logoutAnswers.at(-1)).toBe('urn:oasis:names:tc:SAML:2.0:status:Success')
      await page.goto(`${server.baseUrl}/planer/${planId}`)
      expect(new URL(page.url()).pathname).toBe('/logga-in')
    })
  })

  it('takes away the role at the next sign-in when the group is gone', async () => {
    idp.user.groups = ['alla-anstallda']
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/logga-in`)
      expect(await signIn(page)).toBe(200)
      const user = await userByEmail('anna.andersson@kommun.se')
      expect(
        await db
          .selectFrom('committee_role')
          .selectAll()
          .where('user_id', '=', user?.id ?? 0)
          .execute(),
      ).toEqual([])
      expect((await page.goto(`${server.baseUrl}/planer/${planId}`))?.status()).toBe(403)
    })
  })

  it('refuses a disabled user, and starts no session', async () => {
    idp.user = { nameId: 'bertil-2', email: 'bertil@kommun.se', name: 'Bertil Berg', groups: ['ik-grundskola'] }
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/logga-in`)
      expect(await signIn(page)).toBe(200)
    })
    await db.updateTable('app_user').set({ disabled: 1 }).where('email', '=', 'bertil@kommun.se').execute()
    const before = await counts()
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/logga-in`)
      expect(await signIn(page)).toBe(403)
      expect(await texts(page, 'main h1')).toEqual(['Inloggningen gick inte igenom'])
      expect((await texts(page, 'main'))[0]).toContain('spärrat')
    })
    expect(await counts()).toEqual(before)
  })

  it("refuses a sign-in whose groups did not fit (Entra ID's overage), saying what to ask for", async () => {
    const before = await counts()
    await inOwnBrowser(async (page) => {
      await page.goto(`${server.baseUrl}/logga-in`)
      idp.flaw = 'overage'
      expect(await signIn(page)).toBe(403)
      expect((await texts(page, 'main p'))[0]).toMatch(/^Du är med i fler grupper än organisationens inloggning/)
      await screenshot(page, 'saml-overage')
      expect(await axeViolations(page)).toEqual([])
    })
    expect(await counts()).toEqual(before)
  })

  describe('refuses, with a page that says so and nothing created, an answer that is', () => {
    it.each([
      'expired',
      'unsigned',
      'tampered',
      'wrongAudience',
      'wrongRecipient',
      'noRecipient',
      'unboundAssertion',
      'otherKey',
    ] as const)('%s', async (flaw) => {
      await refused(flaw, { nameId: `mallory-${flaw}`, email: `mallory.${flaw}@kommun.se` })
    })

    it('replayed: the answer of an earlier sign-in, posted again', async () => {
      await inOwnBrowser(async (page) => {
        await page.goto(`${server.baseUrl}/logga-in`)
        expect(await signIn(page)).toBe(200)
      })
      await refused('replay', { nameId: 'anna-1', email: 'anna.andersson@kommun.se' })
    })

    async function refused(flaw: SamlFlaw, who: { nameId: string; email: string }) {
      idp.user = { ...who, name: 'Mallory', groups: ['ik-grundskola'] }
      const before = await counts()
      await inOwnBrowser(async (page) => {
        await page.goto(`${server.baseUrl}/logga-in`)
        idp.flaw = flaw
        expect(await signIn(page)).toBe(400)
        expect(await texts(page, 'main h1')).toEqual(['Inloggningen gick inte igenom'])
        expect((await texts(page, 'main p'))[0]).toMatch(/^Inloggningen kunde inte bekräftas/)
        expect(await page.$('.site-header__account')).toBeNull()
        if (flaw === 'tampered') await screenshot(page, 'saml-refused')
        expect(await axeViolations(page)).toEqual([])
        await page.setViewport(phone)
        expect(await reflowProblems(page)).toEqual([])
      })
      expect(await counts()).toEqual(before)
      if (flaw !== 'replay') expect(await userByEmail(who.email)).toBeUndefined()
    }
  })
})
