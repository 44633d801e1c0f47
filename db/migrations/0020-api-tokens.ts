import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely'

// Frozen in time: never import application code here.

// Tokens for the read-only JSON API (/api/v1): an administrator creates one for an integration, scoped to one
// municipality, and sees it once; only its SHA-256 is stored. Each use is an audited update of the token's row
// (its count, time and path), so the audit log holds every use and `audit:verify` proves none was left out.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'integer', id)
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipality.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
    // The token's first characters, shown so an administrator can tell tokens apart without the secret.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('use_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'text')
    .addColumn('last_used_path', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_token').execute()
}
