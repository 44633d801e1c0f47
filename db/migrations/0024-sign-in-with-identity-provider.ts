import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely'

// Frozen in time: never import application code here.

// Sign-in with the municipality's own identity provider (OpenID Connect or SAML).
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: ColumnDefinitionBuilder) =>
    postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()

  // Who a person is at the provider, for good: found by this, not by e-mail, so a changed address is the same user.
  // The subject carries its issuer (OIDC) or entity id (SAML), so two providers' subjects never meet.
  await db.schema
    .createTable('sso_identity')
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('oidc', 'saml')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_identity_pk', ['provider', 'subject'])
    .execute()
  await db.schema.createIndex('sso_identity_user_idx').on('sso_identity').column('user_id').execute()

  // The administrator's mapping: a group as the provider names it grants a role, in a committee, a unit or a
  // municipality as the role needs (administratör none).
  await db.schema
    .createTable('sso_group_role')
    .addColumn('id', 'integer', id)
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('admin', 'secretary', 'reader', 'unit', 'coordinator')`),
    )
    .addColumn('committee_id', 'integer', (c) => c.references('committee.id').onDelete('restrict'))
    .addColumn('owner_unit_id', 'integer', (c) => c.references('owner_unit.id').onDelete('restrict'))
    .addColumn('municipality_id', 'integer', (c) => c.references('municipality.id').onDelete('restrict'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()

  // The roles a user holds because of a group, as (role, committee/unit/municipality id, 0 for administratör): the
  // next sign-in replaces exactly these, and leaves those an administrator gave by hand.
  await db.schema
    .createTable('sso_role_grant')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_role_grant_pk', ['user_id', 'role', 'target_id'])
    .execute()

  // What single logout at the provider needs when this session ends (OIDC: the ID token for id_token_hint).
  await db.schema.alterTable('session').addColumn('single_logout', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').dropColumn('single_logout').execute()
  for (const table of ['sso_role_grant', 'sso_group_role', 'sso_identity']) await db.schema.dropTable(table).execute()
}
