import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// Next year's plan is made from this year's: each copied risk names the risk it came from, and each unfinished
// measure carried over names the measure it continues. Deleting last year's plan keeps the copies and drops only
// the link (the app unlinks them first, with audit rows; SET NULL is the database's own guarantee).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('risk')
    .addColumn('previous_risk_id', 'integer', (c) => c.references('risk.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('risk_previous_idx').on('risk').column('previous_risk_id').execute()
  await db.schema
    .alterTable('measure')
    .addColumn('carried_from_measure_id', 'integer', (c) => c.references('measure.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('measure_carried_from_idx').on('measure').column('carried_from_measure_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('measure_carried_from_idx').execute()
  await db.schema.alterTable('measure').dropColumn('carried_from_measure_id').execute()
  await db.schema.dropIndex('risk_previous_idx').execute()
  await db.schema.alterTable('risk').dropColumn('previous_risk_id').execute()
}
