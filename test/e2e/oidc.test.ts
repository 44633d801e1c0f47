import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js'
import { desktop, expectAccessible, fill, follow, launchBrowser, logIn, phone, tableRows, texts } from './browser.js'
import { type RunningServer, startServer } from './server.js'

// Where the screenshots of the pages a person meets go, to be looked at (SCREENSHOTS=dir), or nowhere.
const shots = process.env.SCREENSHOTS
if (shots) mkdirSync(shots, { recursive: true })
const screenshot = async (page: Page, name: string) => {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
}

let provider: TestProvider & { register(app: string): void }
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  provider = await startOidcProvider()
  // Discovery waits for the first sign-in, so the server can start before the provider knows its redirect URI.
  ;[server, browser] = await Promise.all([
    startServer({
      env: (baseUrl) => ({
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_NAME: 'Demokommunens konto',
        PUBLIC_URL: baseUrl,
      }),
    }),
    launchBrowser(),
  ])
  provider.register(server.baseUrl)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await provider?.stop()
})

/** A tab of a browser of its own, signed in as no one. */
async function ownBrowser(): Promise<Page> {
  const context = await browser.createBrowserContext()
  const page = await context.newPage()
  await page.setViewport(desktop)
  // The provider's own pages ask for a web font on the internet, which the tests neither have nor need.
  await page.setRequestInterception(true)
  page.on('request', (request) =>
    new URL(request.url()).hostname === '127.0.0.1' ? request.continue() : request.abort(),
  )
  return page
}

/** From the app's login page through the provider's, as the provider's account `login`; returns the page landed on. */
async function signIn(page: Page, login: string) {
  await page.goto(`${server.baseUrl}/logga-in`)
  expect(await follow(page, 'link', 'Logga in med Demokommunens konto')).toBe(200)
  expect(page.url().startsWith(`${provider.issuer}/interaction/`)).toBe(true)
  await page.type('input[name="login"]', login)
  await page.type('input[name="password"]', 'vilket-som-helst')
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')])
  return response?.status()
}

async function rolesIn(admin: Page, email: string): Promise<string> {
  await admin.goto(`${server.baseUrl}/admin/anvandare`)
  const row = (await tableRows(admin, '.users-table')).find((cells) => cells.includes(email))
  return row?.[2] ?? 'no such user'
}

describe('signing in with the organisation’s account, in a browser', () => {
  it('grants the mapped role, takes it at the next sign-in when the group is gone, and refuses once disabled', async () => {
    const admin = await ownBrowser()
    await logIn(admin, server.baseUrl, 'admin')
    await admin.goto(`${server.baseUrl}/admin/anvandare`)
    expect(await follow(admin, 'link', 'Roller från grupper')).toBe(200)
    await fill(admin, 'Grupp', 'IK-Läsare')
    await admin.click('input[name="role"][value="reader"]')
    const committee = await admin.$eval('#field-committeeId', (select) => {
      const option = (select as HTMLSelectElement).options[1] as HTMLOptionElement
      ;(select as HTMLSelectElement).value = option.value
      return option.text.replace(/ \(.*\)$/, '')
    })
    expect(await follow(admin, 'button', 'Lägg till kopplingen')).toBe(200)
    expect(await texts(admin, '.notice p')).toEqual([
      'Kopplingen är tillagd. Den som är med i gruppen IK-Läsare får rollen nästa gång hen loggar in.',
    ])
    await screenshot(admin, 'group-roles-1280')
    await admin.setViewport(phone)
    await screenshot(admin, 'group-roles-320')
    await admin.setViewport(desktop)

    provider.accounts.set('anna', { email: 'anna@kommun.example', name: 'Anna Andersson', groups: ['IK-Läsare'] })
    const anna = await ownBrowser()
    await anna.goto(`${server.baseUrl}/logga-in`)
    await screenshot(anna, 'login-1280')
    await anna.setViewport(phone)
    await screenshot(anna, 'login-320')
    await anna.setViewport(desktop)
    expect(await signIn(anna, 'anna')).toBe(200)
    expect(new URL(anna.url()).origin).toBe(server.baseUrl)
    expect(await texts(anna, '.site-header__account span')).toEqual(['Anna Andersson'])
    expect(await rolesIn(admin, 'anna@kommun.example')).toBe(`läsare, ${committee}`)

    // Logging out ends the session here and at the provider, which asks and then sends the browser back.
    provider.accounts.set('anna', { email: 'anna@kommun.example', name: 'Anna Andersson', groups: [] })
    await Promise.all([anna.waitForNavigation(), anna.click('form[action="/logga-ut"] button')])
    expect(anna.url().startsWith(`${provider.issuer}/session/end`)).toBe(true)
    await Promise.all([anna.waitForNavigation(), anna.click('button[name="logout"]')])
    expect(anna.url()).toBe(`${server.baseUrl}/logga-in`)
    expect((await anna.goto(`${server.baseUrl}/planer`))?.url()).toBe(`${server.baseUrl}/logga-in?till=%2Fplaner`)

    expect(await signIn(anna, 'anna')).toBe(200)
    expect(await texts(anna, '.site-header__account span')).toEqual(['Anna Andersson'])
    expect(await rolesIn(admin, 'anna@kommun.example')).toBe('Inga roller')

    await follow(admin, 'button', 'Spärra Anna Andersson')
    const refusedAt = await anna.goto(`${server.baseUrl}/planer`)
    expect(refusedAt?.url()).toBe(`${server.baseUrl}/logga-in?till=%2Fplaner`)
    // Still signed in at the provider, Anna comes straight back, and is refused.
    expect(await follow(anna, 'link', 'Logga in med Demokommunens konto')).toBe(403)
    expect(await texts(anna, 'h1')).toEqual(['Inloggningen gick inte igenom'])
    expect((await texts(anna, 'main p')).join(' ')).toContain('Ditt konto i Internkontroll är spärrat.')
    await screenshot(anna, 'refused-1280')
    await anna.setViewport(phone)
    await screenshot(anna, 'refused-320')
  })

  it('has accessible pages: the login page, the mapping, and the refusal', async () => {
    const page = await ownBrowser()
    await expectAccessible(page, `${server.baseUrl}/logga-in`)
    await expectAccessible(page, `${server.baseUrl}/logga-in/oidc/callback?code=stolen&state=guessed`, 400)
    await page.setViewport(desktop)
    await logIn(page, server.baseUrl, 'admin')
    await expectAccessible(page, `${server.baseUrl}/admin/grupper`)
  })
})
