import type { Db } from '../../db/connection.js'
import { addUnitMember, grantCommitteeRole, grantCoordinatorRole } from '../auth/repository.js'

export interface Roles {
  admin: boolean
  secretaryOf: number[]
  readerOf: number[]
  units: number[]
  /** The municipalities whose kommunövergripande samordnare the user is. */
  coordinatorOf: number[]
}

/** What a user holds today, as the role form shows it. */
export async function rolesOf(db: Db, userId: number): Promise<Roles> {
  const [user, roles, units, municipalities] = await Promise.all([
    db.selectFrom('app_user').select('is_admin').where('id', '=', userId).executeTakeFirstOrThrow(),
    db.selectFrom('committee_role').select(['committee_id', 'role']).where('user_id', '=', userId).execute(),
    db.selectFrom('unit_member').select('owner_unit_id').where('user_id', '=', userId).execute(),
    db.selectFrom('municipality_role').select('municipality_id').where('user_id', '=', userId).execute(),
  ])
  return {
    admin: user.is_admin === 1,
    secretaryOf: roles.filter((r) => r.role === 'secretary').map((r) => r.committee_id),
    readerOf: roles.filter((r) => r.role === 'reader').map((r) => r.committee_id),
    units: units.map((u) => u.owner_unit_id),
    coordinatorOf: municipalities.map((m) => m.municipality_id),
  }
}

/** Gives a user exactly these roles. */
export async function setRoles(db: Db, userId: number, roles: Roles): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ is_admin: roles.admin ? 1 : 0 })
    .where('id', '=', userId)
    .execute()
  await db.deleteFrom('committee_role').where('user_id', '=', userId).execute()
  await db.deleteFrom('unit_member').where('user_id', '=', userId).execute()
  await db.deleteFrom('municipality_role').where('user_id', '=', userId).execute()
  await grantRoles(db, userId, roles)
}

export async function grantRoles(db: Db, userId: number, roles: Omit<Roles, 'admin'>): Promise<void> {
  for (const committeeId of roles.secretaryOf) await grantCommitteeRole(db, userId, committeeId, 'secretary')
  for (const committeeId of roles.readerOf) await grantCommitteeRole(db, userId, committeeId, 'reader')
  for (const unitId of roles.units) await addUnitMember(db, userId, unitId)
  for (const municipalityId of roles.coordinatorOf) await grantCoordinatorRole(db, userId, municipalityId)
}

/** Active administrators other than this user: the app needs one left to manage its accounts. */
export async function otherActiveAdmins(db: Db, userId: number): Promise<number> {
  const { n } = await db
    .selectFrom('app_user')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('disabled', '=', 0)
    .where('id', '!=', userId)
    .executeTakeFirstOrThrow()
  return Number(n)
}
