// Sends the outbox through the configured SMTP relay: each mail claimed by one sender, retried with backoff while the
// server is away or answers "try later", failed with the server's answer when it refuses for good, and never sent
// twice on the sender's own account: a mail interrupted between the relay and the record waits for an administrator.
import { type Selectable, sql } from 'kysely'
import nodemailer from 'nodemailer'
import type { Db } from '../../db/connection.js'
import type { MailState, OutboxMailTable } from '../../db/schema.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import type { Config } from '../config.js'

/** Who the log names for what the pass and the sender do on their own. */
export const automaticActorName = 'Påminnelser (automatiskt)'

export function automaticActor(now: Date): Actor {
  return { userId: null, userName: automaticActorName, at: now.toISOString() }
}

export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html: string
  messageId: string
}

/** What hands a mail to the relay; resolves once the relay has accepted it, rejects with nodemailer's error. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>
}

/** The relay's sender, or undefined when SMTP_URL is not set: then mails stay queued. */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer | undefined {
  if (!config.smtpUrl) return undefined
  // A new connection per mail: a few mails a day need no pool to keep open and close at shutdown. The timeouts
  // bound how long a relay that is away holds up a drain (the defaults wait minutes); the URL may override them.
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: false,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
  })
  return {
    async send(mail) {
      await transport.sendMail({
        from: config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
      })
    },
  }
}

/** After this many attempts a mail the relay keeps deferring, or cannot be reached for, is failed. */
export const maxAttempts = 10
const firstRetryMs = 5 * 60_000
const longestRetryMs = 6 * 3_600_000

/** When to try again after the `attempts`-th attempt failed for now: 5 minutes, doubling, at most 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(firstRetryMs * 2 ** Math.max(attempts - 1, 0), longestRetryMs)
}

/**
 * A mail left 'sending' this long was interrupted (the sender stopped between the relay and the record), not slow:
 * one send is bounded by the transport's timeouts, a minute or two at worst.
 */
export const interruptedAfterMs = 10 * 60_000

export interface DrainResult {
  sent: number
  /** Back in the queue for a later drain. */
  deferred: number
  failed: number
  /** Why the drain stopped early: the relay could not be reached or would not take mail at all. */
  unreachable?: string
}

/**
 * Sends up to `limit` queued mails that are due, oldest first. Stops at the first mail the relay cannot take for
 * reasons of its own (connection, TLS, login, sender): the others would fare the same, and wait for the next drain.
 */
export async function drainOutbox(
  db: Db,
  mailer: Mailer | undefined,
  { now, limit = 50 }: { now: Date; limit?: number },
): Promise<DrainResult> {
  const result: DrainResult = { sent: 0, deferred: 0, failed: 0 }
  if (!mailer) return result
  const at = now.toISOString()
  const due = await db
    .selectFrom('outbox_mail')
    .select('id')
    .where('state', '=', 'queued')
    .where('next_attempt_at', '<=', at)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  for (const { id } of due) {
    const mail = await claim(db, id, now)
    // Another sender (another instance) took it first.
    if (!mail) continue
    try {
      await mailer.send({
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body,
        html: mail.html_body,
        messageId: mail.message_id,
      })
    } catch (error) {
      const failure = classify(error)
      if (failure.kind === 'refused' || mail.attempts >= maxAttempts) {
        await settle(db, id, now, ['sending'], { state: 'failed', last_error: failure.answer })
        result.failed += 1
      } else {
        const retryAt = new Date(now.getTime() + retryDelayMs(mail.attempts)).toISOString()
        await settle(db, id, now, ['sending'], {
          state: 'queued',
          next_attempt_at: retryAt,
          last_error: failure.answer,
        })
        result.deferred += 1
      }
      if (failure.kind === 'unreachable') return { ...result, unreachable: failure.answer }
      continue
    }
    // Sent, even if the mail was meanwhile taken for interrupted (a send that outlasted interruptedAfterMs).
    await settle(db, id, now, ['sending', 'uncertain'], { state: 'sent', sent_at: at, last_error: '' })
    result.sent += 1
  }
  return result
}

/**
 * What a scheduled drain and `npm run reminders` do: marks interrupted sends uncertain, then drains page by page until
 * no due mail is left, or the relay cannot be reached. Returns the totals.
 */
export async function sendDueMail(db: Db, mailer: Mailer, { now, pageSize = 50 }: { now: Date; pageSize?: number }) {
  const total: DrainResult & { uncertain: number } = {
    sent: 0,
    deferred: 0,
    failed: 0,
    uncertain: await recoverInterrupted(db, now),
  }
  for (;;) {
    const page = await drainOutbox(db, mailer, { now, limit: pageSize })
    total.sent += page.sent
    total.deferred += page.deferred
    total.failed += page.failed
    if (page.unreachable) return { ...total, unreachable: page.unreachable }
    // A short page: nothing due is left (or other senders took the rest). A deferred mail is due later, not again now.
    if (page.sent + page.deferred + page.failed < pageSize) return total
  }
}

