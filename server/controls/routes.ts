import { type Response, Router } from 'express'
import plural from '../../views/helpers/plural.js'
import type { Services } from '../app.js'
import { actorOf, auditControlsGone, auditedTransaction } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { swedishDate } from '../dates.js'
import { type FieldErrors, formState, parseForm, validateForm } from '../forms.js'
import { optionalId } from '../ids.js'
import { listOwnerUnits } from '../measures/repository.js'
import { moveRow } from '../move-row.js'
import { controlsSinceLastYear } from '../next-year/repository.js'
import { setNotice } from '../notice.js'
import { nextPosition } from '../ordering.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { findRisk, listRisks } from '../risks/repository.js'
import { noteSave, type Saved } from '../versioned.js'
import { controlFrequencies, isOverdue, labelOf, samplings, severities, swedishList } from '../vocabulary.js'
import { controlLabels, decisionOf, runStateOf } from './control-line.js'
import {
  deleteControl,
  listControlsOfPlan,
  listDeviationsOfControl,
  listRunsOfControl,
  reportedBeyond,
  updateRun,
} from './repository.js'
import {
  type ControlContext,
  controlBreadcrumbs,
  controlHref,
  controlsHref,
  type RunContext,
  requireControl,
  requireRun,
  runHref,
} from './require-control.js'
import {
  type ControlForm,
  controlFilter,
  controlForm,
  controlFormOptions,
  inFormOrder,
  lightOptions,
  moveDateForm,
  reportedToChoices,
} from './schema.js'
import { lights } from './traffic-light.js'
import { changeControl, createControl } from './write.js'

type Run = Awaited<ReturnType<typeof listRunsOfControl>>[number]
type Beyond = Awaited<ReturnType<typeof reportedBeyond>>

/** A reported run's sample in one line: "25 av 340, slumpmässigt urval; 25 kontrollerade, 2 med avvikelser". */
function sampleText(run: Run): string {
  // A run not performed took no sample; its report keeps no figures.
  if (run.result === null || run.result === 'not_performed') return ''
  const size =
    run.sample_size !== null && run.population_size !== null
      ? `${run.sample_size} av ${run.population_size}`
      : run.sample_size !== null
        ? `urval ${run.sample_size}`
        : run.population_size !== null
          ? `population ${run.population_size}`
          : ''
  const how = run.sampling ? `${labelOf(samplings, run.sampling).toLocaleLowerCase('sv-SE')} urval` : ''
  const counts = [
    run.checked_count === null ? '' : `${run.checked_count} kontrollerade`,
    run.deviation_count === null ? '' : `${run.deviation_count} med avvikelser`,
  ].filter(Boolean)
  return [[size, how].filter(Boolean).join(', '), counts.join(', ')].filter(Boolean).join('; ')
}

/** Controls in report order under their risks, in the same order; risks without controls are left out. */
function byRisk<C extends { risk_id: number; riskTitle: string }>(controls: C[]) {
  const risks = new Map<number, { id: number; title: string; controls: C[] }>()
  for (const c of controls) {
    const risk = risks.get(c.risk_id) ?? { id: c.risk_id, title: c.riskTitle, controls: [] }
    risk.controls.push(c)
    risks.set(c.risk_id, risk)
  }
  return [...risks.values()]
}

/** "tillfälle 4 (planerat 2020-04-30)": the reported occasions a new frequency would leave without a place. */
const occasionsText = (runs: { occasion: number; planned_date: string }[]) =>
  swedishList(runs.map((r) => `tillfälle ${r.occasion} (planerat ${r.planned_date})`))

