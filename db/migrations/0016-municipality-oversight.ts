import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.

// A municipality holds committees and municipal companies (bolag), which run the same yearly cycle with a board
// (styrelse) where a committee has its nämnd; and kommunstyrelsen's coordinator (kommunövergripande samordnare), a
// role per municipality that reads every plan, report and inspection of it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('committee')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('committee').check(sql`kind in ('committee', 'company')`))
    .execute()
  await db.schema
    .createTable('municipality_role')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipality.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('municipality_role_pk', ['user_id', 'municipality_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('municipality_role').execute()
  await db.schema.alterTable('committee').dropColumn('kind').execute()
}
