import { describe, expect, it } from 'vitest'
import { axeViolations, fill, follow, logIn, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

describe('an owner unit’s ansvarig, in a browser', () => {
  it('updates one of HR-avdelningen’s measures and cannot reach the edit form of Utbildningsområden’s', async () => {
    await e2e.inOwnBrowser(async (page) => {
      await logIn(page, e2e.server.baseUrl, 'hr')
      expect(await texts(page, '.site-header__account span')).toEqual(['Hanna Holm'])

      await page.goto(`${e2e.server.baseUrl}/planer`)
      expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
      // Reading is allowed, changing the plan is not offered.
      expect(await page.$$eval('a', (links) => links.map((a) => a.textContent?.trim()))).not.toContain('Ny risk')

      expect(
        await follow(
          page,
          'link',
          'Revidera och tydliggöra delar i förvaltningens Rutin för referenstagning och kontroll av uttag ur belastningsregistret',
        ),
      ).toBe(200)
      expect(await follow(page, 'link', 'Uppdatera status och genomförda åtgärder')).toBe(200)
      expect(await axeViolations(page)).toEqual([])
      await fill(page, 'Genomförda åtgärder (valfritt)', 'Rutinen reviderades i december och publicerades på KomIn.')
      await fill(page, 'Klart senast (valfritt)', '2021-01-31')
      expect(await follow(page, 'button', 'Spara')).toBe(200)
      expect(await texts(page, '.prose p')).toContain('Rutinen reviderades i december och publicerades på KomIn.')
      expect((await texts(page, '.summary-list')).join(' ')).toContain('2021-01-31')

      // A measure of Utbildningsområden: readable, but its edit and update forms are closed.
      const plan = new URL(page.url()).pathname.split('/atgarder/')[0]
      await page.goto(`${e2e.server.baseUrl}${plan}`)
      expect(await follow(page, 'link', 'Kompetenshöjande insats för skolledare kring elevhälsouppdraget')).toBe(200)
      expect(await texts(page, 'main .actions a')).toEqual([])
      for (const form of ['redigera', 'uppdatera']) {
        const response = await page.goto(`${page.url().replace(/\/$/, '')}/${form}`)
        expect(response?.status()).toBe(403)
        expect(await texts(page, 'h1')).toEqual(['Åtkomst nekad'])
        await page.goBack()
      }
    })
  })
})
