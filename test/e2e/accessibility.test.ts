import { beforeAll, describe, expect, it } from 'vitest'
import { axeViolations, choose, follow, linkPath, logIn, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

/** Every page type, found by following the links a user would, starting at the plan list. */
const pages = new Map<string, string>()

beforeAll(async () => {
  const page = await e2e.newPage()
  const from = async (path: string, links: Record<string, string>) => {
    expect(await page.goto(e2e.server.baseUrl + path).then((r) => r?.status())).toBe(200)
    for (const [name, link] of Object.entries(links)) pages.set(name, await linkPath(page, link))
  }
  pages.set('start page', '/')
  pages.set('plans index', '/planer')
  await from('/planer', { 'new-plan form': 'Ny internkontrollplan', 'plan page': 'Internkontrollplan 2020' })
  await from(pages.get('plan page') ?? '', {
    'plan edit form': 'Redigera planen',
    'plan delete confirmation': 'Ta bort planen',
    'new-risk form': 'Ny risk',
    'risk page': 'Risk: Röjande av sekretess',
    'reviews list': '8 granskningar med diarienummer och beslut',
    'measure list': '12 förbättringsåtgärder att söka, filtrera och sortera',
  })
  await from(pages.get('risk page') ?? '', {
    'risk edit form': 'Redigera risken',
    'risk delete confirmation': 'Ta bort risken',
    'new-measure form': 'Ny åtgärd',
    'measure page': 'Fördjupad analys och upprättande av handlingsplan',
  })
  await from(pages.get('measure page') ?? '', {
    'measure update form': 'Uppdatera status och genomförda åtgärder',
    'measure edit form': 'Redigera åtgärden',
    'measure delete confirmation': 'Ta bort åtgärden',
  })
  await from(pages.get('reviews list') ?? '', {
    'new-review form': 'Ny granskning',
    'review edit form': 'Redigera GRF-2020-11639',
    'review delete confirmation': 'Ta bort GRF-2020-11639',
  })
  await from('/planer', { 'audit log': 'Ändringslogg', 'password form': 'Byt lösenord' })
  await page.close()
})

const pageTypes = [
  'start page',
  'plans index',
  'new-plan form',
  'plan page',
  'plan edit form',
  'plan delete confirmation',
  'risk page',
  'new-risk form',
  'risk edit form',
  'risk delete confirmation',
  'measure list',
  'measure page',
  'measure update form',
  'new-measure form',
  'measure edit form',
  'measure delete confirmation',
  'reviews list',
  'new-review form',
  'review edit form',
  'review delete confirmation',
  'audit log',
  'password form',
]

describe('WCAG 2.1 AA, checked with axe-core', () => {
  it.each(pageTypes)('the %s has no violations', async (pageType) => {
    const path = pages.get(pageType)
    if (!path) throw new Error(`No link led to the ${pageType}`)
    expect(await e2e.open(path)).toBe(200)
    expect(await axeViolations(e2e.page)).toEqual([])
  })

  it('the plan page’s risk matrix, with a scored risk and its table opened, has no violations', async () => {
    const { page } = e2e
    expect(await e2e.open(pages.get('risk edit form') ?? '/')).toBe(200)
    await choose(page, 'Sannolikhet (valfritt)', '2 – Mindre sannolik')
    await choose(page, 'Konsekvens (valfritt)', '3 – Kännbar')
    expect(await follow(page, 'button', 'Spara ändringarna')).toBe(200)
    expect(await e2e.open(pages.get('plan page') ?? '/')).toBe(200)
    expect(await page.$$('.risk-matrix svg a')).toHaveLength(1)
    await page.click('.risk-matrix summary')
    expect(await texts(page, '.risk-matrix table td a')).toEqual(['1. Röjande av sekretess'])
    expect(await axeViolations(page)).toEqual([])
  })

  it('a form sent back with validation errors has no violations', async () => {
    const { page } = e2e
    expect(await e2e.open(pages.get('new-risk form') ?? '/')).toBe(200)
    expect(await follow(page, 'button', 'Lägg till risken')).toBe(400)
    expect(await texts(page, '.error-summary h2')).toEqual(['Formuläret innehåller fel'])
    expect(await axeViolations(page)).toEqual([])
  })

  it('a measure list whose filter came back with errors has no violations', async () => {
    expect(await e2e.open(`${pages.get('measure list')}?status=okand&sortering=titel`)).toBe(400)
    expect(await texts(e2e.page, '.error-summary li')).toEqual([
      'Välj en status i listan.',
      'Välj en sortering i listan.',
    ])
    expect(await axeViolations(e2e.page)).toEqual([])
  })

  it('reports a field whose label is gone (the check itself works)', async () => {
    expect(await e2e.open(pages.get('new-risk form') ?? '/')).toBe(200)
    await e2e.page.$eval('label[for="field-title"]', (label) => label.remove())
    expect(await axeViolations(e2e.page)).toEqual(['label (Form elements must have labels): #field-title'])
  })

  it('the login page, the 403 page and the administrator’s pages have no violations', async () => {
    const context = await e2e.browser.createBrowserContext()
    try {
      const page = await context.newPage()
      await page.goto(`${e2e.server.baseUrl}/logga-in`)
      expect(await axeViolations(page)).toEqual([])
      await logIn(page, e2e.server.baseUrl, 'admin')
      for (const path of [
        '/admin/anvandare',
        '/admin/anvandare/ny',
        '/admin/enheter',
        '/admin/forvaltningar',
        '/admin/namnder',
      ]) {
        expect((await page.goto(e2e.server.baseUrl + path))?.status()).toBe(200)
        expect(await axeViolations(page)).toEqual([])
      }
      expect((await page.goto(`${e2e.server.baseUrl}${pages.get('plan edit form')}`))?.status()).toBe(403)
      expect(await axeViolations(page)).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('the 404 page has no violations', async () => {
    expect(await e2e.open('/planer/999999')).toBe(404)
    expect(await texts(e2e.page, 'h1')).toEqual(['Sidan finns inte'])
    expect(await texts(e2e.page, 'main p')).toContain(
      'Planen finns inte. Den kan ha tagits bort, eller så är adressen felskriven.',
    )
    expect(await axeViolations(e2e.page)).toEqual([])
  })
})
