// npm run reminders                                    runs today's reminder pass now, then sends the mails due
// npm run reminders -- --dry-run [--date 2026-12-02]   prints the mails that day's pass would write; changes nothing
// The day is today in Sweden; only a dry run may name another with --date (for a later day: what a pass on that day
// would find if none ran between). A real pass of another day would write that day's reminders now and mark the day
// passed. The server runs the pass each morning on its own (REMINDER_HOUR); this is for trying the settings, and for a
// pass or a send wanted now. Exit status: 0 done; 1 the pass
// failed, or mails could not be sent or were refused (the messages say which); 2 wrong usage or no usable database;
// 75 another instance is running the pass right now (its mails were sent all the same; try again later).
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { describeDatabase, openDatabase, pendingMigrations } from '../db/connection.js'
import { openCurrentDatabase } from '../server/audit/baseline.js'
import { loadConfig } from '../server/config.js'
import { swedishDate } from '../server/dates.js'
import { leaseHolder } from '../server/reminders/lease.js'
import { previewReminderPass } from '../server/reminders/pass.js'
import { describeSending, passUnderLease } from '../server/reminders/scheduler.js'
import { createMailer, sendDueMail } from '../server/reminders/send.js'

const usage = 'Usage: npm run reminders [-- --dry-run [--date YYYY-MM-DD]]'
const leaseHeld = 75

function parse(): { dryRun: boolean; date: string | undefined } {
  try {
    const { values } = parseArgs({
      options: { 'dry-run': { type: 'boolean', default: false }, date: { type: 'string' } },
    })
    const { date } = values
    // A real calendar day: 2026-02-30 would otherwise roll over into March.
    if (date !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(date) && calendarDay(date) === date)) {
      console.error(`--date ${date}: give a day as YYYY-MM-DD, e.g. 2026-12-02.`)
      process.exit(2)
    }
    if (date !== undefined && !values['dry-run']) {
      console.error('--date is for a dry run only: the pass itself runs for today. Add --dry-run to see another day.')
      console.error(usage)
      process.exit(2)
    }
    return { dryRun: values['dry-run'], date }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error(usage)
    process.exit(2)
  }
}

function calendarDay(date: string): string | undefined {
  const parsed = new Date(`${date}T12:00:00Z`)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString().slice(0, 10)
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => (line === '' ? '' : `   ${line}`))
    .join('\n')

async function dryRun(today: string): Promise<number> {
  const config = loadConfig()
  // Opening a missing file would create an empty database: nothing to preview, and a file left behind.
  if (!config.databaseUrl && !existsSync(config.databaseFile)) {
    console.error(`There is no database at ${config.databaseFile}; name it with DATABASE_FILE or DATABASE_URL.`)
    return 2
  }
  // Not the server's way of opening it: a dry run migrates nothing and signs nothing.
  const db = openDatabase(config.database)
  try {
    const pending = await pendingMigrations(db)
    if (pending.length > 0) {
      console.error(
        `The database at ${describeDatabase(config.database)} is not up to date (${pending.join(', ')}): ` +
          'start the server or run npm run db:migrate first.',
      )
      return 2
    }
    const mails = await previewReminderPass(db, { today, config })
    console.log(`Reminders of ${today}, a dry run: nothing is written or sent.`)
    if (mails.length === 0) {
      console.log('No mails would be sent that day.')
      return 0
    }
    mails.forEach((mail, i) => {
      console.log(`\n${i + 1}. To: ${mail.to}\n   Subject: ${mail.subject}\n\n${indent(mail.text)}`)
    })
    console.log(`\n${mails.length} ${mails.length === 1 ? 'mail' : 'mails'} would be sent.`)
    return 0
  } finally {
    await db.destroy()
  }
}

async function runNow(today: string): Promise<number> {
  const config = loadConfig()
  const db = await openCurrentDatabase(config)
  try {
    let status = 0
    const now = new Date()
    try {
      const outcome = await passUnderLease(db, { today, now, config, holder: leaseHolder() })
      if (outcome.acquired) {
        const { reminders, mails } = outcome.result
        console.log(`Reminder pass of ${today}: ${reminders} reminder(s) due, ${mails} mail(s) queued.`)
      } else {
        console.log(
          `The reminder pass of ${today} is running in another instance (${outcome.holder}); try again later.`,
        )
        status = leaseHeld
      }
    } catch (error) {
      console.error(`The reminder pass of ${today} failed: ${error instanceof Error ? error.message : error}`)
      status = 1
    }
    // Whatever became of the pass, the mails already queued can go.
    const mailer = createMailer(config)
    if (!mailer) {
      const { queued } = await db
        .selectFrom('outbox_mail')
        .select((eb) => eb.fn.countAll<number>().as('queued'))
        .where('state', '=', 'queued')
        .executeTakeFirstOrThrow()
      console.log(`SMTP_URL is not set, so nothing is sent: ${queued} mail(s) stay queued until it is.`)
      return status
    }
    const result = await sendDueMail(db, mailer)
    const lines = describeSending(result)
    console.log(lines.length > 0 ? lines.join('\n') : 'No reminder mails were due to be sent.')
    return status === 0 && (result.unreachable || result.failed > 0) ? 1 : status
  } finally {
    await db.destroy()
  }
}

// `npm run reminders -- --dry-run | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(0)
})

const { dryRun: dry, date } = parse()
const today = date ?? swedishDate(new Date())
try {
  process.exitCode = dry ? await dryRun(today) : await runNow(today)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
}
