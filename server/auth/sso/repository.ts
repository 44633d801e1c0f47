import type { Db } from '../../../db/connection.js'
import type { GroupRole, SsoProvider } from '../../../db/schema.js'
import { type Roles, rolesOf, setRoles } from '../../admin/repository.js'

export async function findLinkedUser(db: Db, provider: SsoProvider, subject: string) {
  return db
    .selectFrom('sso_identity')
    .innerJoin('app_user', 'app_user.id', 'sso_identity.user_id')
    .select(['app_user.id', 'app_user.email', 'app_user.name', 'app_user.disabled'])
    .where('sso_identity.provider', '=', provider)
    .where('sso_identity.subject', '=', subject)
    .executeTakeFirst()
}

export async function hasLink(db: Db, userId: number, provider: SsoProvider): Promise<boolean> {
  const row = await db
    .selectFrom('sso_identity')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('provider', '=', provider)
    .executeTakeFirst()
  return row !== undefined
}

export async function linkIdentity(db: Db, provider: SsoProvider, subject: string, userId: number, at: string) {
  await db.insertInto('sso_identity').values({ provider, subject, user_id: userId, created_at: at }).execute()
}

export async function updateNameAndEmail(db: Db, userId: number, name: string, email: string) {
  await db.updateTable('app_user').set({ name, email }).where('id', '=', userId).execute()
}

/** A role in one committee, unit or municipality, as "secretary:3"; administratör is "admin:0". */
type Grant = `${GroupRole}:${number}`

function grantsOf(roles: Roles): Set<Grant> {
  return new Set<Grant>([
    ...(roles.admin ? (['admin:0'] as const) : []),
    ...roles.secretaryOf.map((id) => `secretary:${id}` as const),
    ...roles.readerOf.map((id) => `reader:${id}` as const),
    ...roles.units.map((id) => `unit:${id}` as const),
    ...roles.coordinatorOf.map((id) => `coordinator:${id}` as const),
  ])
}

function rolesFrom(grants: Set<Grant>): Roles {
  const ids = (role: GroupRole) =>
    [...grants].filter((g) => g.startsWith(`${role}:`)).map((g) => Number(g.slice(role.length + 1)))
  return {
    admin: grants.has('admin:0'),
    secretaryOf: ids('secretary'),
    readerOf: ids('reader'),
    units: ids('unit'),
    coordinatorOf: ids('coordinator'),
  }
}

const groupKey = (group: string) => group.trim().toLocaleLowerCase('sv')

/**
 * The roles the administrator's mapping gives these groups. Compared without case (Entra's ids are GUIDs, typed by
 * hand in either case), here rather than in SQL, whose lower() in SQLite leaves Å, Ä and Ö as they are; the mapping
 * has a few rows per group, not thousands.
 */
async function mappedGrants(db: Db, groups: readonly string[]): Promise<Set<Grant>> {
  const names = new Set(groups.map(groupKey))
  if (names.size === 0) return new Set()
  const rows = await db
    .selectFrom('sso_group_role')
    .select(['group_name', 'role', 'committee_id', 'owner_unit_id', 'municipality_id'])
    .execute()
  return new Set(
    rows
      .filter((r) => names.has(groupKey(r.group_name)))
      .map((r) => `${r.role}:${r.committee_id ?? r.owner_unit_id ?? r.municipality_id ?? 0}` as Grant),
  )
}

/**
 * Gives the user the roles their groups map to, and takes away those an earlier sign-in gave for groups they no
 * longer have. A role an administrator gave by hand stays, and stays theirs: a group that maps to it too does not
 * make it the group's.
 */
export async function applyGroupRoles(db: Db, userId: number, groups: readonly string[]): Promise<void> {
  const [held, wanted, fromGroups] = await Promise.all([
    rolesOf(db, userId).then(grantsOf),
    mappedGrants(db, groups),
    db
      .selectFrom('sso_role_grant')
      .select(['role', 'target_id'])
      .where('user_id', '=', userId)
      .execute()
      .then((rows) => new Set(rows.map((r) => `${r.role}:${r.target_id}` as Grant))),
  ])
  const next = new Set([...[...held].filter((g) => !fromGroups.has(g) || wanted.has(g)), ...wanted])
  const groupsOwn = [...wanted].filter((g) => fromGroups.has(g) || !held.has(g))
  await setRoles(db, userId, rolesFrom(next))
  await db.deleteFrom('sso_role_grant').where('user_id', '=', userId).execute()
  if (groupsOwn.length === 0) return
  await db
    .insertInto('sso_role_grant')
    .values(
      groupsOwn.map((g) => {
        const [role, id] = g.split(':')
        return { user_id: userId, role: role as GroupRole, target_id: Number(id) }
      }),
    )
    .execute()
}

/** The administrator's mapping with the names of what each role is given in, in group order. */
export async function listGroupRoles(db: Db) {
  return db
    .selectFrom('sso_group_role')
    .leftJoin('committee', 'committee.id', 'sso_group_role.committee_id')
    .leftJoin('owner_unit', 'owner_unit.id', 'sso_group_role.owner_unit_id')
    .leftJoin('municipality', 'municipality.id', 'sso_group_role.municipality_id')
    .select([
      'sso_group_role.id',
      'sso_group_role.group_name as groupName',
      'sso_group_role.role',
      'sso_group_role.committee_id as committeeId',
      'sso_group_role.owner_unit_id as unitId',
      'sso_group_role.municipality_id as municipalityId',
      'committee.name as committeeName',
      'owner_unit.name as unitName',
      'municipality.name as municipalityName',
    ])
    .orderBy('sso_group_role.id')
    .execute()
}

export type GroupRoleTarget = { committeeId: number | null; unitId: number | null; municipalityId: number | null }

export async function insertGroupRole(
  db: Db,
  mapping: { groupName: string; role: GroupRole; createdAt: string } & GroupRoleTarget,
): Promise<number> {
  const { id } = await db
    .insertInto('sso_group_role')
    .values({
      group_name: mapping.groupName,
      role: mapping.role,
      committee_id: mapping.committeeId,
      owner_unit_id: mapping.unitId,
      municipality_id: mapping.municipalityId,
      created_at: mapping.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function deleteGroupRole(db: Db, id: number): Promise<void> {
  await db.deleteFrom('sso_group_role').where('id', '=', id).execute()
}
