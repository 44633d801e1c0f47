import type { Db } from '../../db/connection.js'
import type { CommitteeKind } from '../../db/schema.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { swedishOrder } from '../vocabulary.js'

export interface Organisation {
  municipality: string
  administration: string
  diaryPrefix: string
  committee: string
  units: string[]
}

/** The municipality of that name, registered (and audited) if it is new. */
export async function ensureMunicipality(db: Db, actor: Actor, name: string): Promise<number> {
  const existing = await db.selectFrom('municipality').select('id').where('name', '=', name).executeTakeFirst()
  if (existing) return existing.id
  return audited(db, actor, 'create', { entity: 'municipality', planId: null }, async () => {
    const { id } = await db.insertInto('municipality').values({ name }).returning('id').executeTakeFirstOrThrow()
    return id
  })
}

/**
 * Finds or creates a municipality, administration, committee and owner units by name, each creation audited;
 * returns the committee id.
 */
export async function ensureOrganisation(db: Db, actor: Actor, org: Organisation): Promise<number> {
  const create = (entity: 'administration' | 'committee' | 'owner_unit', insert: () => Promise<number>) =>
    audited(db, actor, 'create', { entity, planId: null }, insert)
  const municipalityId = await ensureMunicipality(db, actor, org.municipality)
  const administrationId =
    (
      await db
        .selectFrom('administration')
        .select('id')
        .where('municipality_id', '=', municipalityId)
        .where('name', '=', org.administration)
        .executeTakeFirst()
    )?.id ??
    (await create('administration', () =>
      insertAdministration(db, { municipalityId, name: org.administration, diaryPrefix: org.diaryPrefix }),
    ))
  const committeeId =
    (
      await db
        .selectFrom('committee')
        .select('id')
        .where('municipality_id', '=', municipalityId)
        .where('name', '=', org.committee)
        .executeTakeFirst()
    )?.id ?? (await create('committee', () => insertCommittee(db, { administrationId, name: org.committee })))
  for (const name of org.units) {
    const existing = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('administration_id', '=', administrationId)
      .where('name', '=', name)
      .executeTakeFirst()
    if (existing) continue
    await create('owner_unit', () => insertOwnerUnit(db, administrationId, name))
  }
  return committeeId
}

const byMunicipalityThenName = (
  a: { municipalityName: string; name: string },
  b: { municipalityName: string; name: string },
) => swedishOrder.compare(a.municipalityName, b.municipalityName) || swedishOrder.compare(a.name, b.name)

/** Every administration with its municipality, in Swedish order. */
export async function listAdministrations(db: Db) {
  const rows = await db
    .selectFrom('administration')
    .innerJoin('municipality', 'municipality.id', 'administration.municipality_id')
    .select([
      'administration.id',
      'administration.name',
      'administration.diary_prefix as diaryPrefix',
      'administration.municipality_id as municipalityId',
      'municipality.name as municipalityName',
    ])
    .execute()
  return rows.sort(byMunicipalityThenName)
}

