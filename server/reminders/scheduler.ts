// Runs the reminders in the server's process: the day's pass at REMINDER_HOUR in Sweden, under a lease so that one
// instance of several does it, and a drain of the outbox every few minutes for the mails to retry.
import { Cron } from 'croner'
import type { Db } from '../../db/connection.js'
import type { Config } from '../config.js'
import { swedishDate } from '../dates.js'
import { type LeaseOutcome, leaseHolder, withLease } from './lease.js'
import { runReminderPass } from './pass.js'
import { createMailer, type DrainResult, type Mailer, sendDueMail } from './send.js'

export const timeZone = 'Europe/Stockholm'
export const passLeaseName = 'reminder-pass'
/** Far above a pass's seconds, and short enough that a crashed holder's lease is taken over the same morning. */
const passLeaseTtlMs = 30 * 60_000
const drainPattern = '*/5 * * * *'

export interface ReminderServices {
  db: Db
  config: Pick<Config, 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'reminderHour'>
  clock: () => Date
  /** Where the scheduler says what it did; the console unless a test listens. */
  log?: Pick<Console, 'log' | 'error'>
}

const dailyPattern = (hour: number) => `0 ${hour} * * *`

/** When the daily pass runs next after `after`. */
export function nextPassAt(config: Pick<Config, 'reminderHour'>, after: Date): Date {
  const job = new Cron(dailyPattern(config.reminderHour), { timezone: timeZone, paused: true })
  try {
    return job.nextRun(after) as Date
  } finally {
    job.stop()
  }
}

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
 * Starts the day's pass at config.reminderHour:00 Swedish time and, with a relay configured, a drain every five
 * minutes; at start, the day's pass if its hour has passed (a restart or a start after the hour skips no day: the pass
 * writes each reminder once however often it runs) and a drain. Jobs run one at a time. Returns stop, which starts no
 * further job and waits for those already begun or waiting (an interrupted send would be left uncertain).
 */
export function startReminderScheduler({ db, config, clock, log = console }: ReminderServices): () => Promise<void> {
  const mailer: Mailer | undefined = createMailer(config)
  const holder = leaseHolder()
  let work = Promise.resolve()
  const queued = new Set<string>()
  let stopped = false

  // One job at a time in this process, each at most once in the queue: a drain firing during a slow one is dropped.
  const run = (name: string, job: () => Promise<void>) => {
    if (stopped || queued.has(name)) return
    queued.add(name)
    work = work.then(async () => {
      try {
        await job()
      } catch (error) {
        log.error(`Reminders: the ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`)
      } finally {
        queued.delete(name)
      }
    })
  }

  const send = async () => {
    if (!mailer) return
    for (const line of describeSending(await sendDueMail(db, mailer, { now: clock() }))) log.log(line)
  }
  const pass = async () => {
    const now = clock()
    const today = swedishDate(now)
    const outcome = await passUnderLease(db, { today, now, config, holder })
    if (outcome.acquired) {
      const { reminders, mails } = outcome.result
      log.log(`Reminder pass of ${today}: ${reminders} reminder(s) due, ${mails} mail(s) queued.`)
    } else log.log(`Reminder pass of ${today} left to ${outcome.holder}, which holds its lease.`)
    await send()
  }

  if (!mailer) log.log('SMTP_URL is not set: reminder mails are queued, not sent.')
  const daily = new Cron(dailyPattern(config.reminderHour), { timezone: timeZone }, () => run('pass', pass))
  const drain = mailer ? new Cron(drainPattern, { timezone: timeZone }, () => run('drain', send)) : undefined
  if (Number(swedishHour.format(clock())) >= config.reminderHour) run('pass', pass)
  else run('drain', send)

  return async () => {
    stopped = true
    daily.stop()
    drain?.stop()
    await work
  }
}
