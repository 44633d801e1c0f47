// The daily reminder pass: writes the reminders due that day and the mails that carry them into the outbox.
import { randomUUID } from 'node:crypto'
import type { Db } from '../../db/connection.js'
import type { ReminderPreference } from '../../db/schema.js'
import type { Config } from '../config.js'
import { mondayOf } from './due.js'
import { type DueReminder, findDueReminders, subjectOf } from './find.js'
import {
  type ComposedMail,
  composeDigestMail,
  composeReminderMail,
  type MailReminder,
  type ReminderAbout,
  type ReminderKind,
} from './mail-text.js'
import { insertOutboxMail } from './outbox.js'
import { automaticActor } from './send.js'
import { inTransaction } from './transaction.js'

export interface ReminderPassOptions {
  /** The day of the pass, YYYY-MM-DD in Europe/Stockholm. */
  today: string
  now: Date
  config: Pick<Config, 'publicUrl'>
}

export interface PreviewMail {
  to: string
  subject: string
  text: string
}

const listKinds: ReadonlySet<ReminderKind> = new Set(['overdue_list_new', 'overdue_list_week'])
const beforeKinds: ReadonlySet<ReminderKind> = new Set(['measure_before', 'run_before', 'inspection_deadline'])

// SQLite allows some thousands of bound values in one statement; a reminder row binds eight.
const insertChunk = 200

/**
 * Runs the pass of `today`: records it in reminder_pass, writes the reminders due (each once per person and key),
 * composes the mails by each person's preference into the outbox (each an audited create) and marks the reminders
 * with the mail that carries them. All in one transaction, so a crash leaves nothing half done; a second pass the
 * same day finds every reminder written and every one mailed, and writes nothing.
 */
export async function runReminderPass(
  db: Db,
  { today, now, config }: ReminderPassOptions,
): Promise<{ reminders: number; mails: number }> {
  // Outside the pass's transaction, so that a pass that started and failed is seen as such (finished_at null).
  await db
    .insertInto('reminder_pass')
    .values({ pass_date: today, started_at: now.toISOString(), finished_at: null })
    .onConflict((oc) => oc.column('pass_date').doNothing())
    .execute()
  // Another instance (or the sender) may write between this transaction's reads and its writes: it starts with a write,
  // so that it waits for the others instead of reading what is about to change, and starts over if SQLite still
  // reports them in the way.
  return inTransaction(db, async (trx) => {
    await trx.updateTable('reminder_pass').set({ finished_at: null }).where('pass_date', '=', today).execute()
    const { reminders, mails } = await writePass(trx, today, now, config.publicUrl)
    await trx
      .updateTable('reminder_pass')
      .set({ finished_at: now.toISOString() })
      .where('pass_date', '=', today)
      .execute()
    return { reminders, mails: mails.length }
  })
}

class Rollback extends Error {
  constructor(readonly mails: PreviewMail[]) {
    super('Preview: rolled back')
  }
}

/**
 * The mails the pass of `today` would write, by running it in a transaction that is rolled back: the same logic,
 * nothing kept. For `npm run reminders -- --dry-run`.
 */
export async function previewReminderPass(
  db: Db,
  { today, now = new Date(), config }: { today: string; now?: Date; config: Pick<Config, 'publicUrl'> },
): Promise<PreviewMail[]> {
  try {
    await db.transaction().execute(async (trx) => {
      const { mails } = await writePass(trx, today, now, config.publicUrl)
      throw new Rollback(mails)
    })
  } catch (error) {
    if (error instanceof Rollback) return error.mails
    throw error
  }
  throw new Error('Preview transaction was not rolled back')
}

async function writePass(trx: Db, today: string, now: Date, publicUrl: string) {
  const last = await trx
    .selectFrom('reminder_pass')
    .select('pass_date')
    .where('finished_at', 'is not', null)
    .where('pass_date', '<', today)
    .orderBy('pass_date', 'desc')
    .limit(1)
    .executeTakeFirst()
  const lastPass = last?.pass_date
  const due = await findDueReminders(trx, today, lastPass)
  const reminders = await insertReminders(trx, due.reminders, today)
  // The weekly digest goes at the week's first pass: Monday's, or the next to run when Monday's did not.
  const weeklyDay = lastPass === undefined || lastPass < mondayOf(today)
  const mails = await mailWaiting(trx, { today, now, publicUrl, weeklyDay, openSubjects: due.openSubjects })
  return { reminders, mails }
}

/** Writes the reminders not yet written; returns how many were new. */
async function insertReminders(trx: Db, reminders: readonly DueReminder[], today: string): Promise<number> {
  let inserted = 0
  for (let i = 0; i < reminders.length; i += insertChunk) {
    const rows = reminders.slice(i, i + insertChunk).map((r) => ({
      user_id: r.userId,
      committee_id: r.committeeId,
      key: r.key,
      kind: r.kind,
      about: JSON.stringify(r.about),
      due_on: r.dueOn,
      created_on: today,
      skipped: r.skipped ? 1 : 0,
    }))
    const written = await trx
      .insertInto('reminder')
      .values(rows)
      .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
      .returning('id')
      .execute()
    inserted += written.length
  }
  return inserted
}

