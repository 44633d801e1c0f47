import type { Updateable } from 'kysely'
import type { Db } from '../../../db/connection.js'
import type { ControlRunTable } from '../../../db/schema.js'
import { audited } from '../../audit/audited.js'
import type { Actor } from '../../audit/repository.js'
import { controlRowsOfPlan, insertDeviation, runRowsOfPlan, updateRun } from '../../controls/repository.js'
import { createControl } from '../../controls/write.js'
import { swedishDate } from '../../dates.js'
import { insertMeasure, listOwnerUnits } from '../../measures/repository.js'
import { applyItemsToPlan, type Item, reviewCopyColumns, riskCopyColumns } from '../../municipal/push-down.js'
import { listItemsFor } from '../../municipal/repository.js'
import { insertOwnerUnit } from '../../organisation/repository.js'
import { findClashingPlan, insertPlan } from '../../plans/repository.js'
import { insertReview } from '../../reviews/repository.js'
import { insertRisk, listRisks } from '../../risks/repository.js'
import { normalise } from '../columns.js'
import { deleteImport } from '../repository.js'
import type { CheckedImport, ImportRisk } from './check.js'
import type { ImportDeviation, ImportRun, RunReport } from './check-controls.js'

/**
 * The committee's risk of the year before with the same title, so that an imported plan — often last year's,
 * exported, edited in Excel and brought back — says which risks are new, changed or unchanged, as a plan made
 * with "Skapa nästa års plan" does. A title that plan holds twice links to neither.
 */
async function lastYearsRisksAndControls(db: Db, plan: { committeeId: number; year: number }) {
  const previous = await findClashingPlan(db, plan.committeeId, plan.year - 1, null)
  const [risks, controls] = previous
    ? await Promise.all([listRisks(db, previous.id), controlRowsOfPlan(db, previous.id)])
    : [[], []]
  const byTitle = new Map<string, number | null>()
  for (const risk of risks) {
    const title = normalise(risk.title)
    byTitle.set(title, byTitle.has(title) ? null : risk.id)
  }
  // A control likewise, by its title among the controls of last year's risk.
  const controlsByTitle = new Map<string, number | null>()
  for (const control of controls) {
    const key = `${control.risk_id}\n${normalise(control.title)}`
    controlsByTitle.set(key, controlsByTitle.has(key) ? null : control.id)
  }
  return {
    previousRiskOf: (title: string) => byTitle.get(normalise(title)) ?? null,
    previousControlOf: (riskId: number | null, title: string) =>
      riskId === null ? null : (controlsByTitle.get(`${riskId}\n${normalise(title)}`) ?? null),
  }
}

/**
 * The rows of the sheet that are copies of the municipality-wide items applying to the new plan, matched by title
 * (a plan exported and imported again holds its copies under the items' titles, which only the item changes): such
 * a row becomes the copy, with the row's scores, measures and controls, rather than a risk beside it. An item is
 * matched by its first row only.
 */
async function itemsOfRows(db: Db, plan: { committeeId: number; year: number }, risks: ImportRisk[]) {
  const byTitle = new Map<string, Item>()
  for (const item of await listItemsFor(db, plan.committeeId, plan.year)) {
    if (!byTitle.has(normalise(item.title))) byTitle.set(normalise(item.title), item)
  }
  const itemOf = new Map<ImportRisk, Item>()
  for (const risk of risks) {
    const item = byTitle.get(normalise(risk.title))
    if (!item) continue
    itemOf.set(risk, item)
    byTitle.delete(normalise(risk.title))
  }
  return itemOf
}

/** A run's report as its columns; one reported without a date was reported to the app by this import. */
const reportColumns = (report: RunReport, at: string): Updateable<ControlRunTable> => ({
  ...report,
  reported_on: report.reported_on ?? swedishDate(new Date(at)),
})

type RunRow = Awaited<ReturnType<typeof runRowsOfPlan>>[number]

/**
 * Writes what the file says of a control's occasions (`occasions`, made by createControl): a planned date of its
 * own, the report, each an audited change of the occasion, and its deviations. Returns each deviation's id.
 */
async function writeRuns(db: Db, actor: Actor, planId: number, occasions: RunRow[], runs: ImportRun[]) {
  const deviationIds = new Map<ImportDeviation, number>()
  for (const run of runs) {
    const occasion = occasions.find((o) => o.occasion === run.occasion)
    // The check took only occasions the control's frequency gives.
    if (!occasion) continue
    const changes: Updateable<ControlRunTable> = run.report ? reportColumns(run.report, actor.at) : {}
    if (run.plannedDate !== null && run.plannedDate !== occasion.planned_date) changes.planned_date = run.plannedDate
    if (Object.keys(changes).length > 0) {
      await audited(db, actor, 'update', { entity: 'control_run', id: occasion.id, planId }, () =>
        updateRun(db, occasion.id, occasion.version, changes),
      )
    }
    for (const [i, deviation] of run.deviations.entries()) {
      const id = await audited(db, actor, 'create', { entity: 'control_deviation', planId }, () =>
        insertDeviation(db, { ...deviation, run_id: occasion.id, position: i + 1 }),
      )
      deviationIds.set(deviation, id)
    }
  }
  return deviationIds
}

