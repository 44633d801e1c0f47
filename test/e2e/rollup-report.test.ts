import { describe, expect, it } from 'vitest'
import { expectAccessible, fill, follow, logIn, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

// The server runs on the real clock; a fresh demo database holds one municipality.
const year = new Date().getFullYear()
const rollup = `/kommun/1/${year}`

describe('the roll-up report for kommunstyrelsen, in a browser', () => {
  it('is reached from the roll-up, made final by the coordinator, and passes axe at 1280 and 320 px before and after', async () => {
    await e2e.inOwnBrowser(async (page) => {
      const base = e2e.server.baseUrl
      await logIn(page, base, 'samordnare')
      await page.goto(base + rollup)
      expect(await follow(page, 'link', 'Sammanställning för kommunstyrelsen (PDF)')).toBe(200)
      const report = new URL(page.url()).pathname
      expect(report).toBe(`${rollup}/sammanstallning`)
      await expectAccessible(page, base + report)

      const name = 'Kim Karlsson, kommunsekreterare'
      await fill(page, 'Fastställd av', name)
      expect(await follow(page, 'button', 'Fastställ och spara PDF')).toBe(200)
      expect(new URL(page.url()).hash).toBe('#versions-heading')
      expect((await texts(page, '.notice'))[0]).toContain('Sammanställningen är fastställd som version 1.')
      const rows = await tableRows(page, 'main table')
      expect(rows).toHaveLength(1)
      const [version, , by, size, hash, link] = rows[0] as string[]
      expect([version, by, link]).toEqual(['1', name, 'Ladda ner version 1'])
      expect(size).toMatch(/^\d+ kB$/)
      expect(hash).toMatch(/^[0-9a-f]{64}$/)
      // The list of versions, its SHA-256 the widest word, still reflows at 320 px.
      await expectAccessible(page, base + report)
    })
  })
})
