import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { aRisk, demoPlan } from '../../test/helpers/builders.js'
import { download, formFields, uploadAndMap } from '../../test/helpers/spreadsheets.js'
import { createTestApp } from '../../test/helpers/test-app.js'

/** What a plan holds, without ids: risks in order with their measures, and reviews with their risk. */
async function contents(db: Db, planId: number) {
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', planId).orderBy('position').execute()
  const measures = await db
    .selectFrom('measure')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.risk_id',
      'measure.title',
      'measure.what_to_do',
      'measure.progress',
      'measure.responsible_person',
      'measure.status',
      'measure.due_date',
      'owner_unit.name as owner',
    ])
    .orderBy('measure.position')
    .execute()
  const reviews = await db
    .selectFrom('review')
    .leftJoin('risk', 'risk.id', 'review.risk_id')
    .select(['diary_number', 'review.title', 'meeting_date', 'minutes_paragraph', 'risk.title as risk'])
    .where('review.plan_id', '=', planId)
    .orderBy('review.position')
    .execute()
  return {
    risks: risks.map((r) => ({
      title: r.title,
      description: r.description,
      likelihood: r.likelihood,
      consequence: r.consequence,
      treatment: r.treatment,
      scope: r.scope,
      measures: measures.filter((m) => m.risk_id === r.id).map(({ risk_id: _, ...m }) => m),
    })),
    reviews,
  }
}

describe('export and import again', () => {
  for (const format of ['xlsx', 'csv'] as const) {
    it(`gives the same risks, measures, owners, statuses and dates (${format})`, async () => {
      const { agent, db } = await createTestApp()
      const { planId } = await demoPlan(db)
      // A risk without measures, a due date and a text Excel would take for a formula travel too.
      await aRisk(db, planId, { title: 'Risk utan åtgärder' })
      const risk = await db.selectFrom('risk').select('id').where('plan_id', '=', planId).executeTakeFirstOrThrow()
      await db
        .updateTable('measure')
        .set({ due_date: '2021-06-30', title: '=SUMMA(A1) "citat"; semikolon' })
        .where('risk_id', '=', risk.id)
        .execute()
      const bytes = await download(agent, `/planer/${planId}/exportera/${format}`)
      const { preview, previewPath } = await uploadAndMap(agent, { bytes, name: `plan.${format}` })
      expect(preview).toContain('Inga problem hittades i filen.')
      const imported = await agent.post(previewPath).type('form').send(formFields(preview).fields).expect(303)
      const newPlanId = Number(String(imported.headers.location).split('/').pop())
      expect(newPlanId).not.toBe(planId)

      const before = await contents(db, planId)
      const after = await contents(db, newPlanId)
      expect(after.risks).toEqual(before.risks)
      // CSV carries one table: the reviews come only with the workbook.
      expect(after.reviews).toEqual(format === 'xlsx' ? before.reviews : [])
      expect(before.risks).toHaveLength(7)
      expect(before.risks.flatMap((r) => r.measures)).toHaveLength(12)
      expect(before.reviews).toHaveLength(8)
      expect(before.risks[0]?.measures[0]).toMatchObject({
        due_date: '2021-06-30',
        title: '=SUMMA(A1) "citat"; semikolon',
      })
    })
  }
})
