// What the reminder pages read and write: a person's choice of reminders, and the outbox as the administrator sees it.
import type { Db } from '../../db/connection.js'
import type { MailState, ReminderPreference } from '../../db/schema.js'
import { swedishOrder } from '../vocabulary.js'

export async function reminderPreferenceOf(db: Db, userId: number): Promise<ReminderPreference> {
  const user = await db
    .selectFrom('app_user')
    .select('reminder_preference')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  return user.reminder_preference
}

export async function setReminderPreference(db: Db, userId: number, preference: ReminderPreference): Promise<void> {
  await db.updateTable('app_user').set({ reminder_preference: preference }).where('id', '=', userId).execute()
}

/** The names of these committees, in Swedish order. */
export async function committeeNames(db: Db, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('committee')
    .select('name')
    .where('id', 'in', [...ids])
    .execute()
  return rows.map((r) => r.name).sort(swedishOrder.compare)
}

/** How many mails are in each state; a state no mail is in is absent. */
export async function countMailsByState(db: Db): Promise<Map<MailState, number>> {
  const rows = await db
    .selectFrom('outbox_mail')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute()
  return new Map(rows.map((r) => [r.state, Number(r.n)]))
}

/** A page of the outbox, newest first, without the bodies; the recipient's name while the account exists. */
export async function listMails(db: Db, options: { state: MailState | undefined; limit: number; offset: number }) {
  return db
    .selectFrom('outbox_mail')
    .leftJoin('app_user', 'app_user.id', 'outbox_mail.user_id')
    .select([
      'outbox_mail.id',
      'outbox_mail.to_address as toAddress',
      'app_user.name as userName',
      'outbox_mail.subject',
      'outbox_mail.state',
      'outbox_mail.attempts',
      'outbox_mail.next_attempt_at as nextAttemptAt',
      'outbox_mail.last_error as lastError',
      'outbox_mail.created_at as createdAt',
      'outbox_mail.sent_at as sentAt',
    ])
    .$if(options.state !== undefined, (qb) => qb.where('outbox_mail.state', '=', options.state as MailState))
    .orderBy('outbox_mail.created_at', 'desc')
    .orderBy('outbox_mail.id', 'desc')
    .limit(options.limit)
    .offset(options.offset)
    .execute()
}

export async function findMail(db: Db, id: number) {
  return db
    .selectFrom('outbox_mail')
    .select(['id', 'to_address as toAddress', 'state'])
    .where('id', '=', id)
    .executeTakeFirst()
}
