import type { Db } from '../../db/connection.js'

export interface Organisation {
  municipality: string
  administration: string
  diaryPrefix: string
  committee: string
  units: string[]
}

/** Finds or creates a municipality, administration, committee and owner units by name; returns the committee id. */
export async function ensureOrganisation(db: Db, org: Organisation): Promise<number> {
  const municipalityId =
    (await db.selectFrom('municipality').select('id').where('name', '=', org.municipality).executeTakeFirst())?.id ??
    (await db.insertInto('municipality').values({ name: org.municipality }).returning('id').executeTakeFirstOrThrow())
      .id
  const administrationId =
    (
      await db
        .selectFrom('administration')
        .select('id')
        .where('municipality_id', '=', municipalityId)
        .where('name', '=', org.administration)
        .executeTakeFirst()
    )?.id ??
    (
      await db
        .insertInto('administration')
        .values({ municipality_id: municipalityId, name: org.administration, diary_prefix: org.diaryPrefix })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  const committeeId =
    (
      await db
        .selectFrom('committee')
        .select('id')
        .where('municipality_id', '=', municipalityId)
        .where('name', '=', org.committee)
        .executeTakeFirst()
    )?.id ??
    (
      await db
        .insertInto('committee')
        .values({ municipality_id: municipalityId, administration_id: administrationId, name: org.committee })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  for (const name of org.units) {
    await db
      .insertInto('owner_unit')
      .values({ administration_id: administrationId, name })
      .onConflict((oc) => oc.columns(['administration_id', 'name']).doNothing())
      .execute()
  }
  return committeeId
}

export async function insertOwnerUnit(db: Db, administrationId: number, name: string): Promise<number> {
  const { id } = await db
    .insertInto('owner_unit')
    .values({ administration_id: administrationId, name })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}
