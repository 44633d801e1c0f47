import { describe, expect, it } from 'vitest'
import { swedishDate } from '../../server/dates.js'
import { expectAccessible, follow, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

/** Förskolenämnden's plan of this year: adopted, kept through controls. */
async function preschoolPlan(): Promise<string> {
  expect(await e2e.open('/planer')).toBe(200)
  return e2e.page.$$eval(
    'main section',
    (sections, title) => {
      const section = sections.find((s) => s.querySelector('h2')?.textContent?.startsWith('Förskolenämnden '))
      const link = [...(section?.querySelectorAll('a') ?? [])].find((a) => a.textContent?.trim() === title)
      return link ? new URL(link.href).pathname : ''
    },
    `Internkontrollplan ${swedishDate(new Date()).slice(0, 4)}`,
  )
}

describe('open data in the browser', () => {
  it('the secretary publishes a plan; signed out, anyone opens the index and the files; stopping hides them', async () => {
    const plan = await preschoolPlan()
    const planId = plan.split('/').at(-1)
    await expectAccessible(e2e.page, e2e.server.baseUrl + plan)
    await e2e.page.setViewport({ width: 1280, height: 800 })
    expect(await e2e.open(plan)).toBe(200)
    // The file must hold every control the plan page counts, however many the demo gives it.
    const [counted] = await texts(e2e.page, `a[href="${plan}/kontroller"]`)
    const controlCount = Number(/^(\d+) kontrollmoment/.exec(counted ?? '')?.[1])
    expect(controlCount).toBeGreaterThan(0)
    expect(await follow(e2e.page, 'button', 'Publicera som öppna data')).toBe(200)
    expect(await texts(e2e.page, '.notice')).toEqual(['Planen är publicerad som öppna data.'])
    await expectAccessible(e2e.page, e2e.server.baseUrl + plan)

    await e2e.inOwnBrowser(async (page) => {
      await expectAccessible(page, `${e2e.server.baseUrl}/oppna-data`)
      expect(await texts(page, 'main h3')).toContain('Förskolenämnden Nämnd')
      const json = await page.goto(`${e2e.server.baseUrl}/oppna-data/planer/${planId}.json`)
      expect(json?.status()).toBe(200)
      const document = JSON.parse((await json?.text()) ?? '')
      expect(document.committee.name).toBe('Förskolenämnden')
      expect(document.risks.flatMap((r: { controls: unknown[] }) => r.controls)).toHaveLength(controlCount)
      const csv = await page.evaluate(async (path) => {
        const response = await fetch(path)
        return { status: response.status, disposition: response.headers.get('content-disposition') }
      }, `/oppna-data/planer/${planId}.csv`)
      expect(csv.status).toBe(200)
      expect(csv.disposition).toContain('attachment')
    })

    expect(await e2e.open(plan)).toBe(200)
    expect(await follow(e2e.page, 'button', 'Sluta publicera')).toBe(200)
    await e2e.inOwnBrowser(async (page) => {
      expect((await page.goto(`${e2e.server.baseUrl}/oppna-data/planer/${planId}.json`))?.status()).toBe(404)
    })
  })
})