export async function findAdministration(db: Db, id: number) {
  return db
    .selectFrom('administration')
    .select(['id', 'name', 'diary_prefix as diaryPrefix', 'municipality_id as municipalityId'])
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertAdministration(
  db: Db,
  a: { municipalityId: number; name: string; diaryPrefix: string },
): Promise<number> {
  const { id } = await db
    .insertInto('administration')
    .values({ municipality_id: a.municipalityId, name: a.name, diary_prefix: a.diaryPrefix })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function updateAdministration(db: Db, id: number, a: { name: string; diaryPrefix: string }) {
  await db
    .updateTable('administration')
    .set({ name: a.name, diary_prefix: a.diaryPrefix })
    .where('id', '=', id)
    .execute()
}

/** Every committee with its municipality and administration, in Swedish order. */
export async function listCommitteesWithAdministration(db: Db) {
  const rows = await db
    .selectFrom('committee')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .select([
      'committee.id',
      'committee.name',
      'committee.administration_id as administrationId',
      'committee.reminder_days as reminderDays',
      'committee.kind',
      'administration.name as administrationName',
      'administration.diary_prefix as diaryPrefix',
      'municipality.name as municipalityName',
    ])
    .execute()
  return rows.sort(byMunicipalityThenName)
}

/** The committees and companies of these municipalities, each municipality's in Swedish order. */
export async function listCommitteesOfMunicipalities(db: Db, municipalityIds: readonly number[]) {
  if (municipalityIds.length === 0) return []
  const rows = await db
    .selectFrom('committee')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .select([
      'committee.id',
      'committee.name',
      'committee.kind',
      'municipality.id as municipalityId',
      'municipality.name as municipalityName',
    ])
    .where('committee.municipality_id', 'in', [...municipalityIds])
    .execute()
  return rows.sort(byMunicipalityThenName)
}

export async function findCommittee(db: Db, id: number) {
  return db
    .selectFrom('committee')
    .select([
      'id',
      'name',
      'administration_id as administrationId',
      'municipality_id as municipalityId',
      'reminder_days as reminderDays',
      'kind',
    ])
    .where('id', '=', id)
    .executeTakeFirst()
}

/** A committee in its administration's municipality. */
export async function insertCommittee(
  db: Db,
  c: { administrationId: number; name: string; kind?: CommitteeKind },
): Promise<number> {
  const { id } = await db
    .insertInto('committee')
    .values((eb) => ({
      municipality_id: eb.selectFrom('administration').select('municipality_id').where('id', '=', c.administrationId),
      administration_id: c.administrationId,
      name: c.name,
      kind: c.kind ?? 'committee',
    }))
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

export async function updateCommittee(
  db: Db,
  id: number,
  c: { administrationId: number; name: string; kind: CommitteeKind; reminderDays: string },
) {
  await db
    .updateTable('committee')
    .set({ administration_id: c.administrationId, name: c.name, kind: c.kind, reminder_days: c.reminderDays })
    .where('id', '=', id)
    .execute()
}

export async function insertOwnerUnit(db: Db, administrationId: number, name: string): Promise<number> {
  const { id } = await db
    .insertInto('owner_unit')
    .values({ administration_id: administrationId, name })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/**
 * Every owner unit (or the one) with its administration and how many measures, ansvariga and groups giving its role
 * it has, in Swedish order.
 */
export async function listOwnerUnits(db: Db, onlyId?: number) {
  const rows = await db
    .selectFrom('owner_unit')
    .innerJoin('administration', 'administration.id', 'owner_unit.administration_id')
    .select((eb) => [
      'owner_unit.id',
      'owner_unit.name',
      'owner_unit.administration_id as administrationId',
      'administration.name as administrationName',
      eb
        .selectFrom('measure')
        .select((m) => m.fn.countAll<number>().as('n'))
        .whereRef('measure.owner_unit_id', '=', 'owner_unit.id')
        .as('measureCount'),
      eb
        .selectFrom('unit_member')
        .select((m) => m.fn.countAll<number>().as('n'))
        .whereRef('unit_member.owner_unit_id', '=', 'owner_unit.id')
        .as('memberCount'),
      eb
        .selectFrom('sso_group_role')
        .select((m) => m.fn.countAll<number>().as('n'))
        .whereRef('sso_group_role.owner_unit_id', '=', 'owner_unit.id')
        .as('groupCount'),
    ])
    .$if(onlyId !== undefined, (qb) => qb.where('owner_unit.id', '=', onlyId as number))
    .execute()
  return rows
    .map((u) => ({
      ...u,
      measureCount: Number(u.measureCount),
      memberCount: Number(u.memberCount),
      groupCount: Number(u.groupCount),
    }))
    .sort(
      (a, b) =>
        swedishOrder.compare(a.administrationName, b.administrationName) || swedishOrder.compare(a.name, b.name),
    )
}

export async function findOwnerUnit(db: Db, id: number) {
  return (await listOwnerUnits(db, id))[0]
}

export async function renameOwnerUnit(db: Db, id: number, name: string) {
  await db.updateTable('owner_unit').set({ name }).where('id', '=', id).execute()
}

export async function deleteOwnerUnit(db: Db, id: number) {
  await db.deleteFrom('owner_unit').where('id', '=', id).execute()
}
