import type { Db } from '../../db/connection.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { controlRowsOfPlan } from '../controls/repository.js'
import { createControl } from '../controls/write.js'
import { linkMeasure, linkRisk, listAreasOfMeasure, listAreasOfRisk } from '../inspections/repository.js'
import { auditTarget } from '../inspections/require-inspection.js'
import { insertMeasure, listMeasuresOfPlan } from '../measures/repository.js'
import { applyItemsToPlan } from '../municipal/push-down.js'
import { findClashingPlan, insertPlan } from '../plans/repository.js'
import { insertRisk, listRisks } from '../risks/repository.js'
import { continuesNextYear } from '../vocabulary.js'
import { controlSinceLastYear, type SinceLastYear, sinceLastYear } from './since-last-year.js'

type FromPlan = { id: number; committee_id: number; year: number }

/**
 * A copy takes up the development areas its original took up, so the areas list it and an open area is not
 * offered to the new plan as a risk again; each area's change is in the log.
 */
async function linkAreasToCopy(
  db: Db,
  actor: Actor,
  areas: { id: number; committee_id: number }[],
  link: (areaId: number) => Promise<void>,
): Promise<void> {
  for (const area of areas) {
    await audited(db, actor, 'update', auditTarget('development_area', area, area.id), () => link(area.id))
  }
}

/** The measures of a plan that go into next year's plan, and those that stay behind, done or cancelled. */
export async function splitMeasures(db: Db, planId: number) {
  const measures = await listMeasuresOfPlan(db, planId)
  return {
    carried: measures.filter((m) => continuesNextYear(m.status)),
    staying: measures.filter((m) => !continuesNextYear(m.status)),
  }
}

/** How many of a plan's occasions were reported and how many deviations they found: they stay with their year. */
export async function countReportedRuns(db: Db, planId: number) {
  const row = await db
    .selectFrom('control_run')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .leftJoin('control_deviation', 'control_deviation.run_id', 'control_run.id')
    .select((eb) => [
      eb.fn.count<number>('control_run.id').distinct().filterWhere('control_run.result', 'is not', null).as('runs'),
      eb.fn.count<number>('control_deviation.id').as('deviations'),
    ])
    .where('risk.plan_id', '=', planId)
    .executeTakeFirst()
  return { runs: Number(row?.runs ?? 0), deviations: Number(row?.deviations ?? 0) }
}

/**
 * Makes the committee's plan for a later `year` from the plan `from` (next year's, from the app; the demo's current
 * year, from its 2020 plan), in the caller's transaction, each new record with its audit row: every risk copied with
 * its scores and a link to where it came from, and every measure whose work goes on carried to its risk's copy,
 * linked to the measure it continues; both keep their links to development areas. Every control is copied to its
 * risk's copy, linked to the control it repeats, with the occasions its frequency gives in the new year: the runs,
 * their results and deviations, belong to their year and stay, as reviews do.
 * Undefined when the committee already has a plan that year.
 */
