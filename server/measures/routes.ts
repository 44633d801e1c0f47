import { type Request, type Response, Router } from 'express'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction, unlinkAreas, unlinkLaterYears } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, parseForm, validateForm } from '../forms.js'
import { idFrom, optionalId } from '../ids.js'
import { findAreaWithInspection, listAreasOfMeasure, listCommitteeAreas } from '../inspections/repository.js'
import { areaLink, areaOriginLabel } from '../inspections/view-model.js'
import { moveRow } from '../move-row.js'
import { carryOverLinks } from '../next-year/repository.js'
import { setNotice } from '../notice.js'
import { nextPosition } from '../ordering.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { localPath } from '../return-path.js'
import { listReviews } from '../reviews/repository.js'
import { findRisk, listRisks } from '../risks/repository.js'
import { noteSave } from '../versioned.js'
import { isOverdue, labelOf, measureStatuses } from '../vocabulary.js'
import {
  deleteMeasure,
  findMeasure,
  insertMeasure,
  listMeasuresOfPlan,
  listOwnerUnits,
  listStatusChanges,
  updateMeasure,
} from './repository.js'
import { type MeasureForm, measureFilter, measureForm, sortOrders, statusOptions, updateForm } from './schema.js'
import { filterMeasures } from './view-model.js'

type MeasureContext = NonNullable<Awaited<ReturnType<typeof findMeasure>>>

