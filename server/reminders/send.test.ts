import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Db, openDatabase } from '../../db/connection.js'
import { queueMail as queueOutboxMail } from '../../test/helpers/outbox.js'
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../../test/helpers/smtp.js'
import { migratedDatabaseLocation } from '../../test/helpers/test-database.js'
import type { Actor } from '../audit/repository.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import {
  automaticActorName,
  createMailer,
  drainOutbox,
  giveUpAfterMs,
  type Mailer,
  maxAttempts,
  recoverInterrupted,
  retryMail,
} from './send.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-send-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const t0 = new Date('2026-12-02T05:00:00.000Z')
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000)
const mailFrom = 'Internkontroll <noreply@kommun.test>'
const admin: Actor = { userId: 1, userName: 'Anna Administratör', at: minutes(30).toISOString() }

let smtp: TestSmtpServer
let db: Db
let mailer: Mailer
let databases = 0
let location: string

beforeEach(async () => {
  // A file, as the server has: a test may open it again as the next process would.
  databases += 1
  location = await migratedDatabaseLocation(join(dir, `outbox-${databases}.sqlite`))
  db = openDatabase(location)
  smtp = await startSmtpServer()
  mailer = createMailer({ smtpUrl: smtp.url, mailFrom }) as Mailer
})

afterEach(async () => {
  // Every state change went through the log: the records are as last logged.
  expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  await smtp.stop()
  await db.destroy()
})

/** A mail as the reminder pass writes it, due at `at` (t0 unless told); its id. */
const queueMail = async (fields: { to?: string; attempts?: number; at?: Date } = {}) =>
  (await queueOutboxMail(db, { ...fields, at: fields.at ?? t0 })).id

const mailRow = (id: number) => db.selectFrom('outbox_mail').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const mailEvents = (id: number) =>
  db
    .selectFrom('audit_event')
    .select(['action', 'user_name', 'after'])
    .where('entity', '=', 'outbox_mail')
    .where('entity_id', '=', id)
    .orderBy('id')
    .execute()
const stateOf = (event: { after: string | null }) => (JSON.parse(event.after ?? '{}') as { state: string }).state

