import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  // sekreterare and läsare hold their role per committee.
  await db.schema
    .createTable('committee_role')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('secretary', 'reader')`))
    .addPrimaryKeyConstraint('committee_role_pk', ['user_id', 'committee_id', 'role'])
    .execute()

  // ansvarig belongs to owner units.
  await db.schema
    .createTable('unit_member')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('owner_unit_id', 'integer', (c) => c.notNull().references('owner_unit.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('unit_member_pk', ['user_id', 'owner_unit_id'])
    .execute()

  // Only a hash of the session token is stored, so a copy of the database logs no one in.
  await db.schema
    .createTable('session')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute()

  await db.schema
    .createTable('login_failure')
    .addColumn('id', 'integer', id)
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('login_failure_subject_idx').on('login_failure').columns(['subject', 'at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['login_failure', 'session', 'unit_member', 'committee_role', 'app_user']) {
    await db.schema.dropTable(table).execute()
  }
}
