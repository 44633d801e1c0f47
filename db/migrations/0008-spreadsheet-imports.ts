import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely'

// Frozen in time: never import application code here.

// An uploaded spreadsheet between its upload and its import: the rows stay on the server, tied to the person who
// uploaded them, so the steps of the import never trust rows sent back from the browser. Deleted when imported
// or a day old.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('spreadsheet_import')
    .addColumn('id', 'integer', id)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    // The file's tables and the chosen mapping of their columns, as JSON.
    .addColumn('sheets', 'text', (c) => c.notNull())
    .addColumn('mapping', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('spreadsheet_import_user_idx').on('spreadsheet_import').column('user_id').execute()
  await db.schema.createIndex('spreadsheet_import_created_idx').on('spreadsheet_import').column('created_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('spreadsheet_import').execute()
}
