import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

// Reminders by e-mail. Each reminder due to a person is written once (unique per person and key: what it is about
// and its occasion), so a restart or a second pass of the day neither repeats nor skips one; mails wait in an outbox
// that a sender drains. One lease row per job lets one instance of several run the daily pass.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .alterTable('app_user')
    .addColumn('reminder_preference', 'text', (c) =>
      c.notNull().defaultTo('immediate').check(sql`reminder_preference in ('immediate', 'daily', 'weekly', 'none')`),
    )
    .execute()
  // Days before a due date that owners are reminded, e.g. '14,3'.
  await db.schema
    .alterTable('committee')
    .addColumn('reminder_days', 'text', (c) => c.notNull().defaultTo('14,3'))
    .execute()

  await db.schema
    .createTable('outbox_mail')
    .addColumn('id', 'integer', id)
    // Restrict, not set null: a mail is an audited record, and the database would change it with no event logged.
    // No path of the app deletes an account; one is disabled instead.
    .addColumn('user_id', 'integer', (c) => c.references('app_user.id').onDelete('restrict'))
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('queued').check(sql`state in ('queued', 'sending', 'sent', 'failed', 'uncertain')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('outbox_mail_due_idx').on('outbox_mail').columns(['state', 'next_attempt_at']).execute()
  await db.schema.createIndex('outbox_mail_created_idx').on('outbox_mail').columns(['created_at', 'id']).execute()

  // Not audited (the mails that carry reminders are): a reminder may go with its person or committee.
  await db.schema
    .createTable('reminder')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('cascade'))
    // What it is about and its occasion, e.g. 'measure:12:due:2026-12-16:before:14'.
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON: titles, dates and paths the mail names; never a measure's texts.
    .addColumn('about', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text')
    // The day of the pass that found it due.
    .addColumn('created_on', 'text', (c) => c.notNull())
    .addColumn('mail_id', 'integer', (c) => c.references('outbox_mail.id').onDelete('set null'))
    // 1 when the person chose no reminders: written, so it is not found due again, but never mailed.
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('reminder_user_key_unique', ['user_id', 'key'])
    .execute()
  await db.schema.createIndex('reminder_unmailed_idx').on('reminder').columns(['mail_id', 'user_id']).execute()

  await db.schema
    .createTable('reminder_pass')
    .addColumn('pass_date', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute()

  await db.schema
    .createTable('job_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['job_lease', 'reminder_pass', 'reminder', 'outbox_mail'])
    await db.schema.dropTable(table).execute()
  await db.schema.alterTable('committee').dropColumn('reminder_days').execute()
  await db.schema.alterTable('app_user').dropColumn('reminder_preference').execute()
}