export async function createCarriedOverPlan(
  db: Db,
  actor: Actor,
  from: FromPlan,
  { year, title }: { year: number; title: string },
): Promise<number | undefined> {
  if (await findClashingPlan(db, from.committee_id, year, null)) return undefined
  // The introductions describe the year they were written for, and the adoption is next year's own decision.
  const planId = await audited(db, actor, 'create', { entity: 'plan', planId: null }, () =>
    insertPlan(db, {
      committee_id: from.committee_id,
      year,
      title,
      introduction: '',
      measures_introduction: '',
      adopted_meeting_date: null,
      adopted_minutes_paragraph: null,
    }),
  )
  const [risks, { carried }, controls] = await Promise.all([
    listRisks(db, from.id),
    splitMeasures(db, from.id),
    controlRowsOfPlan(db, from.id),
  ])
  for (const risk of risks) {
    const riskId = await audited(db, actor, 'create', { entity: 'risk', planId }, () =>
      insertRisk(db, {
        plan_id: planId,
        title: risk.title,
        description: risk.description,
        likelihood: risk.likelihood,
        consequence: risk.consequence,
        treatment: risk.treatment,
        // A copy of a municipality-wide item is kommunstyrelsen's decision for its year only: carried into the next
        // plan it becomes the committee's own risk, free to reword or delete. What kommunstyrelsen decides for the
        // next year comes in as that year's own copies (applyItemsToPlan, below), beside it.
        scope: risk.municipal_item_id === null ? risk.scope : 'committee',
        position: risk.position,
        previous_risk_id: risk.id,
        municipal_item_id: null,
      }),
    )
    await linkAreasToCopy(db, actor, await listAreasOfRisk(db, risk.id), (areaId) => linkRisk(db, areaId, riskId))
    for (const [index, measure] of carried.filter((m) => m.risk_id === risk.id).entries()) {
      // The carried measure's status history starts afresh, with the status it brings at the moment it is
      // carried: the earlier changes are last year's measure's, which keeps them one link away. Copied rows
      // would date this record's history before the record existed.
      const measureId = await audited(db, actor, 'create', { entity: 'measure', planId }, () =>
        insertMeasure(
          db,
          {
            risk_id: riskId,
            title: measure.title,
            what_to_do: measure.what_to_do,
            progress: measure.progress,
            owner_unit_id: measure.owner_unit_id,
            responsible_person: measure.responsible_person,
            due_date: measure.due_date,
            status: measure.status,
            position: index + 1,
            origin_area_id: measure.origin_area_id,
            carried_from_measure_id: measure.id,
          },
          actor.at,
        ),
      )
      await linkAreasToCopy(db, actor, await listAreasOfMeasure(db, measure.id), (areaId) =>
        linkMeasure(db, areaId, measureId),
      )
    }
    for (const control of controls.filter((c) => c.risk_id === risk.id)) {
      await createControl(
        db,
        actor,
        { id: planId, year },
        {
          risk_id: riskId,
          title: control.title,
          what_is_checked: control.what_is_checked,
          method: control.method,
          method_own: control.method_own,
          frequency: control.frequency,
          owner_unit_id: control.owner_unit_id,
          responsible_person: control.responsible_person,
          reported_to: control.reported_to,
          position: control.position,
          previous_control_id: control.id,
        },
      )
    }
  }
  await applyItemsToPlan(db, actor, { id: planId, committee_id: from.committee_id, year })
  return planId
}

/**
 * New, changed or unchanged since last year, for each risk of the plan that has something to say; or only for
 * the one risk a risk page shows.
 */
export async function risksSinceLastYear(
  db: Db,
  plan: FromPlan,
  onlyRiskId?: number,
): Promise<Map<number, SinceLastYear>> {
  const [risks, yearBefore] = await Promise.all([
    db
      .selectFrom('risk')
      .leftJoin('risk as previous', 'previous.id', 'risk.previous_risk_id')
      .leftJoin('plan as previous_plan', 'previous_plan.id', 'previous.plan_id')
      .select([
        'risk.id',
        'risk.title',
        'risk.description',
        'risk.likelihood',
        'risk.consequence',
        'previous.title as previousTitle',
        'previous.description as previousDescription',
        'previous.likelihood as previousLikelihood',
        'previous.consequence as previousConsequence',
        'previous_plan.year as previousYear',
      ])
      .where('risk.plan_id', '=', plan.id)
      .$if(onlyRiskId !== undefined, (query) => query.where('risk.id', '=', onlyRiskId as number))
      .execute(),
    findClashingPlan(db, plan.committee_id, plan.year - 1, null),
  ])
  const since = new Map<number, SinceLastYear>()
  for (const risk of risks) {
    const previous =
      risk.previousYear === null
        ? undefined
        : {
            title: risk.previousTitle ?? '',
            description: risk.previousDescription ?? '',
            likelihood: risk.previousLikelihood,
            consequence: risk.previousConsequence,
            year: risk.previousYear,
          }
    const found = sinceLastYear(risk, previous, { year: plan.year, hasPlanYearBefore: yearBefore !== undefined })
    if (found) since.set(risk.id, found)
  }
  return since
}

/**
 * How each control of the plan stands against the control it was copied from, in report order; or only the
 * controls of the one risk a risk page shows. One query: each control with the one it came from, that one's year,
 * and whether the committee has a plan for the year before (without one, nothing is "new").
 */
