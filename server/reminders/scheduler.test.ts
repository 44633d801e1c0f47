import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Db, migrateToLatest, openDatabase } from '../../db/connection.js'
import { queueMail as queueOutboxMail } from '../../test/helpers/outbox.js'
import { startSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { withLease } from './lease.js'
import { nextPassAt, passLeaseName, startReminderScheduler } from './scheduler.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-scheduler-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let file: string
let db: Db
let databases = 0

beforeEach(async () => {
  databases += 1
  file = join(dir, `scheduler-${databases}.sqlite`)
  db = openDatabase(file)
  await migrateToLatest(db)
})

afterEach(async () => {
  expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  await db.destroy()
})

const leaseRow = () => db.selectFrom('job_lease').selectAll().where('name', '=', passLeaseName).executeTakeFirst()
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('withLease', () => {
  it('lets one of two instances racing on the same database file run the job', async () => {
    // Another process's connection to the same file.
    const other = openDatabase(file)
    const now = new Date('2026-12-02T05:00:00Z')
    const ran: string[] = []
    const job = (holder: string) => async () => {
      ran.push(holder)
      // Long enough for the other to try while this one holds the lease.
      await pause(50)
      return holder
    }
    try {
      const outcomes = await Promise.all([
        withLease(db, passLeaseName, 'host-a:101:aa', 60_000, now, job('host-a:101:aa')),
        withLease(other, passLeaseName, 'host-b:202:bb', 60_000, now, job('host-b:202:bb')),
      ])
      expect(ran).toHaveLength(1)
      const [winner] = ran
      expect(outcomes).toContainEqual({ acquired: true, result: winner })
      expect(outcomes).toContainEqual({ acquired: false, holder: winner })
    } finally {
      await other.destroy()
    }
    // Released when done: the next day's pass finds it free.
    expect(await leaseRow()).toBeUndefined()
  })

  it('takes over a lease its holder left to expire, and leaves one that has not', async () => {
    const now = new Date('2026-12-02T05:00:00Z')
    await db
      .insertInto('job_lease')
      .values({ name: passLeaseName, holder: 'crashed:1:00', expires_at: '2026-12-02T04:59:59.999Z' })
      .execute()
    expect(await withLease(db, passLeaseName, 'host-b:202:bb', 60_000, now, async () => 'ran')).toEqual({
      acquired: true,
      result: 'ran',
    })

    await db
      .insertInto('job_lease')
      .values({ name: passLeaseName, holder: 'busy:1:00', expires_at: '2026-12-02T05:00:00.001Z' })
      .execute()
    expect(await withLease(db, passLeaseName, 'host-b:202:bb', 60_000, now, async () => 'ran')).toEqual({
      acquired: false,
      holder: 'busy:1:00',
    })
    expect(await leaseRow()).toMatchObject({ holder: 'busy:1:00' })
    // Its own holder may renew it.
    expect(await withLease(db, passLeaseName, 'busy:1:00', 60_000, now, async () => 'ran')).toMatchObject({
      acquired: true,
    })
  })

  it('releases the lease when the job fails, and leaves one taken over from it', async () => {
    const now = new Date('2026-12-02T05:00:00Z')
    const failing = withLease(db, passLeaseName, 'host-a:101:aa', 60_000, now, async () => {
      throw new Error('the pass failed')
    })
    await expect(failing).rejects.toThrow('the pass failed')
    expect(await leaseRow()).toBeUndefined()

    // A holder that overran its lease while another took it over.
    await withLease(db, passLeaseName, 'host-a:101:aa', 60_000, now, async () => {
      await db.updateTable('job_lease').set({ holder: 'host-b:202:bb' }).where('name', '=', passLeaseName).execute()
    })
    expect(await leaseRow()).toMatchObject({ holder: 'host-b:202:bb' })
  })
})

describe('nextPassAt', () => {
  it('is the configured hour in Sweden, summer time or not', () => {
    const config = { reminderHour: 6 }
    expect(nextPassAt(config, new Date('2026-12-02T04:00:00Z'))).toEqual(new Date('2026-12-02T05:00:00Z'))
    expect(nextPassAt(config, new Date('2026-12-02T05:00:00Z'))).toEqual(new Date('2026-12-03T05:00:00Z'))
    // The clocks go forward on 29 March 2026 and back on 25 October.
    expect(nextPassAt(config, new Date('2026-03-28T12:00:00Z'))).toEqual(new Date('2026-03-29T04:00:00Z'))
    expect(nextPassAt(config, new Date('2026-10-24T12:00:00Z'))).toEqual(new Date('2026-10-25T05:00:00Z'))
  })
})

describe('startReminderScheduler', () => {
  let smtp: TestSmtpServer
  let lines: string[]
  const log = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`ERROR ${line}`) }
  const configWith = (smtpUrl: string | undefined) => ({
    publicUrl: 'https://ik.kommun.test',
    smtpUrl,
    mailFrom: 'Internkontroll <noreply@kommun.test>',
    reminderHour: 6,
  })

  beforeEach(async () => {
    smtp = await startSmtpServer()
    lines = []
  })
  afterEach(() => smtp.stop())

  const queueMail = async (at: Date) => (await queueOutboxMail(db, { at })).id

  it("runs the day's pass at start once its hour has passed, then sends the queued mail", async () => {
    // 06:30 in Stockholm.
    const now = new Date('2026-12-02T05:30:00Z')
    await queueMail(now)
    const stop = startReminderScheduler({ db, config: configWith(smtp.url), clock: () => now, log })
    await stop()
    expect(lines).toEqual([
      expect.stringMatching(/^Reminder pass of 2026-12-02: \d+ reminder\(s\) due, \d+ mail\(s\) queued\.$/),
      expect.stringMatching(/^Reminder mails: [1-9]\d* sent, 0 to be retried later, 0 failed\.$/),
    ])
    expect(smtp.received.length).toBeGreaterThanOrEqual(1)
    expect(await leaseRow()).toBeUndefined()
  })

  it('only sends before the hour, and leaves the pass to the instance holding its lease', async () => {
    // 05:30 in Stockholm: no pass yet.
    const early = new Date('2026-12-02T04:30:00Z')
    await queueMail(early)
    await startReminderScheduler({ db, config: configWith(smtp.url), clock: () => early, log })()
    expect(lines).toEqual(['Reminder mails: 1 sent, 0 to be retried later, 0 failed.'])

    lines = []
    const later = new Date('2026-12-02T05:30:00Z')
    await db
      .insertInto('job_lease')
      .values({ name: passLeaseName, holder: 'host-b:202:bb', expires_at: '2026-12-02T05:40:00.000Z' })
      .execute()
    await startReminderScheduler({ db, config: configWith(smtp.url), clock: () => later, log })()
    expect(lines).toEqual(['Reminder pass of 2026-12-02 left to host-b:202:bb, which holds its lease.'])
    expect(await leaseRow()).toMatchObject({ holder: 'host-b:202:bb' })
  })

  it('says so and keeps the mail queued without SMTP_URL', async () => {
    const early = new Date('2026-12-02T04:30:00Z')
    const id = await queueMail(early)
    await startReminderScheduler({ db, config: configWith(undefined), clock: () => early, log })()
    expect(lines).toEqual(['SMTP_URL is not set: reminder mails are queued, not sent.'])
    expect(await db.selectFrom('outbox_mail').select('state').where('id', '=', id).executeTakeFirst()).toEqual({
      state: 'queued',
    })
  })

  it('tells the operator when the mail server is down', async () => {
    const early = new Date('2026-12-02T04:30:00Z')
    await queueMail(early)
    await smtp.stop()
    await startReminderScheduler({ db, config: configWith(smtp.url), clock: () => early, log })()
    expect(lines).toEqual([
      'Reminder mails: 0 sent, 1 to be retried later, 0 failed.',
      expect.stringMatching(
        /^The mail server could not take the reminder mails \(.*ECONNREFUSED.*\); they stay queued\.$/,
      ),
    ])
  })
})
