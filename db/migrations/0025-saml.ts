import type { Kysely } from 'kysely'

// Frozen in time: never import application code here.

// SAML sign-in (server/auth/sso/saml.ts). Each AuthnRequest the app sends is kept until answered or too old, so that
// only an answer to one of them is taken (InResponseTo), by whichever instance the answer reaches; and each assertion
// taken is kept until it expires, so that the same assertion is refused when posted again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saml_request')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('saml_request_sent_at_idx').on('saml_request').column('sent_at').execute()
  await db.schema
    .createTable('saml_assertion')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('saml_assertion_expires_at_idx').on('saml_assertion').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saml_assertion').execute()
  await db.schema.dropTable('saml_request').execute()
}
