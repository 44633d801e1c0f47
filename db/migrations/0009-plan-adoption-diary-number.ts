import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// The committee's decision to adopt a plan has a diary number like any other decision; the follow-up report's
// introduction cites it with the meeting and the paragraph.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plan')
    .addColumn('adopted_diary_number', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('plan').dropColumn('adopted_diary_number').execute()
}
