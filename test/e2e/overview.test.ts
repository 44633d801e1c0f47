import { describe, expect, it } from 'vitest'
import { axeViolations, choose, fieldValue, fill, follow, logIn, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

const routine =
  'Revidera och tydliggöra delar i förvaltningens Rutin för referenstagning och kontroll av uttag ur belastningsregistret'

describe('the start page, in a browser', () => {
  it('lets HR-avdelningen’s ansvarig update a measure from Mina åtgärder and come back to see it', async () => {
    await e2e.inOwnBrowser(async (page) => {
      await logIn(page, e2e.server.baseUrl, 'hr')
      expect(new URL(page.url()).pathname).toBe('/')
      // The demo's Förskolenämnden keeps its plan through controls, some of them HR-avdelningen's.
      expect(await texts(page, 'main h2')).toEqual(['Mina åtgärder', 'Mina kontroller'])
      expect(await texts(page, '.my-measure > h3')).toContain(routine)
      expect(await axeViolations(page)).toEqual([])

      expect(await follow(page, 'link', `Uppdatera status och genomförda åtgärder – ${routine}`)).toBe(200)
      expect(await texts(page, 'h1')).toEqual([`Uppdatera åtgärd: ${routine}`])
      expect(await fieldValue(page, 'Status')).toBe('Genomförd')
      await choose(page, 'Status', 'Delvis genomförd')
      await fill(page, 'Genomförda åtgärder (valfritt)', 'Rutinen är reviderad; publiceras på KomIn i januari.')
      await fill(page, 'Klart senast (valfritt)', '2099-01-31')
      expect(await follow(page, 'button', 'Spara')).toBe(200)

      // Back on the start page, at the measure.
      const url = new URL(page.url())
      expect(url.pathname).toBe('/')
      const card = `.my-measure${url.hash}`
      expect(await texts(page, `${card} > h3`)).toEqual([routine])
      expect(await texts(page, `${card} .summary-list > div`)).toEqual([
        'Status Delvis genomförd',
        'Klart senast 2099-01-31',
      ])
      // The confirmation stands just above the measure, where the page lands, and has the focus so that it is read.
      await page.waitForFunction(() => document.activeElement?.matches('.notice'))
      expect(
        await page.$eval(card, (article) => (article.previousElementSibling as HTMLElement | null)?.innerText),
      ).toBe('Åtgärden är sparad.')
      // Unfinished now, it comes right after the demo's measure of this year, which is due sooner.
      expect((await texts(page, '.my-measure > h3')).slice(0, 2)).toEqual([
        'Stickprovskontroll av utdrag ur belastningsregistret vid nyanställning',
        routine,
      ])
      await page.click(`${card} summary`)
      expect(await texts(page, `${card} .prose`)).toEqual(['Rutinen är reviderad; publiceras på KomIn i januari.'])
      expect(await axeViolations(page)).toEqual([])
    })
  })

  it('gives the board member and the administrator start pages of their own, without violations', async () => {
    for (const [account, headings] of [
      ['lasare', ['Uppföljningsrapporter']],
      ['admin', ['Administration']],
    ] as const) {
      await e2e.inOwnBrowser(async (page) => {
        await logIn(page, e2e.server.baseUrl, account)
        expect(new URL(page.url()).pathname).toBe('/')
        expect(await texts(page, 'main h2')).toEqual(headings)
        expect(await axeViolations(page)).toEqual([])
      })
    }
  })

  it('leads the secretary from a count on the start page to the filtered measure list, whose form keeps the filter', async () => {
    const { page } = e2e
    expect(await e2e.open('/')).toBe(200)
    expect(await texts(page, 'main h2')).toEqual([
      'Nämndens planer',
      'Kontrollmomentens trafikljus',
      'Försenade åtgärder',
      'Försenade kontrolltillfällen',
      'Närmaste tidsfrister',
    ])
    expect(await follow(page, 'link', '1 Pågående i Internkontrollplan 2020')).toBe(200)
    expect(await texts(page, '.result-count')).toEqual(['Visar 1 av 12 åtgärder.'])
    expect(await fieldValue(page, 'Status')).toBe('Pågående')
    await fill(page, 'Sök', 'elevhälsa')
    await choose(page, 'Status', 'Alla statusar')
    expect(await follow(page, 'button', 'Visa')).toBe(200)
    expect(new URL(page.url()).searchParams.get('sok')).toBe('elevhälsa')
    expect(await texts(page, '.result-count')).toEqual(['Visar 2 av 12 åtgärder.'])
    expect(await fieldValue(page, 'Sök')).toBe('elevhälsa')
    expect(await axeViolations(page)).toEqual([])
  })
})