/** Routes below /planer/:planId for measures: new ones are made from a risk, the rest live at /atgarder/:id. */
export function measureRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })
  const now = () => clock().toISOString()

  async function load(req: Request, res: Response, access: 'read' | 'edit') {
    const plan = await requirePlan(db, req.params, res, access)
    const measure = await findMeasure(db, plan.id, idFrom(req.params.measureId, 'Åtgärden'))
    if (!measure) throw new NotFoundError('Åtgärden')
    return { plan, measure }
  }

  const target = (plan: PlanContext, measure: { id: number }) =>
    ({ entity: 'measure', id: measure.id, planId: plan.id }) as const

  const measureHref = (plan: PlanContext, measure: { id: number }) => `/planer/${plan.id}/atgarder/${measure.id}`
  const measureBreadcrumbs = (plan: PlanContext, measure: MeasureContext) => [
    ...planBreadcrumbs(plan),
    { href: `/planer/${plan.id}/risker/${measure.risk_id}`, text: `Risk: ${measure.riskTitle}` },
  ]

  async function renderForm(res: Response, plan: PlanContext, locals: object, status = 200) {
    const [risks, units, areas] = await Promise.all([
      listRisks(db, plan.id),
      listOwnerUnits(db, plan.administrationId),
      listCommitteeAreas(db, plan.committee_id),
    ])
    res.status(status).render('measures/form', {
      ...locals,
      riskOptions: risks.map((r) => ({ value: r.id, label: r.title })),
      ownerOptions: units.map((u) => ({ value: u.id, label: u.name })),
      originOptions: areas.map((a) => ({ value: a.id, label: areaOriginLabel(a) })),
      statusOptions,
    })
  }

  /** The chosen risk, owner unit and origin must belong to this plan, its administration and its committee. */
  async function checkChoices(plan: PlanContext, value: MeasureForm): Promise<FieldErrors> {
    const [risks, units, areas] = await Promise.all([
      listRisks(db, plan.id),
      listOwnerUnits(db, plan.administrationId),
      listCommitteeAreas(db, plan.committee_id),
    ])
    const errors: FieldErrors = {}
    if (!risks.some((r) => r.id === value.riskId)) errors.riskId = 'Välj en risk i listan.'
    if (!units.some((u) => u.id === value.ownerUnitId)) errors.ownerUnitId = 'Välj en ansvarig enhet i listan.'
    if (value.originAreaId !== null && !areas.some((a) => a.id === value.originAreaId)) {
      errors.originAreaId = 'Välj ett utvecklingsområde i listan.'
    }
    return errors
  }

  const toRow = (v: MeasureForm) => ({
    risk_id: v.riskId,
    title: v.title,
    what_to_do: v.whatToDo,
    progress: v.progress,
    owner_unit_id: v.ownerUnitId,
    responsible_person: v.responsiblePerson,
    due_date: v.dueDate,
    status: v.status,
    origin_area_id: v.originAreaId,
  })

  /** The risk the user came from is preselected, and "Avbryt" leads back to it, also after a failed post. */
  async function newMeasurePage(plan: PlanContext, rawRiskId: unknown) {
    const riskId = optionalId(rawRiskId)
    const risk = riskId === undefined ? undefined : await findRisk(db, plan.id, riskId)
    return {
      title: 'Ny förbättringsåtgärd',
      breadcrumbs: planBreadcrumbs(plan),
      action: `/planer/${plan.id}/atgarder/ny`,
      submitLabel: 'Lägg till åtgärden',
      riskId: risk?.id ?? '',
      cancelHref: risk ? `/planer/${plan.id}/risker/${risk.id}` : `/planer/${plan.id}`,
    }
  }
  const editMeasurePage = (plan: PlanContext, measure: MeasureContext) => ({
    title: `Redigera åtgärd: ${measure.title}`,
    breadcrumbs: measureBreadcrumbs(plan, measure),
    action: `${measureHref(plan, measure)}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: measureHref(plan, measure),
  })

  router.get('/atgarder', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const [measures, units] = await Promise.all([
      listMeasuresOfPlan(db, plan.id),
      listOwnerUnits(db, plan.administrationId),
    ])
    const parsed = parseForm(measureFilter(units.map((u) => u.id)), req.query)
    const shown = parsed.ok ? filterMeasures(measures, parsed.value, swedishDate(clock())) : []
    res.status(parsed.ok ? 200 : 400).render('measures/index', {
      title: `Förbättringsåtgärder i ${plan.title}`,
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      statusOptions,
      unitOptions: units.map((u) => ({ value: u.id, label: u.name })),
      sortOptions: sortOrders.map((o) => ({ value: o.code, label: o.label })),
      filtered: parsed.ok,
      measures: shown,
      total: measures.length,
      // The form shows what was asked for, also when part of it was not valid.
      ...formState(req.query, parsed.ok ? {} : parsed.errors),
    })
  })

  router.get('/atgarder/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const page = await newMeasurePage(plan, req.query.risk)
    // "Ny åtgärd härifrån" on a development area's page names the area as the origin.
    const originAreaId = typeof req.query.ursprung === 'string' ? req.query.ursprung : ''
    await renderForm(res, plan, {
      ...page,
      ...formState({ riskId: page.riskId, status: 'not_started', originAreaId }),
    })
  })

  router.post('/atgarder/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = await validateForm(measureForm, req.body, (value) => checkChoices(plan, value))
    if (!parsed.ok) {
      const page = await newMeasurePage(plan, req.body.riskId)
      return renderForm(res, plan, { ...page, ...formState(req.body, parsed.errors) }, 400)
    }
    const row = toRow(parsed.value)
    const id = await auditedTransaction(
      db,
      actorOf(res, clock),
      'create',
      { entity: 'measure', planId: plan.id },
      async (trx) => insertMeasure(trx, { ...row, position: await nextPosition(trx, 'measure', row.risk_id) }, now()),
    )
    setNotice(res, 'Åtgärden är tillagd.')
    res.redirect(303, `/planer/${plan.id}/atgarder/${id}`)
  })

  router.get('/atgarder/:measureId', async (req, res) => {
    const { plan, measure } = await load(req, res, 'read')
    const [history, recordHistory, origin, linkedAreas, reviews, years] = await Promise.all([
      listStatusChanges(db, measure.id),
      historyOf(db, 'measure', measure.id),
      measure.origin_area_id === null ? undefined : findAreaWithInspection(db, measure.origin_area_id),
      listAreasOfMeasure(db, measure.id),
      listReviews(db, plan.id),
      carryOverLinks(db, measure),
    ])
    res.render('measures/show', {
      title: `Åtgärd: ${measure.title}`,
      breadcrumbs: measureBreadcrumbs(plan, measure),
      plan,
      measure: { ...measure, overdue: isOverdue(measure, swedishDate(clock())) },
      history: history.map((h) => ({
        ...h,
        fromLabel: h.from_status ? labelOf(measureStatuses, h.from_status) : null,
        toLabel: labelOf(measureStatuses, h.to_status),
      })),
      // The status changes in one place, the update form, beside the progress it reports.
      mayUpdate: can.updateMeasure(viewerOf(res), plan, measure),
      // Where the measure came from: a development area of an external inspection, or the plan's own reviews.
      origin: origin && areaLink(origin),
      riskReviews: reviews.filter((r) => r.risk_id === measure.risk_id).map((r) => r.diary_number),
      linkedAreas: linkedAreas.filter((a) => a.id !== measure.origin_area_id).map(areaLink),
      recordHistory,
      ...years,
    })
  })

  /** A measure's owner unit (ansvarig) and the committee's secretary may report on it. */
  async function loadForUpdate(req: Request, res: Response) {
    const loaded = await load(req, res, 'read')
    authorize(can.updateMeasure(viewerOf(res), loaded.plan, loaded.measure))
    return loaded
  }

  /** Where the owner came from (?till=/ from the start page's "Mina åtgärder"): saving and Avbryt lead back there. */
  const returnPath = (req: Request, plan: PlanContext, measure: MeasureContext) =>
    localPath(req.query.till, measureHref(plan, measure))

  const updatePage = (req: Request, plan: PlanContext, measure: MeasureContext) => {
    const back = returnPath(req, plan, measure)
    const action = `${measureHref(plan, measure)}/uppdatera`
    return {
      title: `Uppdatera åtgärd: ${measure.title}`,
      breadcrumbs: measureBreadcrumbs(plan, measure),
      // The return rides in the action's query, so a 409 page's link back to the form keeps it too.
      action: back === measureHref(plan, measure) ? action : `${action}?till=${encodeURIComponent(back)}`,
      cancelHref: back,
      plan,
      measure,
      statusOptions,
    }
  }

  router.get('/atgarder/:measureId/uppdatera', async (req, res) => {
    const { plan, measure } = await loadForUpdate(req, res)
    res.render('measures/update', {
      ...updatePage(req, plan, measure),
      ...formState({
        status: measure.status,
        progress: measure.progress,
        dueDate: measure.due_date ?? '',
        version: measure.version,
      }),
    })
  })

  router.post('/atgarder/:measureId/uppdatera', async (req, res) => {
    const { plan, measure } = await loadForUpdate(req, res)
    const parsed = parseForm(updateForm, req.body)
    if (!parsed.ok) {
      return res
        .status(400)
        .render('measures/update', { ...updatePage(req, plan, measure), ...formState(req.body, parsed.errors) })
    }
    const { status, progress, dueDate } = parsed.value
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', target(plan, measure), (trx) =>
      updateMeasure(trx, measure.id, parsed.value.version, { status, progress, due_date: dueDate }, now()),
    )
    noteSave(res, 'Åtgärden är sparad.', saved)
    res.redirect(303, returnPath(req, plan, measure))
  })

  router.get('/atgarder/:measureId/redigera', async (req, res) => {
    const { plan, measure } = await load(req, res, 'edit')
    await renderForm(res, plan, {
      ...editMeasurePage(plan, measure),
      ...formState({
        riskId: measure.risk_id,
        title: measure.title,
        whatToDo: measure.what_to_do,
        progress: measure.progress,
        ownerUnitId: measure.owner_unit_id,
        responsiblePerson: measure.responsible_person,
        dueDate: measure.due_date ?? '',
        status: measure.status,
        originAreaId: measure.origin_area_id ?? '',
        version: measure.version,
      }),
    })
  })

  router.post('/atgarder/:measureId/redigera', async (req, res) => {
    const { plan, measure } = await load(req, res, 'edit')
    const parsed = await validateForm(measureForm, req.body, (value) => checkChoices(plan, value))
    if (!parsed.ok) {
      return renderForm(res, plan, { ...editMeasurePage(plan, measure), ...formState(req.body, parsed.errors) }, 400)
    }
    const row = toRow(parsed.value)
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', target(plan, measure), async (trx) => {
      // A measure moved to another risk goes last there.
      const position =
        row.risk_id === measure.risk_id ? measure.position : await nextPosition(trx, 'measure', row.risk_id)
      return updateMeasure(trx, measure.id, parsed.value.version, { ...row, position }, now())
    })
    noteSave(res, 'Åtgärden är sparad.', saved)
    res.redirect(303, measureHref(plan, measure))
  })

  router.get('/atgarder/:measureId/ta-bort', async (req, res) => {
    const { plan, measure } = await load(req, res, 'edit')
    res.render('confirm-delete', {
      title: `Ta bort åtgärd: ${measure.title}`,
      breadcrumbs: measureBreadcrumbs(plan, measure),
      question: `Vill du ta bort åtgärden ”${measure.title}” (${measure.ownerName})?`,
      consequences: ['Åtgärdens statushistorik'],
      action: `${measureHref(plan, measure)}/ta-bort`,
      cancelHref: measureHref(plan, measure),
    })
  })

  router.post('/atgarder/:measureId/ta-bort', async (req, res) => {
    const { plan, measure } = await load(req, res, 'edit')
    const actor = actorOf(res, clock)
    await auditedTransaction(db, actor, 'delete', target(plan, measure), async (trx) => {
      const deleted = { riskIds: [], measureIds: [measure.id] }
      await unlinkAreas(trx, actor, deleted)
      await unlinkLaterYears(trx, actor, deleted)
      await deleteMeasure(trx, measure.id)
    })
    setNotice(res, 'Åtgärden är borttagen.')
    res.redirect(303, `/planer/${plan.id}/risker/${measure.risk_id}`)
  })

  router.post('/atgarder/:measureId/flytta', async (req, res) => {
    const { plan, measure } = await load(req, res, 'edit')
    const row = { table: 'measure', id: measure.id, planId: plan.id } as const
    await moveRow(db, res, actorOf(res, clock), row, req.body.direction, `/planer/${plan.id}/risker/${measure.risk_id}`)
  })

  return router
}
