// Runs the reminders in the server's process: every five minutes, the day's pass once REMINDER_HOUR in Sweden has come
// and as long as it has not finished, under a lease so that one instance of several does it; then a drain of the outbox
// for the mails due and those to retry.
import { Cron } from 'croner'
import type { Db } from '../../db/connection.js'
import type { Config } from '../config.js'
import { swedishDate, timeZone } from '../dates.js'
import { type LeaseOutcome, leaseHolder, withLease } from './lease.js'
import { runReminderPass } from './pass.js'
import { createMailer, type DrainResult, type Mailer, sendDueMail } from './send.js'

export const passLeaseName = 'reminder-pass'
/** Far above a pass's seconds, and short enough that a crashed holder's lease is taken over the same morning. */
const passLeaseTtlMs = 30 * 60_000
const tickPattern = '*/5 * * * *'

export interface ReminderServices {
  db: Db
  config: Pick<Config, 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'reminderHour'>
  clock: () => Date
  /** Where the scheduler says what it did; the console unless a test listens. */
  log?: Pick<Console, 'log' | 'error'>
}

/** Stops the scheduler (see startReminderScheduler); `tick` does now what the five-minute timer does, for tests. */
export type ReminderScheduler = (() => Promise<void>) & { tick(): Promise<void> }

const swedishHour = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' })

/** The pass of `today` if no other instance holds its lease: what the scheduler and `npm run reminders` run. */
export function passUnderLease(
  db: Db,
  { today, now, config, holder }: { today: string; now: Date; config: Pick<Config, 'publicUrl'>; holder: string },
): Promise<LeaseOutcome<{ reminders: number; mails: number }>> {
  return withLease(db, passLeaseName, holder, passLeaseTtlMs, now, () => runReminderPass(db, { today, now, config }))
}

/** How a drain went, for the operator; empty when there was nothing to do. */
export function describeSending(result: DrainResult & { uncertain: number }): string[] {
  const lines: string[] = []
  const { sent, deferred, failed, uncertain } = result
  if (sent + deferred + failed > 0)
    lines.push(`Reminder mails: ${sent} sent, ${deferred} to be retried later, ${failed} failed.`)
  if (result.unreachable)
    lines.push(`The mail server could not take the reminder mails (${result.unreachable}); they stay queued.`)
  if (uncertain > 0)
    lines.push(
      `${uncertain} reminder mail(s) were interrupted while being sent and may have arrived: an administrator ` +
        'can send them again from the mail page.',
    )
  return lines
}

/**
 * Starts a tick every five minutes, and one at once: once config.reminderHour:00 Swedish time has come, the day's pass
 * as long as it has not finished (a pass that failed, or that another instance left unfinished, is tried again at the
 * next tick; a restart skips no day: the pass writes each reminder once however often it runs), then, with a relay
 * configured, a drain. Jobs run one at a time. Returns stop, which starts no further job, ends a drain after the mail
 * on its way (an interrupted send would be left uncertain), and waits for the job begun.
 */
export function startReminderScheduler({ db, config, clock, log = console }: ReminderServices): ReminderScheduler {
  const mailer: Mailer | undefined = createMailer(config)
  const holder = leaseHolder()
  const stopping = new AbortController()
  let work = Promise.resolve()
  let queued = false

  // One tick at a time in this process: one firing during a slow one is dropped, the next does what it would have.
  const run = () => {
    if (stopping.signal.aborted || queued) return work
    queued = true
    work = work.then(async () => {
      queued = false
      try {
        await tick()
      } catch (error) {
        log.error(`Reminders: the tick failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`)
      }
    })
    return work
  }

  const send = async () => {
    if (!mailer || stopping.signal.aborted) return
    const result = await sendDueMail(db, mailer, { clock, signal: stopping.signal, log })
    for (const line of describeSending(result)) log.log(line)
  }
  const pass = async () => {
    const now = clock()
    const today = swedishDate(now)
    if (Number(swedishHour.format(now)) < config.reminderHour) return
    const done = await db
      .selectFrom('reminder_pass')
      .select('pass_date')
      .where('pass_date', '=', today)
      .where('finished_at', 'is not', null)
      .executeTakeFirst()
    if (done) return
    const outcome = await passUnderLease(db, { today, now, config, holder })
    if (outcome.acquired) {
      const { reminders, mails } = outcome.result
      log.log(`Reminder pass of ${today}: ${reminders} reminder(s) due, ${mails} mail(s) queued.`)
    } else log.log(`Reminder pass of ${today} left to ${outcome.holder}, which holds its lease.`)
  }
  const tick = async () => {
    try {
      await pass()
    } finally {
      // Whatever became of the pass, the mails already queued can go.
      await send()
    }
  }

  if (!mailer) log.log('SMTP_URL is not set: reminder mails are queued, not sent.')
  const timer = new Cron(tickPattern, { timezone: timeZone }, () => void run())
  void run()

  const stop = async () => {
    stopping.abort()
    timer.stop()
    await work
  }
  return Object.assign(stop, { tick: async () => void (await run()) })
}
