import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.

// A plan holds at most one copy of a municipality-wide item: the database itself refuses a second, whichever path
// (the item's edit, a plan made or moved, next year's carry-over, an import) would make it. A partial index, so the
// committee's own risks (no item) are not concerned; SQLite and PostgreSQL both have them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('risk_municipal_copy_unique')
    .on('risk')
    .columns(['plan_id', 'municipal_item_id'])
    .unique()
    .where(sql.ref('municipal_item_id'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('risk_municipal_copy_unique').execute()
}
