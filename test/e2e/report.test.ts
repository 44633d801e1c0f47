import { createHash } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { demoPlan, demoRiskHeadings } from '../helpers/builders.js'
import { createTestApp } from '../helpers/test-app.js'
import { axeViolations, fill, follow, linkPath, type Page, tableRows, texts, useBrowser } from './browser.js'

const e2e = useBrowser()

async function openReport(page: Page) {
  expect(await e2e.open('/planer')).toBe(200)
  expect(await follow(page, 'link', 'Internkontrollplan 2020')).toBe(200)
  expect(await follow(page, 'link', 'Uppföljningsrapport')).toBe(200)
  expect(new URL(page.url()).pathname).toMatch(/^\/planer\/\d+\/rapport$/)
}

/** Fetches a path from inside the page, with its cookies, as a click on a download link would. */
function fetchInPage(page: Page, path: string) {
  return page.evaluate(async (url) => {
    const answer = await fetch(url)
    const bytes = new Uint8Array(await answer.arrayBuffer())
    return {
      status: answer.status,
      type: answer.headers.get('content-type'),
      disposition: answer.headers.get('content-disposition'),
      start: String.fromCharCode(...bytes.subarray(0, 5)),
      size: bytes.length,
    }
  }, path)
}

describe('the follow-up report, used in a browser', () => {
  it('previews the report without accessibility violations, and marks it final', async () => {
    const { page } = e2e
    await openReport(page)
    expect(await texts(page, '.report-cover__title')).toEqual(['Uppföljning förbättringsåtgärder 2020'])
    expect(await texts(page, '.report-toc h2')).toEqual(['Innehållsförteckning'])
    expect(await texts(page, '.report-risk h3')).toEqual(demoRiskHeadings)
    expect(await texts(page, '.report-toolbar p')).toContain('Rapporten har inte fastställts ännu.')
    expect(await axeViolations(page)).toEqual([])

    const name = 'Anna Andersson, nämndsekreterare'
    await fill(page, 'Fastställd av', name)
    expect(await follow(page, 'button', 'Fastställ och spara PDF')).toBe(200)
    expect(new URL(page.url()).hash).toBe('#versions-heading')
    const rows = await tableRows(page, '.report-toolbar table')
    expect(rows).toHaveLength(1)
    const [version, madeAt, by, size, hash, link] = rows[0] as string[]
    expect([version, by, link]).toEqual(['1', name, 'Ladda ner version 1'])
    expect(madeAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    expect(size).toMatch(/^\d+ kB$/)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await texts(page, '.report-toolbar p')).not.toContain('Rapporten har inte fastställts ännu.')

    // The stored file is the one the table describes.
    const cookie = (await page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    const stored = await fetch(e2e.server.baseUrl + (await linkPath(page, 'Ladda ner version 1')), {
      headers: { cookie },
    })
    expect(stored.status).toBe(200)
    expect(stored.headers.get('content-type')).toMatch(/^application\/pdf/)
    const bytes = Buffer.from(await stored.arrayBuffer())
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(hash)
  })

  it('downloads the draft PDF from the "Ladda ner PDF" link', async () => {
    const { page } = e2e
    await openReport(page)
    const href = await linkPath(page, 'Ladda ner PDF')
    expect(href).toBe(`${new URL(page.url()).pathname}/pdf`)
    const answer = await fetchInPage(page, href)
    expect(answer.status).toBe(200)
    expect(answer.type).toMatch(/^application\/pdf/)
    expect(answer.disposition).toMatch(/^attachment;/)
    expect(answer.start).toBe('%PDF-')
    expect(answer.size).toBeGreaterThan(10_000)
  })

  it('shows the Swedish explanation when the PDF cannot be made right now', async () => {
    const { page } = e2e
    const unavailable = await unavailablePage()
    await openReport(page)
    // The e2e server's Chromium works, so its answer is replaced by what the app answers when Chromium is missing.
    await page.setRequestInterception(true)
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/rapport/pdf')) void request.respond(unavailable)
      else void request.continue()
    })
    const navigation = page.waitForNavigation({ timeout: 5_000 }).catch(() => null)
    await page.locator('::-p-aria([name="Ladda ner PDF"][role="link"])').click()
    const response = await navigation
    expect(response?.status(), 'clicking "Ladda ner PDF" should show the page that explains the 503').toBe(503)
    expect(await texts(page, 'h1')).toEqual(['Det gick inte att skapa PDF-filen just nu'])
    expect((await texts(page, 'main p'))[0]).toContain('webbläsaren som skapar PDF-filer inte kunde startas')
  })
})

/** The app's real answer to a draft-PDF request when Chromium cannot be started. */
async function unavailablePage() {
  const missing = new PdfPrinter({ executablePath: '/nonexistent/chromium' })
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    const app = await createTestApp({ pdf: missing })
    const { planId } = await demoPlan(app.db)
    const answer = await app.agent.get(`/planer/${planId}/rapport/pdf`).expect(503)
    await app.db.destroy()
    return { status: 503, contentType: String(answer.headers['content-type']), body: answer.text }
  } finally {
    logged.mockRestore()
    await missing.close()
  }
}