/** Routes below /planer/:planId/kontroller: the secretary plans a plan's controls; its readers follow them. */
export function controlRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })
  const today = () => swedishDate(clock())

  async function renderForm(res: Response, plan: PlanContext, locals: object, status = 200) {
    const [risks, units] = await Promise.all([listRisks(db, plan.id), listOwnerUnits(db, plan.administrationId)])
    res.status(status).render('controls/form', {
      ...locals,
      ...controlFormOptions,
      reportedToOptions: reportedToChoices(plan.committeeKind),
      riskOptions: risks.map((r) => ({ value: r.id, label: r.title })),
      ownerOptions: units.map((u) => ({ value: u.id, label: u.name })),
    })
  }

  /** The chosen risk and owner unit must belong to this plan and its administration. */
  async function checkChoices(plan: PlanContext, value: ControlForm): Promise<FieldErrors> {
    const [risk, units] = await Promise.all([
      findRisk(db, plan.id, value.riskId),
      listOwnerUnits(db, plan.administrationId),
    ])
    const errors: FieldErrors = {}
    if (!risk) errors.riskId = 'Välj en risk i listan.'
    if (!units.some((u) => u.id === value.ownerUnitId)) errors.ownerUnitId = 'Välj en ansvarig enhet i listan.'
    return errors
  }

  const toRow = (v: ControlForm) => ({
    risk_id: v.riskId,
    title: v.title,
    what_is_checked: v.whatIsChecked,
    method: v.method,
    method_own: v.methodOwn,
    frequency: v.frequency,
    owner_unit_id: v.ownerUnitId,
    responsible_person: v.responsiblePerson,
    reported_to: v.reportedTo,
  })

  /** The risk the secretary came from is preselected, and "Avbryt" leads back to it, also after a failed post. */
  async function newControlPage(plan: PlanContext, rawRiskId: unknown) {
    const riskId = optionalId(rawRiskId)
    const risk = riskId === undefined ? undefined : await findRisk(db, plan.id, riskId)
    return {
      title: 'Nytt kontrollmoment',
      breadcrumbs: controlBreadcrumbs(plan),
      action: `${controlsHref(plan)}/ny`,
      submitLabel: 'Lägg till kontrollmomentet',
      riskId: risk?.id ?? '',
      isNew: true,
      cancelHref: risk ? `/planer/${plan.id}/risker/${risk.id}` : controlsHref(plan),
    }
  }
  const editControlPage = (plan: PlanContext, control: ControlContext) => ({
    title: `Redigera kontrollmoment: ${control.title}`,
    breadcrumbs: controlBreadcrumbs(plan, control),
    action: `${controlHref(plan, control)}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: controlHref(plan, control),
  })

  router.get('/', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const parsed = parseForm(controlFilter, req.query)
    const light = parsed.ok ? parsed.value.ljus : undefined
    const [controls, since] = parsed.ok
      ? await Promise.all([listControlsOfPlan(db, plan.id, today(), light), controlsSinceLastYear(db, plan)])
      : [[], []]
    const sinceOf = new Map(since.map((c) => [c.id, c.since]))
    res.status(parsed.ok ? 200 : 400).render('controls/index', {
      title: `Kontrollmoment i ${plan.title}`,
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      lightOptions,
      light: light && lights[light],
      filtered: parsed.ok,
      risks: byRisk(controls.map((c) => ({ ...c, ...controlLabels(c, plan.committeeKind), since: sinceOf.get(c.id) }))),
      ...formState(req.query, parsed.ok ? {} : parsed.errors),
    })
  })

  router.get('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const page = await newControlPage(plan, req.query.risk)
    await renderForm(res, plan, { ...page, ...formState({ riskId: page.riskId }) })
  })

  router.post('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = await validateForm(controlForm, req.body, (value) => checkChoices(plan, value))
    if (!parsed.ok) {
      const page = await newControlPage(plan, req.body.riskId)
      return renderForm(res, plan, { ...page, ...formState(req.body, inFormOrder(parsed.errors)) }, 400)
    }
    const row = toRow(parsed.value)
    const actor = actorOf(res, clock)
    // createControl records the control and each of its occasions in the log itself.
    const id = await db
      .transaction()
      .execute(async (trx) =>
        createControl(trx, actor, plan, { ...row, position: await nextPosition(trx, 'control', row.risk_id) }),
      )
    setNotice(res, 'Kontrollmomentet är tillagt.')
    res.redirect(303, controlHref(plan, { id }))
  })

  router.get('/:controlId', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'read', clock())
    const [runs, deviations, recordHistory] = await Promise.all([
      listRunsOfControl(db, control.id),
      listDeviationsOfControl(db, control.id),
      historyOf(db, 'control', control.id),
    ])
    const day = today()
    res.render('controls/show', {
      title: `Kontrollmoment: ${control.title}`,
      breadcrumbs: controlBreadcrumbs(plan),
      plan,
      control: { ...control, ...controlLabels(control, plan.committeeKind) },
      href: controlHref(plan, control),
      runs: runs.map((run) => ({
        ...run,
        href: runHref(plan, control, run),
        state: runStateOf(run, day),
        // A run not performed has no day it was performed on, whatever an older report stored.
        performedOn: run.result === 'no_remarks' || run.result === 'deviations' ? run.performed_on : null,
        sample: sampleText(run),
        recordedDeviations: Number(run.recordedDeviations ?? 0),
      })),
      deviations: deviations.map((d) => ({
        ...d,
        runHref: runHref(plan, control, { id: d.run_id }),
        severityLabel: labelOf(severities, d.severity),
        ...decisionOf(d),
        measures: d.measures.map((m) => ({
          ...m,
          href: `/planer/${plan.id}/atgarder/${m.id}`,
          overdue: isOverdue(m, day),
        })),
      })),
      recordHistory,
    })
  })

  router.get('/:controlId/redigera', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'edit', clock())
    await renderForm(res, plan, {
      ...editControlPage(plan, control),
      ...formState({
        riskId: control.risk_id,
        title: control.title,
        whatIsChecked: control.what_is_checked,
        method: control.method,
        methodOwn: control.method_own,
        frequency: control.frequency,
        ownerUnitId: control.owner_unit_id,
        responsiblePerson: control.responsible_person,
        reportedTo: control.reported_to,
        version: control.version,
      }),
    })
  })

  router.post('/:controlId/redigera', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'edit', clock())
    const parsed = await validateForm(controlForm, req.body, (value) => checkChoices(plan, value))
    const refuse = (errors: FieldErrors) =>
      renderForm(res, plan, { ...editControlPage(plan, control), ...formState(req.body, inFormOrder(errors)) }, 400)
    if (!parsed.ok) return refuse(parsed.errors)
    const row = toRow(parsed.value)
    const actor = actorOf(res, clock)
    // Asked inside the transaction that saves, so that a run reported meanwhile is not dropped with its occasion.
    const outcome = await db.transaction().execute(async (trx): Promise<{ beyond: Beyond } | { saved: Saved }> => {
      const beyond =
        row.frequency === control.frequency ? [] : await reportedBeyond(trx, control.id, row.frequency, plan.year)
      if (beyond.length > 0) return { beyond }
      // A control moved to another risk goes last there.
      const position =
        row.risk_id === control.risk_id ? control.position : await nextPosition(trx, 'control', row.risk_id)
      return { saved: await changeControl(trx, actor, plan, control.id, parsed.value.version, { ...row, position }) }
    })
    if ('beyond' in outcome) {
      const frequency = labelOf(controlFrequencies, row.frequency).toLocaleLowerCase('sv-SE')
      return refuse({
        frequency: `Kontrollen kan inte göras ${frequency}: ${occasionsText(outcome.beyond)} är redan ${outcome.beyond.length === 1 ? 'rapporterat' : 'rapporterade'} och skulle inte längre få plats. Välj en frekvens med fler tillfällen.`,
      })
    }
    noteSave(res, 'Kontrollmomentet är sparat.', outcome.saved)
    res.redirect(303, controlHref(plan, control))
  })

  router.get('/:controlId/ta-bort', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'edit', clock())
    const [runs, deviations] = await Promise.all([
      listRunsOfControl(db, control.id),
      listDeviationsOfControl(db, control.id),
    ])
    const reported = runs.filter((r) => r.result !== null).length
    const measures = deviations.flatMap((d) => d.measures)
    res.render('confirm-delete', {
      title: `Ta bort kontrollmoment: ${control.title}`,
      breadcrumbs: controlBreadcrumbs(plan, control),
      question: `Vill du ta bort kontrollmomentet ”${control.title}” (${control.ownerName})?`,
      consequences: [
        `Kontrollmomentets ${plural(runs.length, 'tillfälle', 'tillfällen')}${reported === 0 ? '' : `, varav ${reported} ${reported === 1 ? 'rapporterat' : 'rapporterade'} med resultat och stickprov`}`,
        ...(deviations.length > 0
          ? [`${plural(deviations.length, 'avvikelse', 'avvikelser')} som tillfällena hittade`]
          : []),
      ],
      kept:
        measures.length > 0
          ? `Åtgärder som beslutats för avvikelserna finns kvar men kopplas bort från dem: ${swedishList(measures.map((m) => `${m.title} (${m.ownerName})`))}.`
          : undefined,
      action: `${controlHref(plan, control)}/ta-bort`,
      cancelHref: controlHref(plan, control),
    })
  })

  router.post('/:controlId/ta-bort', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'edit', clock())
    const actor = actorOf(res, clock)
    const target = { entity: 'control', id: control.id, planId: plan.id } as const
    await auditedTransaction(db, actor, 'delete', target, async (trx) => {
      await auditControlsGone(trx, actor, plan.id, [control.id])
      await deleteControl(trx, control.id)
    })
    setNotice(res, 'Kontrollmomentet är borttaget.')
    res.redirect(303, `/planer/${plan.id}/risker/${control.risk_id}`)
  })

  router.post('/:controlId/flytta', async (req, res) => {
    const { plan, control } = await requireControl(db, req.params, res, 'edit', clock())
    const row = { table: 'control', id: control.id, planId: plan.id } as const
    await moveRow(db, res, actorOf(res, clock), row, req.body.direction, `/planer/${plan.id}/risker/${control.risk_id}`)
  })

  const moveDatePage = (plan: PlanContext, control: ControlContext, run: RunContext) => ({
    title: `Flytta tillfälle ${run.occasion}: ${control.title}`,
    breadcrumbs: controlBreadcrumbs(plan, control),
    action: `${runHref(plan, control, run)}/datum`,
    cancelHref: controlHref(plan, control),
    control,
    run,
  })

  router.get('/:controlId/tillfallen/:runId/datum', async (req, res) => {
    const { plan, control, run } = await requireRun(db, req.params, res, 'edit', clock())
    res.render('controls/move-date', {
      ...moveDatePage(plan, control, run),
      ...formState({ plannedDate: run.planned_date, version: run.version }),
    })
  })

  router.post('/:controlId/tillfallen/:runId/datum', async (req, res) => {
    const { plan, control, run } = await requireRun(db, req.params, res, 'edit', clock())
    const parsed = parseForm(moveDateForm, req.body)
    const errors = parsed.ok ? {} : parsed.errors
    // An occasion belongs to its plan's year: the year's report follows it up, and next year's plan has its own.
    if (parsed.ok && !parsed.value.plannedDate.startsWith(`${plan.year}-`)) {
      errors.plannedDate = `Välj ett datum i planens år, ${plan.year}.`
    }
    if (!parsed.ok || Object.keys(errors).length > 0) {
      return res
        .status(400)
        .render('controls/move-date', { ...moveDatePage(plan, control, run), ...formState(req.body, errors) })
    }
    const target = { entity: 'control_run', id: run.id, planId: plan.id } as const
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', target, (trx) =>
      updateRun(trx, run.id, parsed.value.version, { planned_date: parsed.value.plannedDate }),
    )
    noteSave(res, `Tillfälle ${run.occasion} är planerat till ${parsed.value.plannedDate}.`, saved)
    res.redirect(303, controlHref(plan, control))
  })

  return router
}
