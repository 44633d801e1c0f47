import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../../db/connection.js'
import { prepared } from '../../db/prepared.js'
import type { RiskTable } from '../../db/schema.js'
import { type Saved, updateVersioned } from '../versioned.js'

// The plan page reads them on every view: prepared once (db/prepared.ts).
const listRisksOfPlan = prepared((db, planId: number) =>
  db.selectFrom('risk').selectAll().where('plan_id', '=', planId).orderBy('position'),
)

export async function listRisks(db: Db, planId: number) {
  return listRisksOfPlan(db, planId)
}

export async function findRisk(db: Db, planId: number, riskId: number) {
  return db.selectFrom('risk').selectAll().where('plan_id', '=', planId).where('id', '=', riskId).executeTakeFirst()
}

export async function insertRisk(db: Db, risk: Insertable<RiskTable>): Promise<number> {
  const { id } = await db.insertInto('risk').values(risk).returning('id').executeTakeFirstOrThrow()
  return id
}

/** Saves an edit made on `baseVersion`, merged with someone else's newer change of other fields (updateVersioned). */
export async function updateRisk(db: Db, id: number, baseVersion: number, risk: Updateable<RiskTable>): Promise<Saved> {
  return updateVersioned(db, 'risk', id, baseVersion, risk)
}

export async function deleteRisk(db: Db, id: number): Promise<void> {
  await db.deleteFrom('risk').where('id', '=', id).execute()
}
