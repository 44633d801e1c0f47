import type { Db } from '../../../db/connection.js'
import { audited } from '../../audit/audited.js'
import type { Actor } from '../../audit/repository.js'
import { insertMeasure, listOwnerUnits } from '../../measures/repository.js'
import { insertOwnerUnit } from '../../organisation/repository.js'
import { findClashingPlan, insertPlan } from '../../plans/repository.js'
import { insertReview } from '../../reviews/repository.js'
import { insertRisk, listRisks } from '../../risks/repository.js'
import { normalise } from '../columns.js'
import { deleteImport } from '../repository.js'
import type { CheckedImport, ImportRisk } from './check.js'

/**
 * The committee's risk of the year before with the same title, so that an imported plan — often last year's,
 * exported, edited in Excel and brought back — says which risks are new, changed or unchanged, as a plan made
 * with "Skapa nästa års plan" does. A title that plan holds twice links to neither.
 */
async function lastYearsRisks(db: Db, plan: { committeeId: number; year: number }) {
  const previous = await findClashingPlan(db, plan.committeeId, plan.year - 1, null)
  const byTitle = new Map<string, number | null>()
  for (const risk of previous ? await listRisks(db, previous.id) : []) {
    const title = normalise(risk.title)
    byTitle.set(title, byTitle.has(title) ? null : risk.id)
  }
  return (title: string) => byTitle.get(normalise(title)) ?? null
}

/**
 * Writes the new plan with its risks, measures, reviews and the owner units it needs in one transaction, each
 * record with its audit row, and deletes the upload: all of it, or nothing. Null, writing nothing, when the
 * committee has a plan for the year by now (another tab, a double click): checked in the same transaction, so
 * two imports cannot both pass the check.
 */
export async function writeImport(
  db: Db,
  actor: Actor,
  plan: { id: number; committeeId: number; administrationId: number; year: number; title: string },
  checked: Pick<CheckedImport, 'plan' | 'risks' | 'reviews'>,
): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    if (await findClashingPlan(trx, plan.committeeId, plan.year, null)) return null
    const create = <T>(
      entity: 'plan' | 'risk' | 'measure' | 'review' | 'owner_unit',
      planId: number | null,
      change: () => Promise<T>,
    ) => audited(trx, actor, 'create', { entity, planId }, change)
    const planId = await create('plan', null, () =>
      insertPlan(trx, {
        committee_id: plan.committeeId,
        year: plan.year,
        title: plan.title,
        introduction: checked.plan.introduction,
        measures_introduction: checked.plan.measuresIntroduction,
        adopted_meeting_date: checked.plan.adoptedMeetingDate,
        adopted_minutes_paragraph: checked.plan.adoptedMinutesParagraph,
        adopted_diary_number: checked.plan.adoptedDiaryNumber,
      }),
    )
    const units = new Map(
      (await listOwnerUnits(trx, plan.administrationId)).map((u) => [normalise(u.name), u.id] as const),
    )
    const previousRiskOf = await lastYearsRisks(trx, plan)
    const unitId = async (name: string) => {
      const known = units.get(normalise(name))
      if (known !== undefined) return known
      const id = await create('owner_unit', null, () => insertOwnerUnit(trx, plan.administrationId, name))
      units.set(normalise(name), id)
      return id
    }
    const riskIds = new Map<ImportRisk, number>()
    for (const [i, risk] of checked.risks.entries()) {
      const riskId = await create('risk', planId, () =>
        insertRisk(trx, {
          plan_id: planId,
          title: risk.title,
          description: risk.description,
          likelihood: risk.likelihood,
          consequence: risk.consequence,
          treatment: risk.treatment,
          scope: risk.scope,
          position: i + 1,
          previous_risk_id: previousRiskOf(risk.title),
        }),
      )
      riskIds.set(risk, riskId)
      for (const [j, m] of risk.measures.entries()) {
        const ownerUnitId = await unitId(m.owner)
        await create('measure', planId, () =>
          insertMeasure(
            trx,
            {
              risk_id: riskId,
              title: m.title,
              what_to_do: m.whatToDo,
              progress: m.progress,
              owner_unit_id: ownerUnitId,
              responsible_person: m.responsiblePerson,
              due_date: m.dueDate,
              status: m.status,
              position: j + 1,
              origin_area_id: m.originAreaId,
            },
            actor.at,
          ),
        )
      }
    }
    for (const [i, review] of checked.reviews.entries()) {
      await create('review', planId, () =>
        insertReview(trx, {
          plan_id: planId,
          risk_id: review.risk === null ? null : (riskIds.get(review.risk) ?? null),
          diary_number: review.diaryNumber,
          title: review.title,
          meeting_date: review.meetingDate,
          minutes_paragraph: review.minutesParagraph,
          position: i + 1,
        }),
      )
    }
    await deleteImport(trx, plan.id)
    return planId
  })
}