describe('drainOutbox', () => {
  it('delivers a queued mail with its subject, text and HTML, its Message-ID and the configured sender', async () => {
    const mail = await queueOutboxMail(db, { at: t0 })
    const later = await queueOutboxMail(db, { at: minutes(10) })

    expect(await drainOutbox(db, mailer, { clock: () => t0 })).toEqual({
      sent: 1,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })

    expect(smtp.received).toHaveLength(1)
    const { from, to, parsed } = smtp.received[0] as ReceivedMail
    expect({ from, to }).toEqual({ from: 'noreply@kommun.test', to: ['agare@kommun.test'] })
    expect(parsed.from?.value).toEqual([{ name: 'Internkontroll', address: 'noreply@kommun.test' }])
    const row = await mailRow(mail.id)
    expect(parsed.subject).toBe(row.subject)
    expect(parsed.messageId).toBe(mail.messageId)
    expect(parsed.text?.trim()).toBe(row.text_body.trim())
    expect(parsed.text).toMatch(
      /ska vara klar 2026-12-16\.\nhttps:\/\/ik\.kommun\.test\/planer\/1\/atgarder\/\d+\/uppdatera/,
    )
    expect(parsed.html).toBe(row.html_body)
    expect(row).toMatchObject({ state: 'sent', sent_at: t0.toISOString(), attempts: 1, last_error: '' })
    // Not yet due: the later one waits.
    expect(await mailRow(later.id)).toMatchObject({ state: 'queued', attempts: 0 })
    expect((await mailEvents(mail.id)).map((e) => [e.action, stateOf(e), e.user_name])).toEqual([
      ['create', 'queued', automaticActorName],
      ['update', 'sending', automaticActorName],
      ['update', 'sent', automaticActorName],
    ])

    // A sent mail is not sent again; the later one goes when due.
    expect(await drainOutbox(db, mailer, { clock: () => minutes(10) })).toEqual({
      sent: 1,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([mail.messageId, later.messageId])
  })

  it('keeps a mail queued while the server is down, later each time, and delivers it once the server is back', async () => {
    const id = await queueMail()
    await smtp.stop()

    const down = await drainOutbox(db, mailer, { clock: () => t0 })
    expect(down).toMatchObject({ sent: 0, deferred: 1, failed: 0, unreachable: expect.stringMatching(/ECONNREFUSED/) })
    expect(await mailRow(id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      next_attempt_at: minutes(5).toISOString(),
      last_error: expect.stringMatching(/ECONNREFUSED/),
    })
    // Not due again before its time.
    expect(await drainOutbox(db, mailer, { clock: () => minutes(4) })).toEqual({
      sent: 0,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
    await drainOutbox(db, mailer, { clock: () => minutes(5) })
    expect(await mailRow(id)).toMatchObject({
      state: 'queued',
      attempts: 2,
      next_attempt_at: minutes(15).toISOString(),
    })

    await smtp.start()
    expect(await drainOutbox(db, mailer, { clock: () => minutes(15) })).toEqual({
      sent: 1,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
    expect(await mailRow(id)).toMatchObject({
      state: 'sent',
      attempts: 3,
      last_error: '',
      sent_at: minutes(15).toISOString(),
    })
    expect(smtp.received).toHaveLength(1)
  })

  it('stops at the first mail when the server cannot be reached, leaving the others as they were', async () => {
    const ids = [await queueMail(), await queueMail(), await queueMail()]
    await smtp.stop()
    expect(await drainOutbox(db, mailer, { clock: () => t0 })).toMatchObject({ deferred: 1 })
    expect((await Promise.all(ids.map(mailRow))).map((m) => m.attempts)).toEqual([1, 0, 0])
  })

  it("fails a mail whose recipient the server refuses, with the server's answer, and sends the others", async () => {
    smtp.refuse('slutat@kommun.test', 550, '5.1.1 <slutat@kommun.test>: Recipient address rejected: User unknown')
    const refused = await queueMail({ to: 'slutat@kommun.test' })
    const fine = await queueMail()

    expect(await drainOutbox(db, mailer, { clock: () => t0 })).toEqual({
      sent: 1,
      deferred: 0,
      failed: 1,
      uncertain: 0,
    })
    expect(await mailRow(refused)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: '550 5.1.1 <slutat@kommun.test>: Recipient address rejected: User unknown',
      sent_at: null,
    })
    expect(await mailRow(fine)).toMatchObject({ state: 'sent' })
    expect(smtp.received.map((m) => m.to)).toEqual([['agare@kommun.test']])
    // Failed for good: no later drain tries it.
    smtp.accept('slutat@kommun.test')
    expect(await drainOutbox(db, mailer, { clock: () => minutes(600) })).toEqual({
      sent: 0,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
  })

  it('defers a mail the server answers "try later" for and goes on with the others', async () => {
    smtp.refuse('full@kommun.test', 452, '4.2.2 Mailbox full')
    const deferred = await queueMail({ to: 'full@kommun.test' })
    const fine = await queueMail()

    expect(await drainOutbox(db, mailer, { clock: () => t0 })).toEqual({
      sent: 1,
      deferred: 1,
      failed: 0,
      uncertain: 0,
    })
    expect(await mailRow(deferred)).toMatchObject({
      state: 'queued',
      next_attempt_at: minutes(5).toISOString(),
      last_error: '452 4.2.2 Mailbox full',
    })
    expect(await mailRow(fine)).toMatchObject({ state: 'sent' })
  })

  it('fails a mail the server keeps answering "try later" for after its last attempt', async () => {
    smtp.refuse('full@kommun.test', 452, '4.2.2 Mailbox full')
    const id = await queueMail({ to: 'full@kommun.test', attempts: maxAttempts - 1 })
    expect(await drainOutbox(db, mailer, { clock: () => t0 })).toMatchObject({ failed: 1, deferred: 0 })
    expect(await mailRow(id)).toMatchObject({
      state: 'failed',
      attempts: maxAttempts,
      last_error: '452 4.2.2 Mailbox full',
    })
  })

  it('does not fail a mail for a relay that is down, however often it is tried, until the mail is days old', async () => {
    const id = await queueMail()
    await smtp.stop()
    for (let drain = 0; drain < maxAttempts + 5; drain++) {
      const { next_attempt_at: due } = await mailRow(id)
      expect(await drainOutbox(db, mailer, { clock: () => new Date(due) })).toMatchObject({ deferred: 1, failed: 0 })
    }
    const young = await mailRow(id)
    expect(young).toMatchObject({ state: 'queued', attempts: maxAttempts + 5 })
    expect(Date.parse(young.next_attempt_at) - t0.getTime()).toBeLessThan(giveUpAfterMs)

    // Three days after it was written, it is failed with the last answer.
    const old = new Date(t0.getTime() + giveUpAfterMs)
    expect(await drainOutbox(db, mailer, { clock: () => old })).toMatchObject({ failed: 1, deferred: 0 })
    expect(await mailRow(id)).toMatchObject({ state: 'failed', last_error: expect.stringMatching(/ECONNREFUSED/) })
  })

  it('leaves a mail uncertain, not queued again, when the server goes silent after taking its message', async () => {
    const id = await queueMail()
    const next = await queueMail()
    // The relay has the message but its 250 does not come within the socket timeout.
    const impatient = createMailer({ smtpUrl: `${smtp.url}?socketTimeout=300`, mailFrom }) as Mailer
    smtp.beforeAccept = () => new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await drainOutbox(db, impatient, { clock: () => t0 })).toMatchObject({
      sent: 0,
      deferred: 0,
      failed: 0,
      uncertain: 1,
      unreachable: expect.stringMatching(/Timeout/),
    })
    expect(await mailRow(id)).toMatchObject({ state: 'uncertain', attempts: 1, sent_at: null })
    expect(await mailRow(next)).toMatchObject({ state: 'queued', attempts: 0 })
    smtp.beforeAccept = undefined
    // Only the other one goes: the uncertain one waits for an administrator.
    expect(await drainOutbox(db, mailer, { clock: () => minutes(60) })).toMatchObject({ sent: 1, uncertain: 0 })
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([
      (await mailRow(id)).message_id,
      (await mailRow(next)).message_id,
    ])
  })

  it('records each mail at the time it was claimed and sent, not when the drain began', async () => {
    const [a, b] = [await queueMail(), await queueMail()]
    let reads = 0
    // A minute passes at each reading of the clock.
    const clock = () => minutes(reads++)
    expect(await drainOutbox(db, mailer, { clock })).toMatchObject({ sent: 2 })
    expect(await mailRow(a)).toMatchObject({
      next_attempt_at: minutes(1).toISOString(),
      sent_at: minutes(2).toISOString(),
    })
    expect(await mailRow(b)).toMatchObject({
      next_attempt_at: minutes(3).toISOString(),
      sent_at: minutes(4).toISOString(),
    })
  })

  it('says so when a failed attempt finds its mail already settled by another', async () => {
    const id = await queueMail()
    const errors: string[] = []
    const overtaken: Mailer = {
      async send() {
        // Another instance takes the mail for interrupted meanwhile.
        await recoverInterrupted(db, minutes(20))
        throw Object.assign(new Error('452 4.3.1 Try later'), {
          responseCode: 452,
          response: '452 4.3.1 Try later',
          command: 'RCPT TO',
        })
      },
    }
    await drainOutbox(db, overtaken, { clock: () => t0, log: { error: (line: string) => errors.push(line) } })
    expect(await mailRow(id)).toMatchObject({ state: 'uncertain' })
    expect(errors).toEqual([
      `Reminder mail ${id}: this attempt ended queued (452 4.3.1 Try later), but the mail was meanwhile uncertain; left as it is.`,
    ])
  })

  it('sends nothing without SMTP_URL', async () => {
    const id = await queueMail()
    expect(createMailer({ smtpUrl: undefined, mailFrom })).toBeUndefined()
    expect(await drainOutbox(db, undefined, { clock: () => t0 })).toEqual({
      sent: 0,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
    expect(await mailRow(id)).toMatchObject({ state: 'queued', attempts: 0 })
  })

  it('delivers each mail once when two drains race for them', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => queueMail()))
    const results = await Promise.all([
      drainOutbox(db, mailer, { clock: () => t0 }),
      drainOutbox(db, mailer, { clock: () => t0 }),
      drainOutbox(db, mailer, { clock: () => t0, limit: 5 }),
    ])
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(12)
    // Each drain sent some: they did race.
    expect(results.filter((r) => r.sent > 0).length).toBeGreaterThan(1)
    const received = smtp.received.map((m) => m.parsed.messageId).sort()
    expect(received).toHaveLength(12)
    expect(new Set(received).size).toBe(12)
    for (const id of ids) {
      expect(await mailRow(id)).toMatchObject({ state: 'sent', attempts: 1 })
      expect((await mailEvents(id)).map(stateOf)).toEqual(['queued', 'sending', 'sent'])
    }
  })

  it('delivers each mail once when two instances drain the same database file', async () => {
    await Promise.all(Array.from({ length: 12 }, () => queueMail()))
    // Another process's connection: its transactions meet this one's in SQLite's locks, not in one queue.
    const other = openDatabase(location)
    try {
      const results = await Promise.all([
        drainOutbox(db, mailer, { clock: () => t0 }),
        drainOutbox(other, mailer, { clock: () => t0 }),
      ])
      expect(results.map((r) => r.sent).reduce((a, b) => a + b)).toBe(12)
      expect(results.every((r) => r.sent > 0)).toBe(true)
    } finally {
      await other.destroy()
    }
    const received = smtp.received.map((m) => m.parsed.messageId)
    expect(new Set(received).size).toBe(12)
    expect(received).toHaveLength(12)
  })
})

describe('a crash between sending and recording', () => {
  it('leaves the mail uncertain, never sent again on its own, until an administrator retries it', async () => {
    const id = await queueMail()
    // The process dies once the server has the mail and before the sender records it.
    let crashed: () => void = () => {}
    const crash = new Promise<void>((resolve) => {
      crashed = resolve
    })
    const dying: Mailer = {
      async send(mail) {
        await mailer.send(mail)
        crashed()
        await new Promise(() => {})
      },
    }
    void drainOutbox(db, dying, { clock: () => t0 })
    await crash
    expect(await mailRow(id)).toMatchObject({ state: 'sending', attempts: 1 })

    // The next process, on the same file.
    const restarted = openDatabase(location)
    try {
      // Could still be on its way: a send takes a minute or two at most.
      expect(await recoverInterrupted(restarted, minutes(5))).toBe(0)
      expect(await drainOutbox(restarted, mailer, { clock: () => minutes(5) })).toEqual({
        sent: 0,
        deferred: 0,
        failed: 0,
        uncertain: 0,
      })
      expect(await recoverInterrupted(restarted, minutes(11))).toBe(1)
      expect(await mailRow(id)).toMatchObject({ state: 'uncertain', attempts: 1, sent_at: null })
      expect(await drainOutbox(restarted, mailer, { clock: () => minutes(20) })).toEqual({
        sent: 0,
        deferred: 0,
        failed: 0,
        uncertain: 0,
      })
      expect(smtp.received).toHaveLength(1)

      // The administrator, having asked the recipient, sends it again.
      expect(await retryMail(restarted, id, admin, minutes(30))).toBe(true)
      expect(await mailRow(id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        next_attempt_at: minutes(30).toISOString(),
      })
      expect(await retryMail(restarted, id, admin, minutes(30))).toBe(false)
      expect(await drainOutbox(restarted, mailer, { clock: () => minutes(30) })).toMatchObject({ sent: 1 })
      // The same message again, so the recipient's client can tell the copy.
      const { message_id: messageId } = await mailRow(id)
      expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([messageId, messageId])
      expect((await mailEvents(id)).map((e) => [stateOf(e), e.user_name])).toEqual([
        ['queued', automaticActorName],
        ['sending', automaticActorName],
        ['uncertain', automaticActorName],
        ['queued', 'Anna Administratör'],
        ['sending', automaticActorName],
        ['sent', automaticActorName],
      ])
    } finally {
      await restarted.destroy()
    }
  })
})

describe('retryMail', () => {
  it('puts a failed mail back in the queue and leaves a sent or queued one alone', async () => {
    smtp.refuse('slutat@kommun.test')
    const failed = await queueMail({ to: 'slutat@kommun.test' })
    const sent = await queueMail()
    await drainOutbox(db, mailer, { clock: () => t0 })
    expect(await retryMail(db, sent, admin, minutes(30))).toBe(false)
    expect(await retryMail(db, 999, admin, minutes(30))).toBe(false)

    smtp.accept('slutat@kommun.test')
    expect(await retryMail(db, failed, admin, minutes(30))).toBe(true)
    expect(await retryMail(db, failed, admin, minutes(30))).toBe(false)
    expect(await drainOutbox(db, mailer, { clock: () => minutes(30) })).toEqual({
      sent: 1,
      deferred: 0,
      failed: 0,
      uncertain: 0,
    })
    expect(await mailRow(failed)).toMatchObject({ state: 'sent', attempts: 1, last_error: '' })
  })
})
