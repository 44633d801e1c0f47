import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { demoPassword, loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { PdfPrinter } from '../../reports/render-pdf.js'
import { createApp } from '../../server/app.js'
import { hashPassword } from '../../server/auth/passwords.js'
import { loadConfig } from '../../server/config.js'
import { demoPlan } from './builders.js'
import { openTestDatabase } from './test-database.js'

/** One Chromium per test file (closed by test/setup.ts), started only if a test asks for a PDF. */
export const testPdf = new PdfPrinter({ executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' })

/**
 * The demo accounts' password, hashed at a small scrypt cost: a test run logs in a few thousand times, and each login
 * at the full cost was a tenth of a second of CPU. The cost is stored in the hash, so the app's own verifyPassword
 * checks it as it checks any other; new accounts' hashes are made at the full cost (server/auth/passwords.test.ts).
 */
const demoHashForTests = hashPassword(demoPassword, { N: 2 ** 10, r: 8, p: 1 })

export type DemoLogin = 'admin' | 'sekreterare' | 'hr' | 'utbildning' | 'lasare' | 'samordnare'

/**
 * A real app on a fresh, migrated database (in memory, or on PostgreSQL: test-database.ts); with the demo's 2020 plan unless told otherwise (the current
 * year's only with `currentYear`), and its agent logged in as the demo secretary unless `as` names another demo
 * account (or null: nobody).
 */
export async function createTestApp(
  options: {
    demo?: boolean
    currentYear?: boolean
    today?: string
    production?: boolean
    trustProxy?: string
    /** SMTP_URL: the relay reminders go through; none, nothing is sent. */
    smtpUrl?: string
    pdf?: PdfPrinter
    as?: DemoLogin | null
    /** More of the environment, e.g. an identity provider's OIDC_ISSUER. */
    env?: Record<string, string | undefined>
  } = {},
) {
  const config = loadConfig({
    NODE_ENV: options.production ? 'production' : 'test',
    SECRET: 'test-secret-that-is-long-enough-for-hmac',
    TRUST_PROXY: options.trustProxy,
    SMTP_URL: options.smtpUrl,
    AUDIT_KEY: 'test-audit-key-that-is-long-enough-for-hmac',
    ...options.env,
  })
  let now = new Date(`${options.today ?? '2021-03-15'}T09:00:00Z`)
  const currentYear = options.currentYear ?? false
  const db = await openTestDatabase({
    seed:
      options.demo === false
        ? undefined
        : {
            key: `demo ${now.toISOString()} ${currentYear}`,
            apply: async (db) => loadDemoDataIfEmpty(db, now, { currentYear, passwordHash: await demoHashForTests }),
          },
  })
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

/** A form on a page with every field's value, as a browser holds them while the user types. */
export async function openForm(agent: TestAgent, path: string) {
  const $ = html((await agent.get(path).expect(200)).text)
  const form = $('main form[method="post"]').last()
  const fields = Object.fromEntries(
    form
      .find('input[name]:not([type="checkbox"]), input[type="checkbox"][checked], select[name], textarea[name]')
      .map((_, e) => {
        const field = $(e)
        const value = field.is('select')
          ? (field.find('option[selected]').val() ?? '')
          : field.is('textarea')
            ? field.text()
            : (field.val() ?? '')
        return [[field.attr('name'), String(value)]]
      })
      .get(),
  ) as Record<string, string>
  return {
    action: String(form.attr('action')),
    fields,
    post: (changes: Record<string, string>) =>
      agent
        .post(String(form.attr('action')))
        .type('form')
        .send({ ...fields, ...changes }),
  }
}

/** The demo secretary and, in a second session, HR's owner, with one of HR's measures not in progress. */
export async function secretaryAndOwner() {
  const { agent: secretary, db, app } = await createTestApp()
  const hr = supertest.agent(app)
  await logIn(hr, 'hr')
  const { planId, unit, risks } = await demoPlan(db)
  const measure = await db
    .selectFrom('measure')
    .selectAll()
    .where('owner_unit_id', '=', unit('HR-avdelningen'))
    .where('status', '!=', 'in_progress')
    .executeTakeFirstOrThrow()
  const page = `/planer/${planId}/atgarder/${measure.id}`
  return { secretary, hr, db, app, planId, unit, risks, measure, page }
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
