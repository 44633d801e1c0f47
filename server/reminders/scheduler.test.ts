import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Db, openDatabase } from '../../db/connection.js'
import SQLite from '../../db/sqlite.js'
import { queueMail as queueOutboxMail } from '../../test/helpers/outbox.js'
import { startSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp.js'
import { migratedDatabaseLocation, onPostgres } from '../../test/helpers/test-database.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { type LeaseOutcome, withLease } from './lease.js'
import { passLeaseName, passUnderLease, startReminderScheduler } from './scheduler.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-scheduler-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let file: string
let db: Db
let databases = 0

beforeEach(async () => {
  databases += 1
  file = await migratedDatabaseLocation(join(dir, `scheduler-${databases}.sqlite`))
  db = openDatabase(file)
})

afterEach(async () => {
  expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  await db.destroy()
})

const leaseRow = () => db.selectFrom('job_lease').selectAll().where('name', '=', passLeaseName).executeTakeFirst()
const config = { publicUrl: 'https://ik.kommun.test' }
const passRow = (day: string) =>
  db.selectFrom('reminder_pass').selectAll().where('pass_date', '=', day).executeTakeFirst()
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('withLease', () => {
  it('lets one of two instances racing on the same database run the job', async () => {
    // Another process's connection to the same database.
    const other = openDatabase(file)
    const now = new Date('2026-12-02T05:00:00Z')
    const ran: string[] = []
    const attempts: Promise<LeaseOutcome<string>>[] = []
    const job = (holder: string, rival: number) => async () => {
      ran.push(holder)
      // Holds the lease until the other has tried, however slow its connection (a PostgreSQL pool's first one takes
      // a while); two that both ran give up waiting after a while, and fail below.
      await Promise.race([attempts[rival], pause(2_000)])
      return holder
    }
    try {
      attempts.push(
        withLease(db, passLeaseName, 'host-a:101:aa', 60_000, now, job('host-a:101:aa', 1)),
        withLease(other, passLeaseName, 'host-b:202:bb', 60_000, now, job('host-b:202:bb', 0)),
      )
      const outcomes = await Promise.all(attempts)
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

const otherWrite =
  "INSERT INTO job_lease (name, holder, expires_at) VALUES ('other', 'b', '') " +
  "ON CONFLICT (name) DO UPDATE SET holder = job_lease.holder || 'b'"

/** Another instance writing to the same database, one write at a time: `write` says whether it got one in. */
function anotherInstance(location: string): { write(): Promise<boolean>; close(): Promise<void> } {
  if (onPostgres) {
    // Another instance's pool, writing in transactions as the app does: each waits for the pass's lock, and the pass
    // for each of them.
    const other = openDatabase(location)
    return {
      write: async () => {
        await other.transaction().execute((trx) => sql.raw(otherWrite).execute(trx))
        return true
      },
      close: () => other.destroy(),
    }
  }
  // Another process's connection to the file, never waiting: it gives way to the pass, whose transactions SQLite then
  // makes start over (SQLITE_BUSY).
  const other = new SQLite(location)
  other.pragma('busy_timeout = 0')
  const statement = other.prepare(otherWrite)
  return {
    write: async () => {
      // Between each of the pass's statements, which are promises.
      await Promise.resolve()
      try {
        statement.run()
        return true
      } catch (error) {
        if (!String((error as { code?: string }).code).startsWith('SQLITE_BUSY')) throw error
        return false
      }
    },
    close: async () => {
      other.close()
    },
  }
}

describe('passUnderLease', () => {
  it('finishes the pass while another instance writes to the same database between its reads and its writes', async () => {
    const other = anotherInstance(file)
    let writes = 0
    let writing = true
    const writer = (async () => {
      // As fast as it can, until it has been in the pass's way a while.
      while (writing && writes < 200) if (await other.write()) writes += 1
    })()
    try {
      const now = new Date('2026-12-02T05:00:00Z')
      const outcome = await passUnderLease(db, { today: '2026-12-02', now, config, holder: 'host-a:101:aa' })
      expect(outcome).toMatchObject({ acquired: true })
    } finally {
      writing = false
      await writer
      await other.close()
    }
    expect(writes).toBeGreaterThan(0)
    expect(await passRow('2026-12-02')).toMatchObject({ finished_at: '2026-12-02T05:00:00.000Z' })
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

  /** Starts the scheduler, lets its first tick run, and stops it. */
  const startAndStop = async (services: Parameters<typeof startReminderScheduler>[0]) => {
    const scheduler = startReminderScheduler(services)
    await scheduler.tick()
    await scheduler()
  }
  const queueMail = async (at: Date) => (await queueOutboxMail(db, { at })).id

  it("runs the day's pass at start once its hour has passed, then sends the queued mail", async () => {
    // 06:30 in Stockholm.
    const now = new Date('2026-12-02T05:30:00Z')
    await queueMail(now)
    const scheduler = startReminderScheduler({ db, config: configWith(smtp.url), clock: () => now, log })
    await scheduler.tick()
    await scheduler()
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
    await startAndStop({ db, config: configWith(smtp.url), clock: () => early, log })
    expect(lines).toEqual(['Reminder mails: 1 sent, 0 to be retried later, 0 failed.'])

    lines = []
    const later = new Date('2026-12-02T05:30:00Z')
    await db
      .insertInto('job_lease')
      .values({ name: passLeaseName, holder: 'host-b:202:bb', expires_at: '2026-12-02T05:40:00.000Z' })
      .execute()
    await startAndStop({ db, config: configWith(smtp.url), clock: () => later, log })
    expect(lines).toEqual(['Reminder pass of 2026-12-02 left to host-b:202:bb, which holds its lease.'])
    expect(await leaseRow()).toMatchObject({ holder: 'host-b:202:bb' })
  })

  it('says so and keeps the mail queued without SMTP_URL', async () => {
    const early = new Date('2026-12-02T04:30:00Z')
    const id = await queueMail(early)
    await startAndStop({ db, config: configWith(undefined), clock: () => early, log })
    expect(lines).toEqual(['SMTP_URL is not set: reminder mails are queued, not sent.'])
    expect(await db.selectFrom('outbox_mail').select('state').where('id', '=', id).executeTakeFirst()).toEqual({
      state: 'queued',
    })
  })

  it('tells the operator when the mail server is down', async () => {
    const early = new Date('2026-12-02T04:30:00Z')
    await queueMail(early)
    await smtp.stop()
    await startAndStop({ db, config: configWith(smtp.url), clock: () => early, log })
    expect(lines).toEqual([
      'Reminder mails: 0 sent, 1 to be retried later, 0 failed.',
      expect.stringMatching(
        /^The mail server could not take the reminder mails \(.*ECONNREFUSED.*\); they stay queued\.$/,
      ),
    ])
  })

  it('runs the pass again at a later tick when the first was left to a holder that then died', async () => {
    let now = new Date('2026-12-02T05:30:00Z')
    await db
      .insertInto('job_lease')
      .values({ name: passLeaseName, holder: 'crashed:1:00', expires_at: '2026-12-02T05:40:00.000Z' })
      .execute()
    const scheduler = startReminderScheduler({ db, config: configWith(undefined), clock: () => now, log })
    try {
      await scheduler.tick()
      expect(lines).toEqual([
        'SMTP_URL is not set: reminder mails are queued, not sent.',
        'Reminder pass of 2026-12-02 left to crashed:1:00, which holds its lease.',
      ])
      expect(await passRow('2026-12-02')).toBeUndefined()
      // Its lease expires; the next tick finds the day's pass unfinished and runs it, and the one after leaves it be.
      lines = []
      now = new Date('2026-12-02T05:45:00Z')
      await scheduler.tick()
      await scheduler.tick()
      expect(lines).toEqual([
        expect.stringMatching(/^Reminder pass of 2026-12-02: \d+ reminder\(s\) due, \d+ mail\(s\) queued\.$/),
      ])
      expect(await passRow('2026-12-02')).toMatchObject({ finished_at: '2026-12-02T05:45:00.000Z' })
    } finally {
      await scheduler()
    }
  })

  it('runs a failed pass again at the next tick', async () => {
    const now = new Date('2026-12-02T05:30:00Z')
    // A pass that started and failed: its row is there, unfinished.
    await db
      .insertInto('reminder_pass')
      .values({ pass_date: '2026-12-02', started_at: '2026-12-02T05:00:00.000Z', finished_at: null })
      .execute()
    await startAndStop({ db, config: configWith(undefined), clock: () => now, log })
    expect(await passRow('2026-12-02')).toMatchObject({ finished_at: now.toISOString() })
  })

  it('stops a long drain after the mail on its way', async () => {
    const now = new Date('2026-12-02T04:30:00Z')
    for (let i = 0; i < 30; i++) await queueMail(now)
    let started!: () => void
    const first = new Promise<void>((resolve) => {
      started = resolve
    })
    smtp.beforeAccept = async () => {
      started()
      await pause(20)
    }
    const stop = startReminderScheduler({ db, config: configWith(smtp.url), clock: () => now, log })
    await first
    await stop()
    expect(smtp.received).toHaveLength(1)
    expect(lines).toEqual(['Reminder mails: 1 sent, 0 to be retried later, 0 failed.'])
    const states = await db.selectFrom('outbox_mail').select('state').execute()
    expect(states.filter((m) => m.state === 'queued')).toHaveLength(29)
  })
})
