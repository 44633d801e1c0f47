import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../../db/connection.js'
import { prepared } from '../../db/prepared.js'
import type { CommitteeRole } from '../../db/schema.js'
import type { Viewer } from './permissions.js'

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

export async function findUserByEmail(db: Db, email: string) {
  return db.selectFrom('app_user').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
}

export async function insertUser(
  db: Db,
  user: { email: string; name: string; passwordHash: string; isAdmin: boolean; createdAt: string },
): Promise<number> {
  const { id } = await db
    .insertInto('app_user')
    .values({
      email: user.email.trim().toLowerCase(),
      name: user.name,
      password_hash: user.passwordHash,
      is_admin: user.isAdmin ? 1 : 0,
      disabled: 0,
      created_at: user.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function grantCommitteeRole(db: Db, userId: number, committeeId: number, role: CommitteeRole) {
  await db.insertInto('committee_role').values({ user_id: userId, committee_id: committeeId, role }).execute()
}

export async function grantCoordinatorRole(db: Db, userId: number, municipalityId: number) {
  await db.insertInto('municipality_role').values({ user_id: userId, municipality_id: municipalityId }).execute()
}

export async function addUnitMember(db: Db, userId: number, ownerUnitId: number) {
  await db.insertInto('unit_member').values({ user_id: userId, owner_unit_id: ownerUnitId }).execute()
}

export async function setPassword(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('app_user').set({ password_hash: passwordHash }).where('id', '=', userId).execute()
}

// Read on every request, by the session middleware: prepared once (db/prepared.ts).
const findActiveUser = prepared((db, userId: number) =>
  db
    .selectFrom('app_user')
    .select(['id', 'email', 'name', 'is_admin'])
    .where('id', '=', userId)
    .where('disabled', '=', 0),
)
const listCommitteeRoles = prepared((db, userId: number) =>
  db.selectFrom('committee_role').select(['committee_id', 'role']).where('user_id', '=', userId),
)
const listUnitsWithCommittees = prepared((db, userId: number) =>
  db
    .selectFrom('unit_member')
    .innerJoin('owner_unit', 'owner_unit.id', 'unit_member.owner_unit_id')
    .innerJoin('committee', 'committee.administration_id', 'owner_unit.administration_id')
    .select(['owner_unit.id as unitId', 'owner_unit.name as unitName', 'committee.id as committeeId'])
    .where('unit_member.user_id', '=', userId),
)
const listCoordinated = prepared((db, userId: number) =>
  db
    .selectFrom('municipality_role')
    // A municipality with no committee yet still has its coordinator.
    .leftJoin('committee', 'committee.municipality_id', 'municipality_role.municipality_id')
    .select(['municipality_role.municipality_id', 'committee.id as committeeId'])
    .where('municipality_role.user_id', '=', userId),
)

/** Who a user is and what they hold: committee roles, and the units (with their committees) they answer for. */
export async function loadViewer(db: Db, userId: number): Promise<Viewer | undefined> {
  const [user] = await findActiveUser(db, userId)
  if (!user) return undefined
  const [roles, units, coordinated] = await Promise.all([
    listCommitteeRoles(db, userId),
    listUnitsWithCommittees(db, userId),
    listCoordinated(db, userId),
  ])
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.is_admin === 1,
    secretaryOf: new Set(roles.filter((r) => r.role === 'secretary').map((r) => r.committee_id)),
    readerOf: new Set(roles.filter((r) => r.role === 'reader').map((r) => r.committee_id)),
    unitIds: new Set(units.map((u) => u.unitId)),
    unitNames: [...new Set(units.map((u) => u.unitName))],
    unitCommittees: new Set(units.map((u) => u.committeeId)),
    coordinatorOf: new Set(coordinated.map((c) => c.municipality_id)),
    coordinatorCommittees: new Set(coordinated.flatMap((c) => (c.committeeId === null ? [] : [c.committeeId]))),
  }
}

/** Starts a session and returns its token, which only the user's cookie holds. */
export async function createSession(
  db: Db,
  userId: number,
  now: Date,
  singleLogout: string | null = null,
): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const at = now.toISOString()
  await db
    .insertInto('session')
    .values({
      token_hash: tokenHash(token),
      user_id: userId,
      created_at: at,
      last_seen_at: at,
      single_logout: singleLogout,
    })
    .execute()
  return token
}

const findSessionByHash = prepared((db, hash: string) =>
  db.selectFrom('session').selectAll().where('token_hash', '=', hash),
)

export async function findSession(db: Db, token: string) {
  return (await findSessionByHash(db, tokenHash(token)))[0]
}

export async function touchSession(db: Db, token: string, now: Date): Promise<void> {
  await db
    .updateTable('session')
    .set({ last_seen_at: now.toISOString() })
    .where('token_hash', '=', tokenHash(token))
    .execute()
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('session').where('token_hash', '=', tokenHash(token)).execute()
}

/**
 * Records a failed login under each subject it counts against ("email:…", "address:…", "device:…"), and forgets
 * failures from before `forgetBefore`: no throttle looks that far back.
 */
export async function recordLoginFailure(db: Db, subjects: string[], now: Date, forgetBefore?: Date): Promise<void> {
  await db
    .insertInto('login_failure')
    .values(subjects.map((subject) => ({ subject, at: now.toISOString() })))
    .execute()
  if (forgetBefore) await db.deleteFrom('login_failure').where('at', '<', forgetBefore.toISOString()).execute()
}

/** Per subject, how many logins failed since then and when the last one did; subjects without any are left out. */
export async function recentLoginFailures(db: Db, subjects: string[], since: Date) {
  const rows = await db
    .selectFrom('login_failure')
    .select((eb) => ['subject', eb.fn.countAll<number | string>().as('failures'), eb.fn.max('at').as('last')])
    .where('subject', 'in', subjects)
    .where('at', '>', since.toISOString())
    .groupBy('subject')
    .execute()
  // PostgreSQL counts in bigint, which pg hands over as text.
  return rows.map((r) => ({ subject: r.subject, failures: Number(r.failures), last: new Date(r.last) }))
}

/** Every account with its roles in words, for the administrator's list. */
export async function listUsers(db: Db) {
  const [users, roles, units, coordinated] = await Promise.all([
    db.selectFrom('app_user').select(['id', 'email', 'name', 'is_admin', 'disabled']).orderBy('name').execute(),
    db
      .selectFrom('committee_role')
      .innerJoin('committee', 'committee.id', 'committee_role.committee_id')
      .select(['committee_role.user_id', 'committee_role.role', 'committee.name'])
      .execute(),
    db
      .selectFrom('unit_member')
      .innerJoin('owner_unit', 'owner_unit.id', 'unit_member.owner_unit_id')
      .select(['unit_member.user_id', 'owner_unit.name'])
      .execute(),
    db
      .selectFrom('municipality_role')
      .innerJoin('municipality', 'municipality.id', 'municipality_role.municipality_id')
      .select(['municipality_role.user_id', 'municipality.name'])
      .execute(),
  ])
  const roleLabel = { secretary: 'sekreterare', reader: 'läsare' } as const
  return users.map((u) => ({
    ...u,
    roles: [
      ...(u.is_admin ? ['administratör'] : []),
      ...coordinated.filter((c) => c.user_id === u.id).map((c) => `kommunövergripande samordnare, ${c.name}`),
      ...roles.filter((r) => r.user_id === u.id).map((r) => `${roleLabel[r.role]}, ${r.name}`),
      ...units.filter((m) => m.user_id === u.id).map((m) => `ansvarig, ${m.name}`),
    ],
  }))
}

export async function findUser(db: Db, id: number) {
  return db.selectFrom('app_user').select(['id', 'email', 'name', 'disabled']).where('id', '=', id).executeTakeFirst()
}

/** Disables or enables an account; disabling also ends its sessions. */
export async function setDisabled(db: Db, userId: number, disabled: boolean): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', userId)
    .execute()
  if (disabled) await db.deleteFrom('session').where('user_id', '=', userId).execute()
}

/** Ends every session of a user, but the one whose token is given (the user's own, when they act). */
export async function endSessionsOf(db: Db, userId: number, keepToken?: string): Promise<void> {
  let query = db.deleteFrom('session').where('user_id', '=', userId)
  if (keepToken) query = query.where('token_hash', '!=', tokenHash(keepToken))
  await query.execute()
}
