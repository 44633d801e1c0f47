import { describe, expect, it } from 'vitest'
import { expectAccessible, follow, logIn, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

// The server runs on the real clock, so its demo has this year's plans of Grundskolenämnden, Förskolenämnden and
// the company Malmö Stadsfastigheter AB.
const year = new Date().getFullYear()
// A fresh demo database holds one municipality.
const rollup = `/kommun/1/${year}`

describe('the roll-up, in a browser', () => {
  it('shows the administrator every committee of the municipality and passes axe at 1280 and 320 px, filtered too', async () => {
    await e2e.inOwnBrowser(async (page) => {
      await logIn(page, e2e.server.baseUrl, 'admin')
      await expectAccessible(page, e2e.server.baseUrl + rollup)
      expect((await texts(page, 'h1'))[0]).toMatch(new RegExp(`^Sammanställning av intern kontroll ${year} – `))
      const rows = await texts(page, 'table.rollup--plans tbody th[scope="row"]')
      expect(rows.map((r) => r.split(' ')[0])).toEqual(['Förskolenämnden', 'Grundskolenämnden', 'Malmö'])
      // At 1280 px both tables fit the page: nothing hides behind a sideways scroll.
      await page.setViewport({ width: 1280, height: 800 })
      const overflowing = await page.$$eval('table.rollup', (tables) =>
        tables.filter((t) => t.scrollWidth > (t.parentElement?.clientWidth ?? 0)).map((t) => t.className),
      )
      expect(overflowing).toEqual([])
      // A count in the risk matrix opens the risks behind it.
      const cell = await page.$eval('table.rollup-matrix a.count', (a) => a.getAttribute('href') ?? '')
      expect(cell).toMatch(new RegExp(`^${rollup}/risker/[1-4]/[1-4]$`))
      await expectAccessible(page, e2e.server.baseUrl + cell)
      expect((await texts(page, 'table.cell-risks tbody tr')).length).toBeGreaterThan(0)
      await page.setViewport({ width: 1280, height: 800 })
      await page.goto(e2e.server.baseUrl + rollup)

      // Filtered by an administration through the form: the page and its export link keep the filter.
      await page.select(
        '#field-forvaltning',
        await page.$eval('#field-forvaltning option:nth-child(2)', (o) => (o as HTMLOptionElement).value),
      )
      expect(await follow(page, 'button', 'Visa')).toBe(200)
      const filtered = new URL(page.url())
      expect(filtered.searchParams.get('forvaltning')).toMatch(/^\d+$/)
      expect(await texts(page, 'table.rollup--plans tbody tr')).toHaveLength(1)
      await expectAccessible(page, filtered.href)
      // A filter that is not valid: the page says so, and is accessible all the same.
      await expectAccessible(page, `${e2e.server.baseUrl}${rollup}?forvaltning=abc`, 400)
    })
  })
})
