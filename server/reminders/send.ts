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
import { inTransaction, isBusy } from './transaction.js'

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

/** After this many attempts a mail the relay keeps deferring ("try later" for this mail) is failed. */
export const maxAttempts = 10
/**
 * A mail that could not be handed over because the relay could not be reached or would take no mail (down, TLS, login)
 * is failed this long after it was written: such an outage says nothing about the mail, so it is not counted against
 * the mail's attempts, and a relay down for a weekend loses nothing.
 */
export const giveUpAfterMs = 3 * 86_400_000
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
  /** Lost between the sender and the relay after the relay may have taken them: left for an administrator. */
  uncertain: number
  /** Why the drain stopped early: the relay could not be reached or would not take mail at all. */
  unreachable?: string
}

export interface DrainOptions {
  /** Read for each mail, so that what is recorded is when it happened, however long the drain takes. */
  clock?: () => Date
  limit?: number
  /** Once aborted, the drain starts no further mail (the one on its way is finished and recorded). */
  signal?: AbortSignal
  /** Where the sender says what the records cannot: an attempt's end that another had already recorded. */
  log?: Pick<Console, 'error'>
}

/**
 * Sends up to `limit` queued mails that are due, oldest first. Stops at the first mail the relay cannot take for
 * reasons of its own (connection, TLS, login, sender), or that may have been lost on the way: the others would fare
 * the same, and wait for the next drain.
 */
export async function drainOutbox(
  db: Db,
  mailer: Mailer | undefined,
  { clock = () => new Date(), limit = 50, signal, log = console }: DrainOptions = {},
): Promise<DrainResult> {
  const result: DrainResult = { sent: 0, deferred: 0, failed: 0, uncertain: 0 }
  if (!mailer) return result
  const due = await db
    .selectFrom('outbox_mail')
    .select('id')
    .where('state', '=', 'queued')
    .where('next_attempt_at', '<=', clock().toISOString())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute()
  for (const { id } of due) {
    if (signal?.aborted) break
    const mail = await claim(db, id, clock())
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
      const now = clock()
      const failure = classify(error)
      const tooOld = now.getTime() - Date.parse(mail.created_at) >= giveUpAfterMs
      if (failure.kind === 'uncertain') {
        // The relay may have the message: sending it again on our own could deliver it twice.
        await settle(db, id, now, { state: 'uncertain', last_error: failure.answer }, log)
        result.uncertain += 1
        return { ...result, unreachable: failure.answer }
      }
      if (
        failure.kind === 'refused' ||
        (failure.kind === 'deferred' && mail.attempts >= maxAttempts) ||
        (failure.kind === 'unreachable' && tooOld)
      ) {
        await settle(db, id, now, { state: 'failed', last_error: failure.answer }, log)
        result.failed += 1
      } else {
        const retryAt = new Date(now.getTime() + retryDelayMs(mail.attempts)).toISOString()
        await settle(db, id, now, { state: 'queued', next_attempt_at: retryAt, last_error: failure.answer }, log)
        result.deferred += 1
      }
      if (failure.kind === 'unreachable') return { ...result, unreachable: failure.answer }
      continue
    }
    // Sent, even if the mail was meanwhile taken for interrupted (a send that outlasted interruptedAfterMs).
    const sentAt = clock()
    await settle(db, id, sentAt, { state: 'sent', sent_at: sentAt.toISOString(), last_error: '' }, log, [
      'sending',
      'uncertain',
    ])
    result.sent += 1
  }
  return result
}

/**
 * What a scheduled drain and `npm run reminders` do: marks interrupted sends uncertain, then drains page by page until
 * no due mail is left, the relay cannot be reached, or `signal` is aborted. Returns the totals.
 */
