import { describe, expect, it } from 'vitest'
import { choose, fieldValue, fill, follow, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

describe('a new plan’s title in a browser', () => {
  it('follows the year typed on the new-plan form, also after the form comes back with an error, until the user writes their own', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer/ny')).toBe(200)
    // The secretary keeps both demo committees; Grundskolenämnden is the one with the 2020 plan.
    await choose(page, 'Nämnd', 'Grundskolenämnden (Malmö stad)')
    await fill(page, 'År', '2023')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2023')

    // The committee has a plan for 2020: the form comes back, and the title goes on following.
    await fill(page, 'År', '2020')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2020')
    expect(await follow(page, 'button', 'Skapa planen')).toBe(400)
    expect(await texts(page, '.error-summary li')).toEqual(['Nämnden har redan en internkontrollplan för 2020.'])
    await fill(page, 'År', '2024')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2024')

    await fill(page, 'Rubrik', 'Nämndens plan för intern kontroll')
    await fill(page, 'År', '2025')
    expect(await fieldValue(page, 'Rubrik')).toBe('Nämndens plan för intern kontroll')
    // Emptied, the title is no longer the user's own, and follows again.
    await fill(page, 'Rubrik', '')
    await fill(page, 'År', '2026')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2026')
  })

  it('follows the year on the import’s upload page, also after a failed upload, until the user writes their own', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer/importera')).toBe(200)
    await fill(page, 'År', '2022')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2022')

    // Sent without a file: the page comes back with its message, and the title still follows.
    expect(await follow(page, 'button', 'Läs in filen')).toBe(400)
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2022')
    await fill(page, 'År', '2023')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2023')

    await fill(page, 'Rubrik', 'Importerad plan')
    expect(await follow(page, 'button', 'Läs in filen')).toBe(400)
    await fill(page, 'År', '2024')
    expect(await fieldValue(page, 'Rubrik')).toBe('Importerad plan')
  })

  it('stays as it is on the edit form of a plan', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer')).toBe(200)
    expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
    expect(await follow(page, 'link', 'Redigera planen')).toBe(200)
    await fill(page, 'År', '2027')
    expect(await fieldValue(page, 'Rubrik')).toBe('Internkontrollplan 2020')
  })
})
