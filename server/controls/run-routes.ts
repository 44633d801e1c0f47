import { type Request, type Response, Router } from 'express'
import type { Db } from '../../db/connection.js'
import type { Services } from '../app.js'
import { actorOf, auditDeviationsGone, auditedTransaction } from '../audit/audited.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, parseForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import type { PlanContext } from '../plans/require-plan.js'
import { localPath } from '../return-path.js'
import { noteSave, type Saved } from '../versioned.js'
import { isOverdue, labelOf, samplings, severities, swedishList } from '../vocabulary.js'
import { decisionOf, runStateOf } from './control-line.js'
import {
  countDeviationsOfRun,
  deleteDeviation,
  findDeviation,
  insertDeviation,
  listDeviationsOfRun,
  measuresOfDeviations,
  nextDeviationPosition,
  updateDeviation,
  updateRun,
} from './repository.js'
import {
  type ControlContext,
  controlBreadcrumbs,
  controlHref,
  type RunContext,
  requireRun,
  runHref,
} from './require-control.js'
import {
  type DeviationForm,
  decisionOptions,
  deviationForm,
  inFieldOrder,
  reportForm,
  resultOptions,
  samplingOptions,
  severityOptions,
} from './run-schema.js'

type Loaded = Awaited<ReturnType<typeof requireRun>>

/** Undoes a deviation's save that left it without Åtgärd krävs while measures name it as their origin. */
class DecisionKept extends Error {
  constructor(readonly measures: { title: string; ownerName: string }[]) {
    super('The measures decided for the deviation keep its decision')
    this.name = 'DecisionKept'
  }
}

/**
 * A measure made for a deviation is its decision that a measure is required: while any names it, the decision
 * stays. Asked of the saved row, in the transaction that saved it, so that a stale form merged with a newer
 * decision, or a measure made meanwhile, is judged as it is stored.
 */
async function keepDecisionOfMeasures(db: Db, deviationId: number) {
  const measures = await measuresOfDeviations(db, [deviationId])
  if (measures.length === 0) return
  const row = await db
    .selectFrom('control_deviation')
    .select('decision')
    .where('id', '=', deviationId)
    .executeTakeFirstOrThrow()
  if (row.decision !== 'measure_required') throw new DecisionKept(measures)
}

/** Numbers and choices of a form are shown as typed: a stored null is an empty field. */
const asField = (value: string | number | null) => (value === null ? '' : String(value))

/**
 * Routes below /planer/:planId/kontroller/:controlId/tillfallen: a run (kontrolltillfälle), its report and its
 * deviations. The control's owner unit reports and records deviations, as does the committee's secretary.
 */
