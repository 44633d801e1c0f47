import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// Every editable record carries a version; a form posts the version it was based on, and an update of an
// older version is refused instead of overwriting someone else's change.
const tables = ['plan', 'risk', 'review', 'measure']

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of tables) {
    await db.schema
      .alterTable(table)
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) await db.schema.alterTable(table).dropColumn('version').execute()
}
