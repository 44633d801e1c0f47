import type { Db } from '../../db/connection.js'
import type { MeasureStatus } from '../../db/schema.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { insertRisk } from '../../server/risks/repository.js'

/** The demo plan's ids, looked up rather than assumed. */
export async function demoPlan(db: Db) {
  const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', plan.id).orderBy('position').execute()
  const units = await db.selectFrom('owner_unit').select(['id', 'name']).execute()
  const unit = (name: string) => units.find((u) => u.name === name)?.id as number
  return { planId: plan.id, risks, unit }
}

export async function aRisk(db: Db, planId: number, overrides: { title?: string } = {}) {
  return insertRisk(db, {
    plan_id: planId,
    title: overrides.title ?? 'Risk för felaktiga utbetalningar',
    description: 'Risk för X på grund av Y, vilket kan leda till Z.',
    likelihood: 3,
    consequence: 4,
    treatment: 'review',
    scope: 'committee',
    position: await nextPosition(db, 'risk', planId),
  })
}

export async function aMeasure(
  db: Db,
  riskId: number,
  ownerUnitId: number,
  overrides: { title?: string; status?: MeasureStatus; dueDate?: string | null; progress?: string } = {},
) {
  return insertMeasure(
    db,
    {
      risk_id: riskId,
      title: overrides.title ?? 'Ta fram en rutin',
      what_to_do: 'Rutinen ska beskriva kontrollen.',
      progress: overrides.progress ?? '',
      owner_unit_id: ownerUnitId,
      responsible_person: '',
      due_date: overrides.dueDate ?? null,
      status: overrides.status ?? 'not_started',
      position: await nextPosition(db, 'measure', riskId),
    },
    '2021-01-01T00:00:00.000Z',
  )
}