export function runRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })
  const today = () => swedishDate(clock())

  const load = (req: Request, res: Response) => requireRun(db, req.params, res, 'read', clock())

  /** The run, if the signed-in person may report it; the 403 page otherwise. */
  async function loadForReport(req: Request, res: Response) {
    const loaded = await load(req, res)
    authorize(can.reportControl(viewerOf(res), loaded.plan, loaded.control))
    return loaded
  }

  const runBreadcrumbs = (plan: PlanContext, control: ControlContext, run: RunContext) => [
    ...controlBreadcrumbs(plan, control),
    { href: runHref(plan, control, run), text: `Tillfälle ${run.occasion}` },
  ]
  const runTarget = (plan: PlanContext, run: RunContext) =>
    ({ entity: 'control_run', id: run.id, planId: plan.id }) as const

  router.get('/:runId', async (req, res) => {
    const { plan, control, run } = await load(req, res)
    const viewer = viewerOf(res)
    const deviations = await listDeviationsOfRun(db, run.id)
    const href = runHref(plan, control, run)
    const mayReport = can.reportControl(viewer, plan, control)
    const mayDecide = can.editCommittee(viewer, plan)
    const now = today()
    res.render('controls/run', {
      title: `Kontrolltillfälle ${run.occasion}: ${control.title}`,
      breadcrumbs: controlBreadcrumbs(plan, control),
      plan,
      control,
      controlHref: controlHref(plan, control),
      run: {
        ...run,
        state: runStateOf(run, now),
        samplingLabel: run.sampling && labelOf(samplings, run.sampling),
        // A run not performed has no day it was performed on and took no sample.
        performed: run.result === 'no_remarks' || run.result === 'deviations',
      },
      href,
      mayReport,
      mayAddDeviation: mayReport && run.result === 'deviations',
      showDeviations: run.result === 'deviations' || deviations.length > 0,
      deviations: deviations.map((d) => ({
        ...d,
        severityLabel: labelOf(severities, d.severity),
        ...decisionOf(d),
        measures: d.measures.map((m) => ({
          ...m,
          href: `/planer/${plan.id}/atgarder/${m.id}`,
          overdue: isOverdue(m, now),
        })),
        // A measure is made for a deviation that needs one, or before the decision: making it is the decision.
        measureHref:
          mayDecide && d.decision !== 'no_measure' ? `/planer/${plan.id}/atgarder/ny?avvikelse=${d.id}` : null,
      })),
    })
  })

  /**
   * Where the reporter came from (?till=/ from the start page): saving and Avbryt lead back there, also from the
   * deviation form a first report "Med avvikelser" leads on to.
   */
  const returnPath = (req: Request, plan: PlanContext, control: ControlContext, run: RunContext) =>
    localPath(req.query.till, runHref(plan, control, run))

  /** `path` with the return in its query, unless the return is the run's own page (where everything leads anyway). */
  function keepingReturn(req: Request, { plan, control, run }: Loaded, path: string) {
    const back = returnPath(req, plan, control, run)
    return back === runHref(plan, control, run) ? path : `${path}?till=${encodeURIComponent(back)}`
  }

  function reportPage(req: Request, loaded: Loaded) {
    const { plan, control, run } = loaded
    return {
      title: `Rapportera kontrolltillfälle ${run.occasion}: ${control.title}`,
      breadcrumbs: runBreadcrumbs(plan, control, run),
      // The return rides in the action's query, so a 409 page's link back to the form keeps it too.
      action: keepingReturn(req, loaded, `${runHref(plan, control, run)}/rapportera`),
      cancelHref: returnPath(req, plan, control, run),
      control,
      controlHref: controlHref(plan, control),
      run,
      today: today(),
      resultOptions,
      samplingOptions,
    }
  }

  router.get('/:runId/rapportera', async (req, res) => {
    const loaded = await loadForReport(req, res)
    const { run } = loaded
    res.render('controls/report', {
      ...reportPage(req, loaded),
      ...formState({
        result: run.result ?? '',
        not_performed_reason: run.not_performed_reason,
        performed_on: run.performed_on ?? '',
        // Who reports is most often who did it.
        performed_by: run.performed_by || viewerOf(res).name,
        population: run.population,
        population_size: asField(run.population_size),
        sample_size: asField(run.sample_size),
        sampling: run.sampling ?? '',
        checked_count: asField(run.checked_count),
        deviation_count: asField(run.deviation_count),
        comment: run.comment,
        version: run.version,
      }),
    })
  })

  router.post('/:runId/rapportera', async (req, res) => {
    const loaded = await loadForReport(req, res)
    const { plan, control, run } = loaded
    const parsed = parseForm(reportForm(today(), plan.year), req.body)
    const recorded = await countDeviationsOfRun(db, run.id)
    const errors = parsed.ok ? {} : parsed.errors
    // The deviations recorded for the run say it had some: they go first, or the run stays "Med avvikelser".
    if (parsed.ok && parsed.value.result !== 'deviations' && recorded > 0) {
      errors.result = `Tillfället har ${recorded === 1 ? 'en registrerad avvikelse' : `${recorded} registrerade avvikelser`}. Välj Med avvikelser, eller ta bort avvikelserna först.`
    }
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return res.status(400).render('controls/report', {
        ...reportPage(req, loaded),
        ...formState(req.body, inFieldOrder(errors, 'report')),
      })
    }
    const { version, ...report } = parsed.value
    // The schema has already settled what the result keeps (settledReport): a run not performed has no day and no
    // sample, so what an earlier report said goes.
    const changes = {
      ...report,
      // The day of the first report stays the day it was reported.
      ...(run.reported_on === null ? { reported_on: today() } : {}),
    }
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', runTarget(plan, run), (trx) =>
      updateRun(trx, run.id, version, changes),
    )
    if (report.result === 'deviations' && recorded === 0) {
      noteSave(res, 'Rapporten är sparad. Beskriv nu avvikelserna som kontrollen fann.', saved)
      return res.redirect(303, keepingReturn(req, loaded, `${runHref(plan, control, run)}/avvikelser/ny`))
    }
    noteSave(res, 'Rapporten är sparad.', saved)
    res.redirect(303, returnPath(req, plan, control, run))
  })

  /**
   * The deviation form: a new deviation, or `deviation` to edit. Saving and Avbryt lead back to where the reporter
   * came from, as the report form does: a first report "Med avvikelser" from the start page leads on here and back.
   */
  function deviationPage(req: Request, loaded: Loaded, deviation?: { id: number }) {
    const { plan, control, run } = loaded
    const href = runHref(plan, control, run)
    return {
      title: deviation
        ? `Redigera avvikelse vid tillfälle ${run.occasion}`
        : `Ny avvikelse vid tillfälle ${run.occasion}`,
      breadcrumbs: runBreadcrumbs(plan, control, run),
      action: keepingReturn(
        req,
        loaded,
        deviation ? `${href}/avvikelser/${deviation.id}/redigera` : `${href}/avvikelser/ny`,
      ),
      submitLabel: deviation ? 'Spara ändringarna' : 'Lägg till avvikelsen',
      cancelHref: returnPath(req, plan, control, run),
      control,
      controlHref: controlHref(plan, control),
      run,
      severityOptions,
      decisionOptions,
    }
  }

  /** A run reported without deviations cannot have any: the reporter is sent to change its result first. */
  async function loadForDeviations(req: Request, res: Response) {
    const loaded = await loadForReport(req, res)
    if (loaded.run.result === 'deviations') return loaded
    setNotice(res, 'Avvikelser registreras vid ett tillfälle som rapporterats Med avvikelser. Ändra rapporten först.')
    res.redirect(303, keepingReturn(req, loaded, `${runHref(loaded.plan, loaded.control, loaded.run)}/rapportera`))
    return undefined
  }

  // The schema keeps a reason only for a decision of no measure (settledDeviation).
  const deviationValues = ({ description, severity, decision, no_measure_reason }: DeviationForm) => ({
    description,
    severity,
    decision,
    no_measure_reason,
  })

  router.get('/:runId/avvikelser/ny', async (req, res) => {
    const loaded = await loadForDeviations(req, res)
    if (!loaded) return
    res.render('controls/deviation-form', { ...deviationPage(req, loaded), ...formState({ decision: '' }) })
  })

  router.post('/:runId/avvikelser/ny', async (req, res) => {
    const loaded = await loadForDeviations(req, res)
    if (!loaded) return
    const { plan, control, run } = loaded
    const parsed = parseForm(deviationForm, req.body)
    if (!parsed.ok) {
      return res.status(400).render('controls/deviation-form', {
        ...deviationPage(req, loaded),
        ...formState(req.body, inFieldOrder(parsed.errors, 'deviation')),
      })
    }
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'create',
      { entity: 'control_deviation', planId: plan.id },
      async (trx) =>
        insertDeviation(trx, {
          ...deviationValues(parsed.value),
          run_id: run.id,
          position: await nextDeviationPosition(trx, run.id),
        }),
    )
    setNotice(res, 'Avvikelsen är tillagd.')
    res.redirect(303, returnPath(req, plan, control, run))
  })

  async function loadDeviation(req: Request, res: Response) {
    const loaded = await loadForReport(req, res)
    const deviation = await findDeviation(db, loaded.run.id, idFrom(req.params.deviationId, 'Avvikelsen'))
    if (!deviation) throw new NotFoundError('Avvikelsen')
    return { ...loaded, deviation }
  }

  router.get('/:runId/avvikelser/:deviationId/redigera', async (req, res) => {
    const { deviation, ...loaded } = await loadDeviation(req, res)
    res.render('controls/deviation-form', {
      ...deviationPage(req, loaded, deviation),
      ...formState({
        description: deviation.description,
        severity: deviation.severity,
        decision: deviation.decision ?? '',
        no_measure_reason: deviation.no_measure_reason,
        version: deviation.version,
      }),
    })
  })

  router.post('/:runId/avvikelser/:deviationId/redigera', async (req, res) => {
    const { deviation, ...loaded } = await loadDeviation(req, res)
    const { plan, control, run } = loaded
    const parsed = parseForm(deviationForm, req.body)
    const refuse = (errors: FieldErrors) =>
      res.status(400).render('controls/deviation-form', {
        ...deviationPage(req, loaded, deviation),
        ...formState(req.body, inFieldOrder(errors, 'deviation')),
      })
    if (!parsed.ok) return refuse(parsed.errors)
    const target = { entity: 'control_deviation', id: deviation.id, planId: plan.id } as const
    let saved: Saved
    try {
      saved = await auditedTransaction(db, actorOf(res, clock), 'update', target, async (trx) => {
        const saved = await updateDeviation(trx, deviation.id, parsed.value.version, deviationValues(parsed.value))
        await keepDecisionOfMeasures(trx, deviation.id)
        return saved
      })
    } catch (error) {
      if (!(error instanceof DecisionKept)) throw error
      return refuse({
        decision: `Åtgärder har beslutats för avvikelsen: ${swedishList(error.measures.map((m) => `${m.title} (${m.ownerName})`))}. Så länge de finns är beslutet Åtgärd krävs.`,
      })
    }
    noteSave(res, 'Avvikelsen är sparad.', saved)
    res.redirect(303, returnPath(req, plan, control, run))
  })

  router.get('/:runId/avvikelser/:deviationId/ta-bort', async (req, res) => {
    const { deviation, ...loaded } = await loadDeviation(req, res)
    const { plan, control, run } = loaded
    const measures = await measuresOfDeviations(db, [deviation.id])
    res.render('confirm-delete', {
      title: `Ta bort avvikelse vid tillfälle ${run.occasion}`,
      breadcrumbs: runBreadcrumbs(plan, control, run),
      question: `Vill du ta bort avvikelsen ”${deviation.description}”?`,
      kept:
        measures.length > 0
          ? `Åtgärderna som beslutades för avvikelsen finns kvar men visar inte längre avvikelsen som sitt ursprung: ${swedishList(measures.map((m) => `${m.title} (${m.ownerName})`))}.`
          : undefined,
      action: `${runHref(plan, control, run)}/avvikelser/${deviation.id}/ta-bort`,
      cancelHref: runHref(plan, control, run),
    })
  })

  router.post('/:runId/avvikelser/:deviationId/ta-bort', async (req, res) => {
    const { deviation, plan, control, run } = await loadDeviation(req, res)
    const actor = actorOf(res, clock)
    // auditDeviationsGone records the deviation's delete, and the measures that lose it as their origin.
    await db.transaction().execute(async (trx) => {
      await auditDeviationsGone(trx, actor, plan.id, [deviation.id])
      await deleteDeviation(trx, deviation.id)
    })
    setNotice(res, 'Avvikelsen är borttagen.')
    res.redirect(303, runHref(plan, control, run))
  })

  return router
}
