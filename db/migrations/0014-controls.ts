import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

// Control activities (kontrollmoment) of a plan's risks, one row per occasion of the plan year (a control run,
// kontrolltillfälle, reported or not yet), and the deviations a run found. A measure may originate from a deviation.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('control')
    .addColumn('id', 'integer', id)
    .addColumn('risk_id', 'integer', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('what_is_checked', 'text', (c) => c.notNull().defaultTo(''))
    // A code of the usual methods, or 'own' with the committee's own words in method_own.
    .addColumn('method', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`method in ('sample', 'register_check', 'reconciliation', 'document_review', 'interview', 'self_assessment', 'own')`,
        ),
    )
    .addColumn('method_own', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('frequency', 'text', (c) =>
      c.notNull().check(sql`frequency in ('once', 'monthly', 'quarterly', 'tertial', 'half_yearly', 'yearly')`),
    )
    .addColumn('owner_unit_id', 'integer', (c) => c.notNull().references('owner_unit.id').onDelete('restrict'))
    .addColumn('responsible_person', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reported_to', 'text', (c) => c.notNull().check(sql`reported_to in ('committee', 'management')`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('previous_control_id', 'integer', (c) => c.references('control.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema.createIndex('control_risk_idx').on('control').columns(['risk_id', 'position']).execute()
  await db.schema.createIndex('control_owner_unit_idx').on('control').column('owner_unit_id').execute()
  await db.schema.createIndex('control_previous_idx').on('control').column('previous_control_id').execute()

  await db.schema
    .createTable('control_run')
    .addColumn('id', 'integer', id)
    .addColumn('control_id', 'integer', (c) => c.notNull().references('control.id').onDelete('cascade'))
    .addColumn('occasion', 'integer', (c) => c.notNull())
    .addColumn('planned_date', 'text', (c) => c.notNull())
    // null until reported.
    .addColumn('result', 'text', (c) => c.check(sql`result in ('no_remarks', 'deviations', 'not_performed')`))
    .addColumn('not_performed_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('performed_on', 'text')
    .addColumn('reported_on', 'text')
    .addColumn('performed_by', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('population', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('population_size', 'integer')
    .addColumn('sample_size', 'integer')
    .addColumn('sampling', 'text', (c) => c.check(sql`sampling in ('random', 'systematic', 'targeted')`))
    .addColumn('checked_count', 'integer')
    .addColumn('deviation_count', 'integer')
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('control_run_occasion_unique', ['control_id', 'occasion'])
    .execute()
  // The start pages ask for the runs not reported by their planned date.
  await db.schema.createIndex('control_run_due_idx').on('control_run').columns(['planned_date', 'result']).execute()

  await db.schema
    .createTable('control_deviation')
    .addColumn('id', 'integer', id)
    .addColumn('run_id', 'integer', (c) => c.notNull().references('control_run.id').onDelete('cascade'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('low', 'medium', 'high')`))
    // null: not decided yet.
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('measure_required', 'no_measure')`))
    .addColumn('no_measure_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema
    .createIndex('control_deviation_run_idx')
    .on('control_deviation')
    .columns(['run_id', 'position'])
    .execute()

  // A measure decided because of a deviation found by a control.
  await db.schema
    .alterTable('measure')
    .addColumn('origin_deviation_id', 'integer', (c) => c.references('control_deviation.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('measure_origin_deviation_idx').on('measure').column('origin_deviation_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('measure_origin_deviation_idx').execute()
  await db.schema.alterTable('measure').dropColumn('origin_deviation_id').execute()
  for (const table of ['control_deviation', 'control_run', 'control']) await db.schema.dropTable(table).execute()
}
