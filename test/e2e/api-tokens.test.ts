import { describe, expect, it } from 'vitest'
import {
  axeViolations,
  choose,
  desktop,
  expectAccessible,
  fill,
  follow,
  logIn,
  phone,
  reflowProblems,
  tableRows,
  useBrowser,
} from './browser.js'

const e2e = useBrowser()

describe('API tokens, in a browser', () => {
  it('lets the administrator create a token, shown once, use it, and revoke it, every page passing axe at 1280 and 320 px', async () => {
    await e2e.inOwnBrowser(async (page) => {
      const base = e2e.server.baseUrl
      await logIn(page, base, 'admin')
      await page.setViewport(desktop)
      expect(await follow(page, 'link', 'API-nycklar')).toBe(200)
      await expectAccessible(page, `${base}/admin/api-nycklar`)

      await page.setViewport(desktop)
      await fill(page, 'Namn', 'Intranätets rapportsida')
      await choose(page, 'Kommun', 'Malmö stad')
      expect(await follow(page, 'button', 'Skapa nyckeln')).toBe(201)
      const token = await page.$eval('#api-token', (input) => (input as HTMLInputElement).value)
      expect(token).toMatch(/^ik_[A-Za-z0-9_-]{43}$/)
      // The page is the answer to the post: checked where it stands, not opened again.
      expect(await axeViolations(page)).toEqual([])
      await page.setViewport(phone)
      expect(await axeViolations(page)).toEqual([])
      expect(await reflowProblems(page)).toEqual([])

      // The browser's own request with the token: JSON, and the API sets no cookie.
      const answer = await page.evaluate(async (key) => {
        const response = await fetch('/api/v1/committees', { headers: { Authorization: `Bearer ${key}` } })
        return { status: response.status, cookie: response.headers.get('set-cookie'), body: await response.json() }
      }, token)
      expect(answer.status).toBe(200)
      expect(answer.cookie).toBeNull()
      expect(answer.body.items.length).toBeGreaterThan(0)

      await page.setViewport(desktop)
      await page.goto(`${base}/admin/api-nycklar`)
      const [row] = await tableRows(page, 'main table')
      expect(row?.slice(0, 3)).toEqual(['Intranätets rapportsida', 'Malmö stad', `${token.slice(0, 9)}…`])
      expect(row?.[6]).toBe('1')
      expect(await page.content()).not.toContain(token)

      expect(await follow(page, 'link', 'Återkalla Intranätets rapportsida')).toBe(200)
      await expectAccessible(page, page.url())
      await page.setViewport(desktop)
      expect(await follow(page, 'button', 'Ja, återkalla')).toBe(200)
      const [revoked] = await tableRows(page, 'main table')
      expect(revoked?.[7]).toMatch(/^Återkallad \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
      const refused = await page.evaluate(async (key) => {
        const response = await fetch('/api/v1/committees', { headers: { Authorization: `Bearer ${key}` } })
        return response.status
      }, token)
      expect(refused).toBe(401)
    })
  })
})
