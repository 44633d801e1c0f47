import type { Db } from '../../db/connection.js'
import type { ControlFrequency, Severity } from '../../db/schema.js'
import { insertDeviation, listRunsOfControl, updateRun } from '../../server/controls/repository.js'
import { aControl, aMeasure, demoPlan } from './builders.js'

type Run = Awaited<ReturnType<typeof listRunsOfControl>>[number]

/** Reports a run as a user would: performed with a sample, or not performed with a reason. */
export async function reportRun(
  db: Db,
  run: Run | undefined,
  report:
    | {
        result: 'no_remarks' | 'deviations'
        performedOn: string
        sample?: { population: string; size: number; sample: number; checked: number; deviations: number }
        by?: string
        /** Markdown, as the report form takes it. */
        comment?: string
      }
    | { result: 'not_performed'; reason: string },
) {
  if (!run) throw new Error('no such run')
  await updateRun(
    db,
    run.id,
    run.version,
    report.result === 'not_performed'
      ? { result: 'not_performed', not_performed_reason: report.reason, reported_on: run.planned_date }
      : {
          result: report.result,
          performed_on: report.performedOn,
          reported_on: report.performedOn,
          performed_by: report.by ?? '',
          comment: report.comment ?? '',
          ...(report.sample && {
            population: report.sample.population,
            population_size: report.sample.size,
            sample_size: report.sample.sample,
            sampling: 'random',
            checked_count: report.sample.checked,
            deviation_count: report.sample.deviations,
          }),
        },
  )
}

/** A deviation of a run, decided or not, with the measure decided for it when `measure` names one. */
export async function aDeviation(
  db: Db,
  run: Run | undefined,
  deviation: {
    description: string
    severity: Severity
    decision?: 'measure_required' | 'no_measure'
    reason?: string
    measure?: { riskId: number; ownerUnitId: number; title: string }
  },
) {
  if (!run) throw new Error('no such run')
  const id = await insertDeviation(db, {
    run_id: run.id,
    description: deviation.description,
    severity: deviation.severity,
    decision: deviation.decision ?? null,
    no_measure_reason: deviation.reason ?? '',
    position: 1 + (await db.selectFrom('control_deviation').select('id').where('run_id', '=', run.id).execute()).length,
  })
  if (deviation.measure) {
    const measureId = await aMeasure(db, deviation.measure.riskId, deviation.measure.ownerUnitId, {
      title: deviation.measure.title,
      status: 'in_progress',
    })
    await db.updateTable('measure').set({ origin_deviation_id: id }).where('id', '=', measureId).execute()
  }
  return id
}

/**
 * The demo 2020 plan with three controls whose lights differ on 2020-10-15: a quarterly sample control of the
 * belastningsregister risk (two of four occasions done, each with a comment, the second with two deviations, one
 * of which became a measure; the third overdue: red), a half-yearly document review of the secrecy risk (green)
 * and a monthly control of the same risk whose long table of occasions runs over a page break when the plan is
 * long (yellow), every month with the same comment.
 */
export async function demoPlanWithControls(db: Db) {
  const demo = await demoPlan(db)
  const [secrecy, , , register] = demo.risks
  if (!secrecy || !register) throw new Error('the demo plan has changed')
  const hr = demo.unit('HR-avdelningen')
  const schools = demo.unit('Utbildningsområden')

  const registerControl = await aControl(db, register.id, hr, {
    title: 'Kontroll av utdrag ur belastningsregistret',
    frequency: 'quarterly',
  })
  const registerRuns = await listRunsOfControl(db, registerControl)
  const sample = (size: number, sample: number, deviations: number) => ({
    population: 'Nyanställda under kvartalet',
    size,
    sample,
    checked: sample,
    deviations,
  })
  await reportRun(db, registerRuns[0], {
    result: 'no_remarks',
    performedOn: '2020-04-03',
    sample: sample(118, 20, 0),
    by: 'Eva Ek',
    comment: registerComments[0],
  })
  await reportRun(db, registerRuns[1], {
    result: 'deviations',
    performedOn: '2020-07-02',
    sample: sample(97, 15, 2),
    comment: registerComments[1],
  })
  const [, secondRun] = await listRunsOfControl(db, registerControl)
  const measureTitle = 'Påminna rekryterande chefer om kontrollen av belastningsregistret'
  await aDeviation(db, secondRun, {
    description: 'Två anställningar utan registrerat utdrag före anställningsdagen.',
    severity: 'high',
    decision: 'measure_required',
    measure: { riskId: register.id, ownerUnitId: hr, title: measureTitle },
  })
  await aDeviation(db, secondRun, {
    description: 'Utdraget arkiverades i fel akt.',
    severity: 'low',
    decision: 'no_measure',
    reason: 'Rättat direkt av HR-administratören.',
  })

  const reviewControl = await aControl(db, secrecy.id, schools, {
    title: 'Genomgång av sekretessmarkeringar i elevakter',
    frequency: 'half_yearly',
  })
  await db.updateTable('control').set({ method: 'document_review' }).where('id', '=', reviewControl).execute()
  const reviewRuns = await listRunsOfControl(db, reviewControl)
  await reportRun(db, reviewRuns[0], { result: 'no_remarks', performedOn: '2020-06-22' })

  const monthly = await monthlyControl(db, secrecy.id, schools, 'Avstämning av behörigheter i elevregistret', {
    until: 9,
    deviationsIn: [5],
    comment: monthlyComment,
  })
  return { ...demo, registerControl, reviewControl, monthly, measureTitle, register, secrecy, hr, schools }
}

/** The comments of demoPlanWithControls's register control's two reported runs, and its monthly control's. */
export const registerComments = [
  'Alla utdrag i urvalet var **visade före** anställningsdagen.',
  'Två anställningar saknade utdrag:\n\n- en lärare i maj\n- en elevassistent i juni',
] as const
export const monthlyComment = 'Behörighetslistan stämdes av mot personalsystemet.'

/** A monthly control with its first `until` months reported, those in `deviationsIn` with a deviation each. */
export async function monthlyControl(
  db: Db,
  riskId: number,
  ownerUnitId: number,
  title: string,
  {
    until,
    deviationsIn = [],
    frequency = 'monthly',
    comment,
  }: { until: number; deviationsIn?: number[]; frequency?: ControlFrequency; comment?: string },
) {
  const id = await aControl(db, riskId, ownerUnitId, { title, frequency })
  await db.updateTable('control').set({ method: 'reconciliation' }).where('id', '=', id).execute()
  for (const run of (await listRunsOfControl(db, id)).slice(0, until)) {
    const deviating = deviationsIn.includes(run.occasion)
    await reportRun(db, run, {
      result: deviating ? 'deviations' : 'no_remarks',
      performedOn: run.planned_date,
      sample: {
        population: 'Aktiva behörigheter',
        size: 240 + run.occasion,
        sample: 25,
        checked: 25,
        deviations: deviating ? 1 : 0,
      },
      comment,
    })
    if (deviating) {
      const [reported] = (await listRunsOfControl(db, id)).filter((r) => r.id === run.id)
      await aDeviation(db, reported, {
        description: `Behörighet kvar för en person som slutat (månad ${run.occasion}).`,
        severity: 'medium',
      })
    }
  }
  return id
}
