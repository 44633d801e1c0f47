import type { Db } from '../../db/connection.js'

// What the follow-up report reads of a plan's controls besides listControlsOfPlan: one query each for the whole
// plan, however many controls it has. (Named apart from the run report form, report a run, in run-routes.ts.)

/**
 * The occasions of a plan's controls that the report shows on `today`: those reported, and those past their
 * planned date without a report (what makes a light red). Occasions still ahead are only counted.
 */
export async function listReportedOrOverdueRuns(db: Db, planId: number, today: string) {
  return db
    .selectFrom('control_run')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .select([
      'control_run.control_id',
      'control_run.occasion',
      'control_run.planned_date',
      'control_run.result',
      'control_run.not_performed_reason',
      'control_run.performed_on',
      'control_run.performed_by',
      'control_run.population',
      'control_run.population_size',
      'control_run.sample_size',
      'control_run.sampling',
      'control_run.checked_count',
      'control_run.deviation_count',
      'control_run.comment',
    ])
    .where('risk.plan_id', '=', planId)
    .where((eb) => eb.or([eb('control_run.result', 'is not', null), eb('control_run.planned_date', '<', today)]))
    .orderBy('control_run.control_id')
    .orderBy('control_run.occasion')
    .execute()
}

/** The deviations the runs of a plan's controls found, per control in the order of its occasions. */
export async function listDeviationsOfPlan(db: Db, planId: number) {
  return db
    .selectFrom('control_deviation')
    .innerJoin('control_run', 'control_run.id', 'control_deviation.run_id')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .select([
      'control_deviation.id',
      'control_deviation.description',
      'control_deviation.severity',
      'control_deviation.decision',
      'control_deviation.no_measure_reason',
      'control_run.control_id',
      'control_run.occasion',
    ])
    .where('risk.plan_id', '=', planId)
    .orderBy('control_run.control_id')
    .orderBy('control_run.occasion')
    .orderBy('control_deviation.position')
    .execute()
}
