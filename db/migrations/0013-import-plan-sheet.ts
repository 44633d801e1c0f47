import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// An upload keeps what kind of file it was, so the preview can say what a CSV cannot hold, and the workbook's
// sheet of the plan's own fields (introductions, adoption decision), which the import writes to the new plan.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('spreadsheet_import')
    .addColumn('format', 'text', (c) => c.notNull().defaultTo('xlsx'))
    .execute()
  await db.schema.alterTable('spreadsheet_import').addColumn('plan_sheet', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('spreadsheet_import').dropColumn('plan_sheet').execute()
  await db.schema.alterTable('spreadsheet_import').dropColumn('format').execute()
}
