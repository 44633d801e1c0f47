import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// Failed logins now slow the next attempts down instead of locking the account, and nothing deletes them at a
// successful login any more: each failure forgets those older than an hour, found through this index, so the
// table holds one hour's failures however many e-mails and addresses an attacker tries.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('login_failure_at_idx').on('login_failure').column('at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('login_failure_at_idx').execute()
}
