import { describe, expect, it } from 'vitest'
import { swedishDate } from '../../server/dates.js'
import { demoRiskHeadings } from '../helpers/builders.js'
import { axeViolations, fieldValue, follow, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

const carriedMeasure = 'Kompetenshöjande insats för skolledare kring elevhälsouppdraget'

describe("next year's plan, made in a browser", () => {
  it("makes 2021's plan from the demo's 2020 plan and follows a carried measure back to 2020", async () => {
    const { page } = e2e
    expect(await e2e.open('/planer')).toBe(200)
    expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
    expect(await follow(page, 'link', 'Skapa nästa års plan')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Skapa internkontrollplan för 2021'])
    expect(await texts(page, 'main h2')).toEqual([
      'Risker som kopieras (6)',
      'Åtgärder som förs över (5)',
      'Stannar i Internkontrollplan 2020',
    ])
    expect(await texts(page, 'section[aria-labelledby="carried-heading"] li')).toContain(
      `${carriedMeasure} (Utbildningsområden, Pågående)`,
    )
    expect(await fieldValue(page, 'Den nya planens rubrik')).toBe('Internkontrollplan 2021')
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'button', 'Skapa planen för 2021')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Internkontrollplan 2021'])
    expect(await texts(page, 'article.risk h3')).toEqual(demoRiskHeadings)
    expect(await texts(page, 'article.risk .since-last-year')).toEqual(Array(6).fill('Oförändrad sedan 2020'))
    expect(await tableRows(page, 'article.risk table')).toContainEqual([
      carriedMeasure,
      'Utbildningsområden',
      'Pågående',
      '–',
    ])
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'link', carriedMeasure)).toBe(200)
    expect(await texts(page, '.summary-list > div')).toContain('Tidigare år Överförd från Internkontrollplan 2020')
    expect((await tableRows(page, '.status-history')).map(([, from, to]) => [from, to])).toEqual([
      ['Överförd', 'Pågående'],
    ])
    expect(await axeViolations(page)).toEqual([])

    expect(await follow(page, 'link', 'Överförd från Internkontrollplan 2020')).toBe(200)
    expect(await texts(page, 'h1')).toEqual([`Åtgärd: ${carriedMeasure}`])
    // Carried into 2021 here, as the demo carried it into the current year's plan.
    const later = (await texts(page, '.summary-list > div')).find((row) => row.startsWith('Senare år'))
    expect(later).toBe(
      `Senare år Överförd till Internkontrollplan 2021 Överförd till Internkontrollplan ${swedishDate(new Date()).slice(0, 4)}`,
    )
    expect(await follow(page, 'link', 'Grundskolenämnden: Internkontrollplan 2020')).toBe(200)

    // A second time the year is taken: the page says so and leads to the plan there is.
    expect(await follow(page, 'link', 'Skapa nästa års plan')).toBe(409)
    expect(await texts(page, '.warning')).toEqual([
      'Nämnden har redan en internkontrollplan för 2021. Öppna planen för 2021 i stället.',
    ])
    expect(await axeViolations(page)).toEqual([])
    expect(await follow(page, 'link', 'planen för 2021')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Internkontrollplan 2021'])

    expect(await follow(page, 'link', 'Risk: Röjande av sekretess')).toBe(200)
    expect(await texts(page, '.summary-list > div')).toContain(
      'Sedan föregående år Oförändrad sedan 2020 (risken i Internkontrollplan 2020)',
    )
    expect(await axeViolations(page)).toEqual([])
  })
})