export async function controlsSinceLastYear(db: Db, plan: FromPlan, onlyRiskId?: number) {
  const rows = await db
    .selectFrom('control')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .leftJoin('control as previous', 'previous.id', 'control.previous_control_id')
    .leftJoin('owner_unit as previous_unit', 'previous_unit.id', 'previous.owner_unit_id')
    .leftJoin('risk as previous_risk', 'previous_risk.id', 'previous.risk_id')
    .leftJoin('plan as previous_plan', 'previous_plan.id', 'previous_risk.plan_id')
    .select([
      'control.id',
      'control.risk_id',
      'control.title',
      'control.what_is_checked',
      'control.method',
      'control.method_own',
      'control.frequency',
      'control.responsible_person',
      'control.reported_to',
      'owner_unit.name as ownerName',
      'previous.title as previousTitle',
      'previous.what_is_checked as previousWhatIsChecked',
      'previous.method as previousMethod',
      'previous.method_own as previousMethodOwn',
      'previous.frequency as previousFrequency',
      'previous.responsible_person as previousResponsiblePerson',
      'previous.reported_to as previousReportedTo',
      'previous_unit.name as previousOwnerName',
      'previous_plan.year as previousYear',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('plan as year_before')
            .select('year_before.id')
            .where('year_before.committee_id', '=', plan.committee_id)
            .where('year_before.year', '=', plan.year - 1),
        )
        .as('hasPlanYearBefore'),
    )
    .where('risk.plan_id', '=', plan.id)
    .$if(onlyRiskId !== undefined, (query) => query.where('control.risk_id', '=', onlyRiskId as number))
    .orderBy('risk.position')
    .orderBy('control.position')
    .execute()
  return rows.flatMap((row) => {
    // The previous control's columns are all there or all null: its year says which.
    const previous =
      row.previousYear === null
        ? undefined
        : {
            title: row.previousTitle ?? '',
            what_is_checked: row.previousWhatIsChecked ?? '',
            method: row.previousMethod ?? row.method,
            method_own: row.previousMethodOwn ?? '',
            frequency: row.previousFrequency ?? row.frequency,
            responsible_person: row.previousResponsiblePerson ?? '',
            reported_to: row.previousReportedTo ?? row.reported_to,
            ownerName: row.previousOwnerName ?? '',
            year: row.previousYear,
          }
    const since = controlSinceLastYear(row, previous, {
      year: plan.year,
      // SQLite answers 0 or 1, PostgreSQL a boolean.
      hasPlanYearBefore: Boolean(Number(row.hasPlanYearBefore)),
    })
    return since ? [{ id: row.id, riskId: row.risk_id, title: row.title, since }] : []
  })
}

/** The risk a risk was copied from, with its plan, for a link. */
export async function findPreviousRisk(db: Db, riskId: number) {
  return db
    .selectFrom('risk')
    .innerJoin('risk as previous', 'previous.id', 'risk.previous_risk_id')
    .innerJoin('plan', 'plan.id', 'previous.plan_id')
    .select(['previous.id', 'previous.plan_id as planId', 'plan.title as planTitle'])
    .where('risk.id', '=', riskId)
    .executeTakeFirst()
}

/** Where a measure was carried from and to, each with its plan, for links between the years. */
export async function carryOverLinks(db: Db, measure: { id: number; carried_from_measure_id: number | null }) {
  const withPlan = db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .select(['measure.id', 'plan.id as planId', 'plan.title as planTitle'])
  const [from, to] = await Promise.all([
    measure.carried_from_measure_id === null
      ? undefined
      : withPlan.where('measure.id', '=', measure.carried_from_measure_id).executeTakeFirst(),
    withPlan.where('measure.carried_from_measure_id', '=', measure.id).orderBy('plan.year').execute(),
  ])
  const link = (m: { id: number; planId: number; planTitle: string }, text: string) => ({
    href: `/planer/${m.planId}/atgarder/${m.id}`,
    text: `${text} ${m.planTitle}`,
  })
  return {
    carriedFrom: from && link(from, 'Överförd från'),
    carriedTo: to.map((m) => link(m, 'Överförd till')),
  }
}
