import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { afterAll } from 'vitest'
import { migrateToLatest, openDatabase } from '../../db/connection.js'
import { demoPassword, loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { createApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'

/** One Chromium per test file, started only if a test asks for a PDF. */
export const testPdf = new PdfPrinter({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' })
afterAll(() => testPdf.close())

export type DemoLogin = 'admin' | 'sekreterare' | 'hr' | 'utbildning' | 'lasare'

/**
 * A real app on a fresh, migrated in-memory database; with the demo plan unless told otherwise, and its
 * agent logged in as the demo secretary unless `as` names another demo account (or null: nobody).
 */
export async function createTestApp(
  options: { demo?: boolean; today?: string; production?: boolean; pdf?: PdfPrinter; as?: DemoLogin | null } = {},
) {
  const config = loadConfig({
    NODE_ENV: options.production ? 'production' : 'test',
    SECRET: 'test-secret-that-is-long-enough-for-hmac',
    AUDIT_KEY: 'test-audit-key-that-is-long-enough-for-hmac',
  })
  const db = openDatabase(':memory:')
  await migrateToLatest(db)
  let now = new Date(`${options.today ?? '2021-03-15'}T09:00:00Z`)
  if (options.demo !== false) await loadDemoDataIfEmpty(db, now)
  const app = createApp({ db, config, clock: () => now, pdf: options.pdf ?? testPdf })
  /** Moves the app's clock forward, for timeouts. */
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms)
  }
  const agent = supertest.agent(app)
  const login = options.as === undefined ? 'sekreterare' : options.as
  if (options.demo !== false && login) await logIn(agent, login)
  return { app, db, agent, advance }
}

export type TestAgent = ReturnType<typeof supertest.agent>

/**
 * Opens a form page as a browser would (getting the CSRF cookie and token), posts the fields with the form's
 * hidden ones to its action (or to the form with the given action), and checks the response status.
 */
export async function submitForm(
  agent: TestAgent,
  formPage: string,
  fields: Record<string, string>,
  expectedStatus: number,
  action?: string,
) {
  const page = await agent.get(formPage).expect(200)
  const $ = cheerio.load(page.text)
  const form = action ? $(`form[action="${action}"]`) : $('main form[method="post"]').last()
  if (typeof form.find('input[name="_csrf"]').val() !== 'string')
    throw new Error(`No CSRF token in a form on ${formPage}`)
  // Like a browser, send the form's hidden fields (the CSRF token among them) along with what was typed.
  const hidden = Object.fromEntries(
    form
      .find('input[type="hidden"]')
      .map((_, input) => [[$(input).attr('name'), $(input).val()]])
      .get(),
  )
  const response = await agent
    .post(action ?? String(form.attr('action')))
    .type('form')
    .send({ ...hidden, ...fields })
  if (response.status !== expectedStatus) {
    throw new Error(`Expected ${expectedStatus}, got ${response.status}: ${response.text.slice(0, 2000)}`)
  }
  return response
}

export async function logIn(agent: TestAgent, account: DemoLogin) {
  await submitForm(
    agent,
    '/logga-in',
    { email: `${account}@demo.internkontroll.se`, password: demoPassword },
    303,
    '/logga-in',
  )
}

export const html = (text: string) => cheerio.load(text)
