import { describe, expect, it } from 'vitest'
import { demoContents } from '../helpers/builders.js'
import { choose, follow, type Page, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null
    const box = element?.getBoundingClientRect()
    return {
      tag: element?.tagName,
      id: element?.id,
      text: element?.textContent?.trim(),
      onScreen: box ? box.right > 0 && box.left < window.innerWidth && box.width > 1 : false,
    }
  })

/** Presses Enter or Space and waits for the page it leads to; returns the page's HTTP status. */
async function pressAndWait(page: Page, key: 'Enter' | 'Space') {
  const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press(key)])
  return response?.status()
}

describe('keyboard use', () => {
  it('reaches the visible skip link "Till huvudinnehållet" with the first Tab, and it moves focus to the main content', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer')).toBe(200)
    await page.keyboard.press('Tab')
    expect(await focused(page)).toMatchObject({ tag: 'A', text: 'Till huvudinnehållet', onScreen: true })
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => location.hash === '#main')
    expect(await focused(page)).toMatchObject({ tag: 'MAIN', id: 'main' })
  })

  it('sends a form with Enter in a text field, and with Space on the submit button reached by Tab', async () => {
    const { page } = e2e
    expect(await e2e.open('/planer')).toBe(200)
    expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
    expect(await follow(page, 'link', 'Ny risk')).toBe(200)

    // The form chooses no treatment for the user.
    await choose(page, 'Riskhantering', 'Bevakning')
    await page.focus('#field-title')
    await page.keyboard.type('Risk skapad med tangentbordet')
    expect(await pressAndWait(page, 'Enter')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Risk: Risk skapad med tangentbordet'])

    expect(await follow(page, 'link', 'Redigera risken')).toBe(200)
    await page.focus('#field-title')
    await page.keyboard.press('End')
    await page.keyboard.type(' (ändrad)')
    for (let presses = 0; presses < 20; presses++) {
      const now = await focused(page)
      if (now.tag === 'BUTTON') break
      await page.keyboard.press('Tab')
    }
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', text: 'Spara ändringarna', onScreen: true })
    expect(await pressAndWait(page, 'Space')).toBe(200)
    expect(await texts(page, 'h1')).toEqual(['Risk: Risk skapad med tangentbordet (ändrad)'])
  })
})

describe('after a save', () => {
  const [riskTitle, [firstMeasure = '', secondMeasure = '']] = demoContents[3] as [string, string[]]

  async function openRisk(page: Page) {
    expect(await e2e.open('/planer')).toBe(200)
    expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
    expect(await follow(page, 'link', `Risk: ${riskTitle}`)).toBe(200)
  }

  it('says what was saved in a status message that has the focus, so that a screen reader reads it', async () => {
    const { page } = e2e
    await openRisk(page)
    expect(await follow(page, 'link', firstMeasure)).toBe(200)
    expect(await follow(page, 'link', 'Redigera åtgärden')).toBe(200)
    expect(await follow(page, 'button', 'Spara ändringarna')).toBe(200)
    expect(await texts(page, 'main [role="status"]')).toEqual(['Åtgärden är sparad.'])
    expect(await focused(page)).toMatchObject({ tag: 'DIV', text: 'Åtgärden är sparad.', onScreen: true })
  })

  it('puts the focus back on the moved measure’s button after Flytta ned, and says that it moved', async () => {
    const { page } = e2e
    await openRisk(page)
    expect(await follow(page, 'button', `Flytta ned ${firstMeasure}`)).toBe(200)
    expect((await texts(page, 'tbody td:first-child')).slice(0, 2)).toEqual([secondMeasure, firstMeasure])
    expect(await focused(page)).toMatchObject({ tag: 'BUTTON', text: `Flytta ned ${firstMeasure}`, onScreen: true })
    // Written anew once the page has loaded, so that it is announced while the focus stays on the button.
    await page.waitForFunction(() => document.querySelector('main [role="status"]')?.textContent !== '')
    expect(await texts(page, 'main [role="status"]')).toEqual(['Åtgärden är flyttad ned.'])
  })
})
