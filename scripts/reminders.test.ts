import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Db, databaseEnv, isPostgresUrl, migrateToLatest } from '../db/connection.js'
import { loadDemoDataIfEmpty } from '../db/seed/demo.js'
import { openAuditedDatabase } from '../server/audit/anchor.js'
import { verifyAudit } from '../server/audit/verify.js'
import { type Config, loadConfig } from '../server/config.js'
import { rowCount } from '../test/helpers/builders.js'
import { queueMail } from '../test/helpers/outbox.js'
import { runScript } from '../test/helpers/scripts.js'
import { startSmtpServer, type TestSmtpServer } from '../test/helpers/smtp.js'
import { freshDatabaseLocation } from '../test/helpers/test-database.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-reminders-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let config: Config
let db: Db
let smtp: TestSmtpServer
let databases = 0

/** Where the installation keeps its data, as the command is told: an SQLite file, or PostgreSQL with its anchor file. */
let environment: Record<string, string>

beforeEach(async () => {
  databases += 1
  const location = await freshDatabaseLocation(join(dir, `installation-${databases}.sqlite`))
  environment = {
    ...databaseEnv(location),
    ...(isPostgresUrl(location) && { AUDIT_ANCHOR_FILE: join(dir, `installation-${databases}.audit-anchor`) }),
  }
  config = loadConfig({ NODE_ENV: 'test', ...environment })
  // As the server opens it: every change signed and anchored, as the command's own changes are.
  db = openAuditedDatabase(config)
  await migrateToLatest(db)
  smtp = await startSmtpServer()
})

afterEach(async () => {
  expect(await verifyAudit(db, { key: config.auditKey, anchorFile: config.auditAnchorFile })).toMatchObject({
    findings: [],
  })
  await smtp.stop()
  await db.destroy()
})

/** `npm run reminders -- …args` in a process of its own, as an operator runs it. */
const reminders = (args: string[], env: Record<string, string | undefined> = {}) =>
  runScript('scripts/reminders.ts', args, {
    ...environment,
    PUBLIC_URL: 'https://ik.kommun.test',
    MAIL_FROM: 'Internkontroll <noreply@kommun.test>',
    ...env,
  })

const states = async () =>
  (await db.selectFrom('outbox_mail').select('state').orderBy('id').execute()).map((m) => m.state)
const at = new Date('2026-12-02T05:00:00Z')

describe('npm run reminders', () => {
  it('with --dry-run prints what that day would send and writes nothing', async () => {
    await queueMail(db, { at })
    const before = await Promise.all([
      rowCount(db, 'outbox_mail'),
      rowCount(db, 'audit_event'),
      rowCount(db, 'reminder_pass'),
    ])
    const { code, stdout } = await reminders(['--dry-run', '--date', '2026-12-02'], { SMTP_URL: smtp.url })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Reminders of 2026-12-02, a dry run: nothing is written or sent\.\n/)
    expect(
      await Promise.all([rowCount(db, 'outbox_mail'), rowCount(db, 'audit_event'), rowCount(db, 'reminder_pass')]),
    ).toEqual(before)
    expect(await states()).toEqual(['queued'])
    expect(smtp.received).toHaveLength(0)
  })

  it('runs the pass and sends what is queued; two at once send each mail once', async () => {
    // The demo's measures due and overdue around today give the pass reminders of its own to write and send.
    await loadDemoDataIfEmpty(db, new Date())
    await Promise.all(Array.from({ length: 8 }, () => queueMail(db, { at })))
    // A moment per mail, so that the two runs overlap.
    smtp.beforeAccept = () => new Promise((resolve) => setTimeout(resolve, 20))
    const runs = await Promise.all([reminders([], { SMTP_URL: smtp.url }), reminders([], { SMTP_URL: smtp.url })])
    for (const run of runs) {
      // Done, or the pass left to the other, which held its lease at that moment.
      expect([0, 75]).toContain(run.code)
      expect(run.stderr).toBe('')
    }
    expect(runs.map((r) => r.stdout).join('\n')).toMatch(/^Reminder pass of \d{4}-\d\d-\d\d: /m)
    const mails = await db.selectFrom('outbox_mail').select(['message_id', 'state']).execute()
    expect(mails.length).toBeGreaterThan(8)
    expect(smtp.received.map((m) => m.parsed.messageId).sort()).toEqual(mails.map((m) => m.message_id).sort())
    expect(mails.map((m) => m.state)).toEqual(Array(mails.length).fill('sent'))
  })

  it('says plainly that nothing is sent without SMTP_URL', async () => {
    await queueMail(db, { at })
    const { code, stdout } = await reminders([])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Reminder pass of \d{4}-\d\d-\d\d: \d+ reminder\(s\) due, \d+ mail\(s\) queued\.$/m)
    expect(stdout).toMatch(/^SMTP_URL is not set, so nothing is sent: [1-9]\d* mail\(s\) stay queued until it is\.$/m)
    expect(await states()).toEqual(['queued'])
  })

  it('fails when the mail server cannot be reached, leaving the mail queued', async () => {
    // Written a moment ago: an outage fails only mails days old.
    await queueMail(db, { at: new Date() })
    await smtp.stop()
    const { code, stdout } = await reminders([], { SMTP_URL: smtp.url })
    expect(code).toBe(1)
    expect(stdout).toMatch(
      /^The mail server could not take the reminder mails \(.*ECONNREFUSED.*\); they stay queued\.$/m,
    )
    expect(await states()).toEqual(['queued'])
  })

  it('refuses a wrong day or option, and a database that is not there', async () => {
    expect(await reminders(['--date', '2026-02-30'])).toMatchObject({
      code: 2,
      stderr: '--date 2026-02-30: give a day as YYYY-MM-DD, e.g. 2026-12-02.\n',
    })
    // A pass of another day than today would mark that day passed: only a dry run looks at another day.
    expect(await reminders(['--date', '2026-12-02'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^--date is for a dry run only: .*\nUsage: /),
    })
    expect(await rowCount(db, 'reminder_pass')).toBe(0)
    expect(await reminders(['--dry', '--run'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage:') })
    const missing = join(dir, 'missing.sqlite')
    expect(await reminders(['--dry-run'], { DATABASE_URL: undefined, DATABASE_FILE: missing })).toMatchObject({
      code: 2,
      stderr: `There is no database at ${missing}; name it with DATABASE_FILE or DATABASE_URL.\n`,
    })
  })
})
