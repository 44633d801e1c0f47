import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

export async function up(db: Kysely<any>): Promise<void> {
  // SQLite's INTEGER PRIMARY KEY is its rowid alias; PostgreSQL needs an identity column instead.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()
  const statuses = sql`('not_started', 'in_progress', 'partially_done', 'done', 'done_with_follow_up', 'cancelled')`

  await db.schema
    .createTable('municipality')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute()

  await db.schema
    .createTable('administration')
    .addColumn('id', 'integer', id)
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipality.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('diary_prefix', 'text', (c) => c.notNull())
    .addUniqueConstraint('administration_name_unique', ['municipality_id', 'name'])
    .execute()

  await db.schema
    .createTable('committee')
    .addColumn('id', 'integer', id)
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipality.id').onDelete('restrict'))
    .addColumn('administration_id', 'integer', (c) => c.notNull().references('administration.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('committee_name_unique', ['municipality_id', 'name'])
    .execute()

  await db.schema
    .createTable('owner_unit')
    .addColumn('id', 'integer', id)
    .addColumn('administration_id', 'integer', (c) => c.notNull().references('administration.id').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('owner_unit_name_unique', ['administration_id', 'name'])
    .execute()

  await db.schema
    .createTable('plan')
    .addColumn('id', 'integer', id)
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('restrict'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('introduction', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('measures_introduction', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('adopted_meeting_date', 'text')
    .addColumn('adopted_minutes_paragraph', 'integer')
    .addUniqueConstraint('plan_committee_year_unique', ['committee_id', 'year'])
    .execute()

  await db.schema
    .createTable('risk')
    .addColumn('id', 'integer', id)
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('plan.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('likelihood', 'integer', (c) => c.check(sql`likelihood between 1 and 4`))
    .addColumn('consequence', 'integer', (c) => c.check(sql`consequence between 1 and 4`))
    .addColumn('treatment', 'text', (c) =>
      c.notNull().check(sql`treatment in ('accept', 'direct_action', 'review', 'monitor')`),
    )
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('committee', 'municipality_wide')`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('risk_plan_idx').on('risk').columns(['plan_id', 'position']).execute()

  await db.schema
    .createTable('review')
    .addColumn('id', 'integer', id)
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('plan.id').onDelete('cascade'))
    .addColumn('risk_id', 'integer', (c) => c.references('risk.id').onDelete('set null'))
    .addColumn('diary_number', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('meeting_date', 'text')
    .addColumn('minutes_paragraph', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('review_plan_idx').on('review').columns(['plan_id', 'position']).execute()
  await db.schema.createIndex('review_risk_idx').on('review').column('risk_id').execute()

  await db.schema
    .createTable('measure')
    .addColumn('id', 'integer', id)
    .addColumn('risk_id', 'integer', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('what_to_do', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('progress', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_unit_id', 'integer', (c) => c.notNull().references('owner_unit.id').onDelete('restrict'))
    .addColumn('responsible_person', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('due_date', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ${statuses}`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('measure_risk_idx').on('measure').columns(['risk_id', 'position']).execute()
  await db.schema.createIndex('measure_owner_idx').on('measure').column('owner_unit_id').execute()

  await db.schema
    .createTable('measure_status_change')
    .addColumn('id', 'integer', id)
    .addColumn('measure_id', 'integer', (c) => c.notNull().references('measure.id').onDelete('cascade'))
    .addColumn('from_status', 'text', (c) => c.check(sql`from_status in ${statuses}`))
    .addColumn('to_status', 'text', (c) => c.notNull().check(sql`to_status in ${statuses}`))
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('measure_status_change_measure_idx')
    .on('measure_status_change')
    .columns(['measure_id', 'id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'measure_status_change',
    'measure',
    'review',
    'risk',
    'plan',
    'owner_unit',
    'committee',
    'administration',
    'municipality',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
