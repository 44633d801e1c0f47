import { readFileSync } from 'node:fs'
import { audited } from '../../server/audit/audited.js'
import type { Actor } from '../../server/audit/repository.js'
import { addUnitMember, grantCommitteeRole } from '../../server/auth/repository.js'
import { insertDeviation, updateRun } from '../../server/controls/repository.js'
import { createControl } from '../../server/controls/write.js'
import { addDays } from '../../server/dates.js'
import { nextPosition } from '../../server/ordering.js'
import type { Db } from '../connection.js'
import type { CommitteeRole, ControlFrequency, ControlMethod, ReportedTo, Sampling, Severity } from '../schema.js'
import { type InventedPlanFixture, insertInventedPlan, type NewMeasure } from './invented-plan.js'

// The demo's second committee, Förskolenämnden, and its plan for the year the demo is loaded in: a plan kept
// through control activities (kontrollmoment), with the occasions before the loading day reported, a few of them
// with deviations, and the two deviations that called for it followed by a measure. Invented, unlike the 2020 plan.
// The first occasions to pass are at the end of January (two moved there by the secretary): from 1 February on
// whatever the loading day, both deviations with their measures are there and one occasion is overdue (red); in
// January nothing has passed yet, so nothing is reported and every light is green.

interface Deviation {
  description: string
  severity: Severity
  /** The deviation called for this measure; without one, the reason no measure was needed. */
  measure?: NewMeasure & { dueDaysAfterFound: number }
  noMeasureReason?: string
}

interface PreschoolFixture extends InventedPlanFixture {
  /** What the demo's accounts also hold in this committee. */
  accounts: { email: string; role?: CommitteeRole; unit?: string }[]
  controls: {
    risk: string
    title: string
    whatIsChecked: string
    method: ControlMethod
    frequency: ControlFrequency
    owner: string
    responsiblePerson: string
    reportedTo: ReportedTo
    /** The secretary moved the first occasion (the only one, of a control done once or yearly) to this day (MM-DD). */
    movedTo?: string
    /** The last occasion before the loading day is left unreported: overdue, so the control's light is red. */
    leaveLatestPassedUnreported?: boolean
    /** How each occasion is reported unless `occasions` says otherwise. */
    report: {
      performedBy: string
      /** Performed this many days before the occasion's planned date, reported the day after it. */
      daysBeforePlanned: number
      population: string
      /** Per occasion. */
      populationSizes: number[]
      sampleSize?: number
      /** The whole population is checked, so the sample is the population. */
      wholePopulation?: boolean
      checkedCount?: number
      sampling: Sampling
      comment: string
    }
    /** Occasions (by number) whose run found deviations. */
    occasions?: Record<string, { deviationCount: number; comment: string; deviations: Deviation[] }>
  }[]
}

/**
 * Makes Förskolenämnden in the demo municipality, gives the demo's secretary, reader and HR owner their roles in
 * it, and loads its plan for the year of `today` (YYYY-MM-DD). Every record is made through the audit log.
 */
export async function insertPreschoolDemo(trx: Db, actor: Actor, today: string, municipalityId: number) {
  const data = JSON.parse(readFileSync(new URL('./forskola-demo.json', import.meta.url), 'utf8')) as PreschoolFixture
  const { year, committeeId, planId, unit, risk, create, addMeasure } = await insertInventedPlan(
    trx,
    actor,
    today,
    municipalityId,
    data,
    'committee',
  )

  // The accounts exist already: their new roles are changes of them, as an administrator's would be.
  for (const account of data.accounts) {
    const user = await trx
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', account.email)
      .executeTakeFirstOrThrow()
    await audited(trx, actor, 'update', { entity: 'app_user', id: user.id, planId: null }, async () => {
      if (account.role) await grantCommitteeRole(trx, user.id, committeeId, account.role)
      if (account.unit) await addUnitMember(trx, user.id, unit(account.unit))
    })
  }

  for (const control of data.controls) {
    const controlId = await createControl(
      trx,
      actor,
      { id: planId, year },
      {
        risk_id: risk(control.risk),
        title: control.title,
        what_is_checked: control.whatIsChecked,
        method: control.method,
        method_own: '',
        frequency: control.frequency,
        owner_unit_id: unit(control.owner),
        responsible_person: control.responsiblePerson,
        reported_to: control.reportedTo,
        position: await nextPosition(trx, 'control', risk(control.risk)),
        previous_control_id: null,
      },
    )
    const runs = await trx
      .selectFrom('control_run')
      .select(['id', 'occasion', 'planned_date', 'version'])
      .where('control_id', '=', controlId)
      .orderBy('occasion')
      .execute()
    if (control.movedTo) {
      const [run, next] = runs
      const moved = `${year}-${control.movedTo}`
      if (!run || (next && moved >= next.planned_date))
        throw new Error(`Moved past the next occasion: ${control.title}`)
      await audited(trx, actor, 'update', { entity: 'control_run', id: run.id, planId }, () =>
        updateRun(trx, run.id, run.version, { planned_date: moved }),
      )
      // The row as it is now, for its report below.
      Object.assign(run, { planned_date: moved, version: run.version + 1 })
    }
    const passed = runs.filter((r) => r.planned_date < today)
    const reported = control.leaveLatestPassedUnreported ? passed.slice(0, -1) : passed
    for (const run of reported) {
      const found = control.occasions?.[String(run.occasion)]
      const { report } = control
      const populationSize = report.populationSizes[run.occasion - 1] ?? null
      const sampleSize = report.wholePopulation ? populationSize : (report.sampleSize ?? null)
      const performedOn = addDays(run.planned_date, -report.daysBeforePlanned)
      await audited(trx, actor, 'update', { entity: 'control_run', id: run.id, planId }, () =>
        updateRun(trx, run.id, run.version, {
          result: found ? 'deviations' : 'no_remarks',
          performed_on: performedOn,
          reported_on: addDays(run.planned_date, 1),
          performed_by: report.performedBy,
          population: report.population,
          population_size: populationSize,
          sample_size: sampleSize,
          sampling: report.sampling,
          checked_count: report.checkedCount ?? sampleSize,
          deviation_count: found?.deviationCount ?? 0,
          comment: found?.comment ?? report.comment,
        }),
      )
      for (const [index, deviation] of (found?.deviations ?? []).entries()) {
        const deviationId = await create({ entity: 'control_deviation', planId }, () =>
          insertDeviation(trx, {
            run_id: run.id,
            description: deviation.description,
            severity: deviation.severity,
            decision: deviation.measure ? 'measure_required' : 'no_measure',
            no_measure_reason: deviation.noMeasureReason ?? '',
            position: index + 1,
          }),
        )
        const { measure } = deviation
        if (measure) {
          await addMeasure(control.risk, measure, addDays(performedOn, measure.dueDaysAfterFound), deviationId)
        }
      }
    }
  }
}