/**
 * Writes the new plan with its risks, controls with their occasions and deviations, measures, reviews and the
 * owner units it needs in one transaction, each record with its audit row, and deletes the upload: all of it, or
 * nothing. Null, writing nothing, when the committee has a plan for the year by now (another tab, a double
 * click): checked in the same transaction, so two imports cannot both pass the check.
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
    const { previousRiskOf, previousControlOf } = await lastYearsRisksAndControls(trx, plan)
    // A unit the import makes is spelt as the file first spells it, the risks' sheet first (controls are written
    // before measures).
    const spelling = new Map<string, string>()
    const owners = [...checked.risks.flatMap((r) => r.measures), ...checked.risks.flatMap((r) => r.controls)]
    for (const { owner: name } of owners) {
      if (!spelling.has(normalise(name))) spelling.set(normalise(name), name)
    }
    const unitId = async (name: string) => {
      const known = units.get(normalise(name))
      if (known !== undefined) return known
      const spelt = spelling.get(normalise(name)) ?? name
      const id = await create('owner_unit', null, () => insertOwnerUnit(trx, plan.administrationId, spelt))
      units.set(normalise(name), id)
      return id
    }
    const itemOf = await itemsOfRows(trx, plan, checked.risks)
    const riskIds = new Map<ImportRisk, number>()
    const risks = checked.risks.map((risk) => ({ risk, previousRiskId: previousRiskOf(risk.title) }))
    for (const [i, { risk, previousRiskId }] of risks.entries()) {
      const item = itemOf.get(risk)
      const words = item
        ? riskCopyColumns(item)
        : { title: risk.title, description: risk.description, treatment: risk.treatment, scope: risk.scope }
      const riskId = await create('risk', planId, () =>
        insertRisk(trx, {
          plan_id: planId,
          ...words,
          likelihood: risk.likelihood,
          consequence: risk.consequence,
          position: i + 1,
          previous_risk_id: previousRiskId,
        }),
      )
      riskIds.set(risk, riskId)
    }
    // Controls before measures: a measure decided for a deviation names it.
    const controls: { id: number; runs: ImportRun[] }[] = []
    for (const { risk, previousRiskId } of risks) {
      for (const [j, control] of risk.controls.entries()) {
        const id = await createControl(
          trx,
          actor,
          { id: planId, year: plan.year },
          {
            risk_id: riskIds.get(risk) as number,
            title: control.title,
            what_is_checked: control.whatIsChecked,
            method: control.method,
            method_own: control.methodOwn,
            frequency: control.frequency,
            owner_unit_id: await unitId(control.owner),
            responsible_person: control.responsiblePerson,
            reported_to: control.reportedTo,
            position: j + 1,
            previous_control_id: previousControlOf(previousRiskId, control.title),
          },
        )
        controls.push({ id, runs: control.runs })
      }
    }
    // The occasions createControl made, read once for the whole plan.
    const occasions = new Map<number, RunRow[]>()
    for (const run of await runRowsOfPlan(trx, planId)) {
      const own = occasions.get(run.control_id)
      if (own) own.push(run)
      else occasions.set(run.control_id, [run])
    }
    const deviationIds = new Map<ImportDeviation, number>()
    for (const control of controls) {
      const own = occasions.get(control.id) ?? []
      for (const [deviation, id] of await writeRuns(trx, actor, planId, own, control.runs)) {
        deviationIds.set(deviation, id)
      }
    }
    for (const risk of checked.risks) {
      const riskId = riskIds.get(risk) as number
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
              origin_deviation_id: m.originDeviation === null ? null : (deviationIds.get(m.originDeviation) ?? null),
            },
            actor.at,
          ),
        )
      }
    }
    // A review item's copy is one review row: the sheet's first row under the copy's risk, its decision kept.
    const reviewed = new Set<number>()
    let position = 0
    for (const review of checked.reviews) {
      const item = review.risk === null ? undefined : itemOf.get(review.risk)
      const copy = item?.kind === 'review' && !reviewed.has(item.id) ? item : undefined
      if (copy) reviewed.add(copy.id)
      position += 1
      await create('review', planId, () =>
        insertReview(trx, {
          plan_id: planId,
          risk_id: review.risk === null ? null : (riskIds.get(review.risk) ?? null),
          ...(copy ? reviewCopyColumns(copy) : { diary_number: review.diaryNumber, title: review.title }),
          meeting_date: review.meetingDate,
          minutes_paragraph: review.minutesParagraph,
          position,
        }),
      )
    }
    for (const [risk, item] of itemOf) {
      if (item.kind !== 'review' || reviewed.has(item.id)) continue
      position += 1
      await create('review', planId, () =>
        insertReview(trx, {
          plan_id: planId,
          risk_id: riskIds.get(risk) as number,
          ...reviewCopyColumns(item),
          meeting_date: null,
          minutes_paragraph: null,
          position,
        }),
      )
    }
    // An imported plan is a new plan of the year too: the municipality-wide items the sheet did not hold come in
    // after its own risks.
    await applyItemsToPlan(trx, actor, { id: planId, committee_id: plan.committeeId, year: plan.year })
    await deleteImport(trx, plan.id)
    return planId
  })
}