/**
 * Marks mails left 'sending' longer than interruptedAfterMs as 'uncertain': the relay may have them, so they are not
 * sent again unless an administrator says so (retryMail). Returns how many.
 */
export async function recoverInterrupted(db: Db, now: Date): Promise<number> {
  const before = new Date(now.getTime() - interruptedAfterMs).toISOString()
  const stalled = await db
    .selectFrom('outbox_mail')
    .select('id')
    .where('state', '=', 'sending')
    .where('next_attempt_at', '<', before)
    .orderBy('id')
    .execute()
  let recovered = 0
  for (const { id } of stalled) {
    const changed = await inTransaction(db, (trx) =>
      audited(trx, automaticActor(now), 'update', { entity: 'outbox_mail', id, planId: null }, async () => {
        const updated = await trx
          .updateTable('outbox_mail')
          .set({ state: 'uncertain' })
          .where('id', '=', id)
          .where('state', '=', 'sending')
          .where('next_attempt_at', '<', before)
          .executeTakeFirst()
        return Number(updated.numUpdatedRows) === 1
      }),
    )
    if (changed) recovered += 1
  }
  return recovered
}

/**
 * Puts a failed or uncertain mail back in the queue, due at once, with its attempts counted afresh: an administrator's
 * decision, in the log under their name. False when there is no such mail in either state.
 */
export async function retryMail(db: Db, mailId: number, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(db, (trx) =>
    audited(trx, actor, 'update', { entity: 'outbox_mail', id: mailId, planId: null }, async () => {
      const updated = await trx
        .updateTable('outbox_mail')
        .set({ state: 'queued', attempts: 0, next_attempt_at: now.toISOString() })
        .where('id', '=', mailId)
        .where('state', 'in', ['failed', 'uncertain'])
        .executeTakeFirst()
      return Number(updated.numUpdatedRows) === 1
    }),
  )
}

/**
 * Takes a due mail for this sender: only one of several senders racing for it changes it from 'queued'. While it is
 * 'sending', next_attempt_at holds when this attempt began, which is how recoverInterrupted tells a stalled one.
 */
async function claim(db: Db, id: number, now: Date): Promise<Selectable<OutboxMailTable> | undefined> {
  const at = now.toISOString()
  try {
    return await inTransaction(db, (trx) =>
      audited(trx, automaticActor(now), 'update', { entity: 'outbox_mail', id, planId: null }, async () => {
        const updated = await trx
          .updateTable('outbox_mail')
          .set({ state: 'sending', attempts: sql`attempts + 1`, next_attempt_at: at })
          .where('id', '=', id)
          .where('state', '=', 'queued')
          .where('next_attempt_at', '<=', at)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) return undefined
        return trx.selectFrom('outbox_mail').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
      }),
    )
  } catch (error) {
    // Still busy after the retries: another instance is at work; the mail stays queued for the next drain.
    if (isBusy(error)) return undefined
    throw error
  }
}

/** Records how an attempt ended, if the mail is still in one of the states `from` (nobody else has settled it). */
async function settle(
  db: Db,
  id: number,
  now: Date,
  from: MailState[],
  change: { state: MailState; last_error: string; next_attempt_at?: string; sent_at?: string },
): Promise<void> {
  await inTransaction(db, (trx) =>
    audited(trx, automaticActor(now), 'update', { entity: 'outbox_mail', id, planId: null }, () =>
      trx.updateTable('outbox_mail').set(change).where('id', '=', id).where('state', 'in', from).execute(),
    ),
  )
}

type Failure = { kind: 'refused' | 'deferred' | 'unreachable'; answer: string }

/**
 * What a send's error means for the mail. A 5xx answer to its recipient or its content is the relay refusing this
 * mail for good; a 4xx answer to them is "try later"; anything else — no answer (connection refused, timeout), TLS,
 * login, the sender address — is about the relay or the configuration, the same for every mail.
 */
function classify(error: unknown): Failure {
  const e = (error ?? {}) as { responseCode?: number; response?: string; command?: string; message?: string }
  const answer = String(e.response || e.message || error).slice(0, 1000)
  const aboutThisMail = e.command === 'RCPT TO' || e.command === 'DATA'
  if (aboutThisMail && e.responseCode && e.responseCode >= 500 && e.responseCode !== 503)
    return { kind: 'refused', answer }
  if (aboutThisMail && e.responseCode && e.responseCode >= 400) return { kind: 'deferred', answer }
  return { kind: 'unreachable', answer }
}

const isBusy = (error: unknown) => String((error as { code?: unknown } | undefined)?.code).startsWith('SQLITE_BUSY')

/**
 * One transaction of the sender's, tried again when SQLite reports another instance's write in the way: a transaction
 * that read before another committed cannot write (SQLITE_BUSY_SNAPSHOT) and must start over. Inside a caller's
 * transaction (an administrator's retry from a route) it is part of that one.
 */
async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (!isBusy(error) || attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10 * attempt))
    }
  }
}
