import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

// Kommungemensamma granskningar och risker: kommunstyrelsen's coordinator defines a review or a risk once for a year
// and chooses the committees and companies it applies to. Each of their plans of that year then holds a copy (a risk,
// and for a review its review row) that names the item it came from: the item's words are locked there, while the
// committee's own scores, result and measures are its own.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  await db.schema
    .createTable('municipal_item')
    .addColumn('id', 'integer', id)
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipality.id').onDelete('restrict'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('risk', 'review')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('treatment', 'text', (c) =>
      c.notNull().check(sql`treatment in ('accept', 'direct_action', 'review', 'monitor')`),
    )
    // Kommunstyrelsen's diary number of the decision, e.g. 'KS 2026/0472'; '' when none.
    .addColumn('diary_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema
    .createIndex('municipal_item_year_idx')
    .on('municipal_item')
    .columns(['municipality_id', 'year'])
    .execute()

  await db.schema
    .createTable('municipal_item_committee')
    .addColumn('item_id', 'integer', (c) => c.notNull().references('municipal_item.id').onDelete('cascade'))
    .addColumn('committee_id', 'integer', (c) => c.notNull().references('committee.id').onDelete('restrict'))
    .addPrimaryKeyConstraint('municipal_item_committee_pk', ['item_id', 'committee_id'])
    .execute()

  // Restrict: an item goes only after its copies, which the app deletes (audited) or refuses to.
  await db.schema
    .alterTable('risk')
    .addColumn('municipal_item_id', 'integer', (c) => c.references('municipal_item.id').onDelete('restrict'))
    .execute()
  await db.schema.createIndex('risk_municipal_item_idx').on('risk').column('municipal_item_id').execute()
  await db.schema
    .alterTable('review')
    .addColumn('municipal_item_id', 'integer', (c) => c.references('municipal_item.id').onDelete('restrict'))
    .execute()
  // What the review found, in the committee's words (Markdown): for a municipality-wide review, the committee's own.
  await db.schema
    .alterTable('review')
    .addColumn('result', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('review').dropColumn('result').execute()
  await db.schema.alterTable('review').dropColumn('municipal_item_id').execute()
  await db.schema.dropIndex('risk_municipal_item_idx').execute()
  await db.schema.alterTable('risk').dropColumn('municipal_item_id').execute()
  await db.schema.dropTable('municipal_item_committee').execute()
  await db.schema.dropTable('municipal_item').execute()
}