interface Waiting extends MailReminder {
  id: number
  key: string
  createdOn: string
  dueOn: string | null
}

/**
 * Mails every reminder written and not yet mailed, by its person's preference. A reminder that waited for a digest
 * goes only while it is still current: what it is about still open, a "before" reminder not past its date, and only
 * the latest of several about the same thing; the rest are left out (skipped).
 */
async function mailWaiting(
  trx: Db,
  options: { today: string; now: Date; publicUrl: string; weeklyDay: boolean; openSubjects: Set<string> },
): Promise<PreviewMail[]> {
  const { today, now, publicUrl, weeklyDay, openSubjects } = options
  const rows = await trx
    .selectFrom('reminder')
    .innerJoin('app_user', 'app_user.id', 'reminder.user_id')
    .select([
      'reminder.id',
      'reminder.user_id as userId',
      'reminder.key',
      'reminder.kind',
      'reminder.about',
      'reminder.due_on as dueOn',
      'reminder.created_on as createdOn',
      'app_user.email',
      'app_user.name',
      'app_user.reminder_preference as preference',
    ])
    .where('reminder.mail_id', 'is', null)
    .where('reminder.skipped', '=', 0)
    .where('app_user.disabled', '=', 0)
    .orderBy('reminder.user_id')
    .orderBy('reminder.id')
    .execute()

  const people = new Map<number, { email: string; name: string; preference: ReminderPreference; waiting: Waiting[] }>()
  for (const row of rows) {
    const person = people.get(row.userId) ?? {
      email: row.email,
      name: row.name,
      preference: row.preference,
      waiting: [],
    }
    person.waiting.push({
      id: row.id,
      key: row.key,
      kind: row.kind as ReminderKind,
      about: JSON.parse(row.about) as ReminderAbout,
      createdOn: row.createdOn,
      dueOn: row.dueOn,
    })
    people.set(row.userId, person)
  }

  const actor = automaticActor(now)
  const host = new URL(publicUrl).hostname
  const written: PreviewMail[] = []
  const send = async (userId: number, to: string, mail: ComposedMail, reminderIds: number[]) => {
    const mailId = await insertOutboxMail(trx, actor, {
      userId,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<outbox-${randomUUID()}@${host}>`,
    })
    await trx.updateTable('reminder').set({ mail_id: mailId }).where('id', 'in', reminderIds).execute()
    written.push({ to, subject: mail.subject, text: mail.text })
  }

  for (const [userId, person] of people) {
    // The secretaries' overdue lists cannot be turned off: without reminders chosen they come one by one.
    const preference = person.preference
    const sendable = preference === 'none' ? person.waiting.filter((r) => listKinds.has(r.kind)) : person.waiting
    // A weekly digest waits for the week's first pass.
    if (preference === 'weekly' && !weeklyDay) continue
    const { current, leftOut } = sortOut(sendable, today, openSubjects)
    const dropped = [...leftOut, ...person.waiting.filter((r) => !sendable.includes(r))]
    if (dropped.length > 0) {
      await trx
        .updateTable('reminder')
        .set({ skipped: 1 })
        .where(
          'id',
          'in',
          dropped.map((r) => r.id),
        )
        .execute()
    }
    if (current.length === 0) continue
    if (preference === 'immediate' || preference === 'none') {
      for (const reminder of current) {
        await send(userId, person.email, composeReminderMail(reminder, person, publicUrl), [reminder.id])
      }
    } else {
      const mail = composeDigestMail(current, person, today, publicUrl)
      await send(
        userId,
        person.email,
        mail,
        current.map((r) => r.id),
      )
    }
  }
  return written
}

/** Splits a person's waiting reminders into those still worth a mail, in mail order, and those left out. */
function sortOut(waiting: readonly Waiting[], today: string, openSubjects: Set<string>) {
  const latest = new Map<string, Waiting>()
  const leftOut: Waiting[] = []
  for (const reminder of waiting) {
    const isCurrent =
      reminder.createdOn === today ||
      listKinds.has(reminder.kind) ||
      (openSubjects.has(subjectOf(reminder.key)) &&
        !(beforeKinds.has(reminder.kind) && reminder.dueOn !== null && reminder.dueOn < today))
    if (!isCurrent) {
      leftOut.push(reminder)
      continue
    }
    const subject = subjectOf(reminder.key)
    const earlier = latest.get(subject)
    // Rows come in id order, so a later one was written later.
    if (earlier) leftOut.push(earlier)
    latest.set(subject, reminder)
  }
  const current = [...latest.values()].sort(
    (a, b) =>
      Number(listKinds.has(b.kind)) - Number(listKinds.has(a.kind)) ||
      (a.dueOn ?? '').localeCompare(b.dueOn ?? '') ||
      a.id - b.id,
  )
  return { current, leftOut }
}
