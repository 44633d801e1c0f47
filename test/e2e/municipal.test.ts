import { beforeAll, describe, expect, it } from 'vitest'
import {
  axeViolations,
  desktop,
  expectAccessible,
  itIsAccessible,
  linkPath,
  logIn,
  phone,
  texts,
  useBrowser,
} from './browser.js'

const e2e = useBrowser()

// The server runs on the real clock, so its demo has this year's municipality-wide review of bisysslor in the plans
// of Grundskolenämnden, Förskolenämnden and Malmö Stadsfastigheter AB, followed up differently in each.
const year = new Date().getFullYear()
const reviewTitle = 'Hantering av bisysslor'

/** Every new page type, found by following the links the coordinator would, from the roll-up. */
const pages = new Map<string, string>()

beforeAll(async () => {
  const page = await e2e.newPage()
  // The file's tabs share their cookies: from here on they are the coordinator's, not the secretary's.
  await page.goto(`${e2e.server.baseUrl}/`)
  await page.deleteCookie(...(await page.cookies()))
  await logIn(page, e2e.server.baseUrl, 'samordnare')
  const from = async (path: string, links: Record<string, string>) => {
    expect(await page.goto(e2e.server.baseUrl + path).then((r) => r?.status())).toBe(200)
    for (const [name, link] of Object.entries(links)) pages.set(name, await linkPath(page, link))
  }
  await from(`/kommun/1/${year}`, { 'item list': `Kommungemensamma granskningar och risker ${year}` })
  await from(pages.get('item list') ?? '', {
    'side-by-side page': reviewTitle,
    'new-item form': 'Ny kommungemensam granskning eller risk',
  })
  await from(pages.get('side-by-side page') ?? '', {
    'item edit form': 'Redigera posten',
    'item delete confirmation': 'Ta bort posten',
  })
  await page.close()
})

describe('municipality-wide reviews and risks, in a browser', () => {
  itIsAccessible(e2e, pages, [
    'item list',
    'new-item form',
    'side-by-side page',
    'item edit form',
    'item delete confirmation',
  ])

  it('shows each committee’s follow-up side by side on a desktop and one under the other on a phone', async () => {
    const { page } = e2e
    const tops = () =>
      page.$$eval('.side-by-side__column', (columns) => columns.map((c) => Math.round(c.getBoundingClientRect().top)))
    await page.setViewport(desktop)
    expect(await e2e.open(pages.get('side-by-side page') ?? '')).toBe(200)
    expect(await texts(page, '.side-by-side__column h3')).toEqual([
      'Förskolenämnden (Nämnd)',
      'Grundskolenämnden (Nämnd)',
      'Malmö Stadsfastigheter AB (Kommunalt bolag)',
    ])
    expect(new Set(await tops()).size).toBe(1)
    // What the committees did differs: two have a result and a measure, the company not yet.
    const columns = await texts(page, '.side-by-side__column')
    expect(columns.filter((c) => c.includes('Inget resultat registrerat'))).toHaveLength(1)
    expect(columns.filter((c) => c.includes('Inga åtgärder ännu.'))).toHaveLength(1)
    await page.setViewport(phone)
    const stacked = await tops()
    expect([...stacked].sort((a, b) => a - b)).toEqual(stacked)
    expect(new Set(stacked).size).toBe(3)
  })

  it('an item sent back with errors keeps what was typed and has no violations', async () => {
    const { page } = e2e
    await page.setViewport(desktop)
    expect(await e2e.open(pages.get('new-item form') ?? '')).toBe(200)
    await page.type('#field-title', 'Utan nämnder')
    const [response] = await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')])
    expect(response?.status()).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual(['Välj minst en nämnd eller ett bolag som posten gäller.'])
    expect(await page.$eval('#field-title', (i) => (i as HTMLInputElement).value)).toBe('Utan nämnder')
    expect(await axeViolations(page)).toEqual([])
  })

  it('shows the secretary the copy in the plan as kommunstyrelsen’s, with accessible forms for the committee’s own', async () => {
    await e2e.inOwnBrowser(async (page) => {
      await logIn(page, e2e.server.baseUrl, 'sekreterare')
      await page.goto(`${e2e.server.baseUrl}/planer`)
      const plans = await page.$$eval('main a', (links) =>
        links.map((a) => ({ text: a.textContent?.trim(), href: (a as HTMLAnchorElement).pathname })),
      )
      const plan = plans.find((p) => p.text === `Internkontrollplan ${year}`)?.href as string
      await page.goto(`${e2e.server.baseUrl}${plan}`)
      const risk = await linkPath(page, reviewTitle)
      await expectAccessible(page, e2e.server.baseUrl + risk)
      expect(await texts(page, '.locked-note')).toEqual([
        expect.stringContaining(`Kommungemensam – beslutad av kommunstyrelsen (KS ${year}/0412)`),
      ])
      await expectAccessible(page, `${e2e.server.baseUrl}${risk}/redigera`)
      await page.goto(`${e2e.server.baseUrl}${plan}/granskningar`)
      const review = await page.$$eval(
        'tr',
        (rows, title) => {
          const row = rows.find((r) => r.textContent?.includes(title))
          return row?.querySelector<HTMLAnchorElement>('a[href$="/redigera"]')?.pathname ?? ''
        },
        reviewTitle,
      )
      await expectAccessible(page, e2e.server.baseUrl + review)
      expect(await page.$('#field-title')).toBeNull()
      expect(await page.$('#field-result')).not.toBeNull()
    })
  })
})