export async function sendDueMail(
  db: Db,
  mailer: Mailer,
  { clock = () => new Date(), pageSize = 50, signal, log }: Omit<DrainOptions, 'limit'> & { pageSize?: number } = {},
): Promise<DrainResult> {
  const total: DrainResult = {
    sent: 0,
    deferred: 0,
    failed: 0,
    uncertain: await recoverInterrupted(db, clock()),
  }
  for (;;) {
    if (signal?.aborted) return total
    const page = await drainOutbox(db, mailer, { clock, limit: pageSize, signal, log })
    total.sent += page.sent
    total.deferred += page.deferred
    total.failed += page.failed
    total.uncertain += page.uncertain
    if (page.unreachable) return { ...total, unreachable: page.unreachable }
    // A short page: nothing due is left (or other senders took the rest). A deferred mail is due later, not again now.
    if (page.sent + page.deferred + page.failed + page.uncertain < pageSize) return total
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

/**
 * Records how an attempt ended, if the mail is still in one of the states `from` (nobody else has settled it). When it
 * is not (another instance took it for interrupted, an administrator changed it), the record stays theirs, and the log
 * says what became of this attempt.
 */
async function settle(
  db: Db,
  id: number,
  now: Date,
  change: { state: MailState; last_error: string; next_attempt_at?: string; sent_at?: string },
  log: Pick<Console, 'error'>,
  from: MailState[] = ['sending'],
): Promise<void> {
  const updated = await inTransaction(db, (trx) =>
    audited(trx, automaticActor(now), 'update', { entity: 'outbox_mail', id, planId: null }, () =>
      trx.updateTable('outbox_mail').set(change).where('id', '=', id).where('state', 'in', from).executeTakeFirst(),
    ),
  )
  if (Number(updated.numUpdatedRows) === 0) {
    const current = await db.selectFrom('outbox_mail').select('state').where('id', '=', id).executeTakeFirst()
    log.error(
      `Reminder mail ${id}: this attempt ended ${change.state}${change.last_error ? ` (${change.last_error})` : ''}, ` +
        `but the mail was meanwhile ${current?.state ?? 'deleted'}; left as it is.`,
    )
  }
}

type Failure = { kind: 'refused' | 'deferred' | 'unreachable' | 'uncertain'; answer: string }

/** Failures before the relay could have had the message: no connection, no greeting, no TLS, no login. */
const beforeTheMessage = new Set(['EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EREQUIRETLS', 'ECONFIG'])
const noConnection = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND'])
const setupTimeouts = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT'])

/**
 * What a send's error means for the mail. An answer from the relay settles it: a 5xx answer to its recipient or its
 * content is the relay refusing this mail for good, a 4xx answer to them "try later", and any other answer (to the
 * sender, the login) is about the relay or the configuration, the same for every mail ('unreachable'), as is no
 * connection, no greeting or no TLS. Anything else — the connection lost or silent once the mail was under way, most
 * dangerously while waiting for the relay's last 250 — may have left the message with the relay: 'uncertain'.
 */
function classify(error: unknown): Failure {
  const e = (error ?? {}) as {
    responseCode?: number
    response?: string
    command?: string
    message?: string
    code?: string
    originalCode?: string
    timeoutType?: string
  }
  const answer = String(e.response || e.message || error).slice(0, 1000)
  if (e.responseCode && e.responseCode >= 400) {
    const aboutThisMail = e.command === 'RCPT TO' || e.command === 'DATA'
    if (aboutThisMail && e.responseCode >= 500 && e.responseCode !== 503) return { kind: 'refused', answer }
    if (aboutThisMail) return { kind: 'deferred', answer }
    return { kind: 'unreachable', answer }
  }
  if (
    beforeTheMessage.has(e.code ?? '') ||
    noConnection.has(e.originalCode ?? e.code ?? '') ||
    setupTimeouts.has(e.timeoutType ?? '')
  )
    return {
      kind: 'unreachable',
      answer: e.originalCode && !answer.includes(e.originalCode) ? `${e.originalCode}: ${answer}` : answer,
    }
  return { kind: 'uncertain', answer }
}
