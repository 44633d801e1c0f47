import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// Open data: a plan's machine-readable copy is public only once its secretary marks the plan public. A final report's
// copy is frozen with the report, so what was published beside a fastställd PDF never changes after it.
export async function up(db: Kysely<any>): Promise<void> {
  // When the secretary marked the plan public; null: not public.
  await db.schema.alterTable('plan').addColumn('published_at', 'text').execute()
  // The open-data JSON document of the plan as it stood when this version was made final.
  await db.schema.alterTable('report_version').addColumn('open_data', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('report_version').dropColumn('open_data').execute()
  await db.schema.alterTable('plan').dropColumn('published_at').execute()
}
