import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

// External inspections (Skolinspektionen, IVO, the municipal auditors) and their development areas, which link
// to risks and measures of any year's plan; a measure may originate from one.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('inspection')
    .addColumn('id', 'integer', id)
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('restrict'))
    .addColumn('authority', 'text', (c) => c.notNull().check(sql`authority in ('skolinspektionen', 'ivo', 'auditors')`))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`kind in ('quality_review', 'planned_quality_review', 'regular_quality_review', 'supervision', 'regular_supervision', 'audit')`,
        ),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('authority_diary_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('principal', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('period', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decision_date', 'text', (c) => c.notNull())
    .addColumn('report_deadline', 'text')
    .addColumn('approval_meeting_date', 'text')
    .addColumn('approval_minutes_paragraph', 'integer')
    .addColumn('report_sent_date', 'text')
    .addColumn('follow_up_decision_date', 'text')
    .addColumn('closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signatories', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema.createIndex('inspection_committee_idx').on('inspection').column('committee_id').execute()

  await db.schema
    .createTable('development_area')
    .addColumn('id', 'integer', id)
    .addColumn('inspection_id', 'integer', (c) => c.notNull().references('inspection.id').onDelete('cascade'))
    .addColumn('heading', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('initial_assessment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('required_development', 'text', (c) => c.notNull().defaultTo(''))
    // null: not yet assessed by the authority.
    .addColumn('outcome', 'text', (c) =>
      c.check(sql`outcome in ('quality_raised', 'work_started_in_line', 'further_measures_needed')`),
    )
    .addColumn('outcome_comment', 'text', (c) => c.notNull().defaultTo(''))
    // The committee's decision closing an area the authority left with further measures needed.
    .addColumn('closed_meeting_date', 'text')
    .addColumn('closed_minutes_paragraph', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema
    .createIndex('development_area_inspection_idx')
    .on('development_area')
    .columns(['inspection_id', 'position'])
    .execute()

  await db.schema
    .createTable('development_area_risk')
    .addColumn('area_id', 'integer', (c) => c.notNull().references('development_area.id').onDelete('cascade'))
    .addColumn('risk_id', 'integer', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('development_area_risk_pk', ['area_id', 'risk_id'])
    .execute()
  await db.schema.createIndex('development_area_risk_risk_idx').on('development_area_risk').column('risk_id').execute()

  await db.schema
    .createTable('development_area_measure')
    .addColumn('area_id', 'integer', (c) => c.notNull().references('development_area.id').onDelete('cascade'))
    .addColumn('measure_id', 'integer', (c) => c.notNull().references('measure.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('development_area_measure_pk', ['area_id', 'measure_id'])
    .execute()
  await db.schema
    .createIndex('development_area_measure_measure_idx')
    .on('development_area_measure')
    .column('measure_id')
    .execute()

  // A measure decided because of a development area rather than an internal review.
  await db.schema
    .alterTable('measure')
    .addColumn('origin_area_id', 'integer', (c) => c.references('development_area.id').onDelete('set null'))
    .execute()

  // Inspections belong to a committee, not to a plan: their audit rows are found by committee.
  await db.schema.alterTable('audit_event').addColumn('committee_id', 'integer').execute()
  await db.schema.createIndex('audit_event_committee_idx').on('audit_event').columns(['committee_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_event_committee_idx').execute()
  await db.schema.alterTable('audit_event').dropColumn('committee_id').execute()
  await db.schema.alterTable('measure').dropColumn('origin_area_id').execute()
  for (const table of ['development_area_measure', 'development_area_risk', 'development_area', 'inspection']) {
    await db.schema.dropTable(table).execute()
  }
}
