import { type Request, type Response, Router } from 'express'
import type { Db } from '../../db/connection.js'
import type { Services } from '../app.js'
import { actorOf, audited, auditedTransaction, unlinkAreas, unlinkLaterYears } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import type { Actor } from '../audit/repository.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { deviationOriginText } from '../controls/control-line.js'
import { findDeviationInPlan, updateDeviation } from '../controls/repository.js'
import { runHref } from '../controls/require-control.js'
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

/** Why no measure is made for a deviation decided "Ingen åtgärd": the run's page, the form and its save say it. */
const noMeasureDecided =
  'Avvikelsen har beslutet Ingen åtgärd, så ingen åtgärd görs för den. Ändra beslutet på kontrolltillfällets sida om avvikelsen ändå kräver en åtgärd.'

/** Undoes a new measure's save: its deviation was decided "Ingen åtgärd" after the form was checked. */
class NoMeasureDecided extends Error {
  constructor() {
    super(noMeasureDecided)
    this.name = 'NoMeasureDecided'
  }
}

type MeasureContext = NonNullable<Awaited<ReturnType<typeof findMeasure>>>

/** A measure's title from a deviation's description: its first line, cut at a word if it is long. */
function titleFromDeviation(description: string, max = 100): string {
  const line =
    description
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  if (line.length <= max) return line
  const cut = line.slice(0, max - 1)
  const word = cut.lastIndexOf(' ')
  return `${(word > max / 2 ? cut.slice(0, word) : cut).replace(/[\s,.;:–-]+$/, '')}…`
}

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

  /** A deviation found by one of the plan's controls, as a measure made for it names its origin; undefined if none. */
  async function originDeviation(plan: PlanContext, id: number | null | undefined) {
    if (id === null || id === undefined) return undefined
    const deviation = await findDeviationInPlan(db, plan.id, id)
    return (
      deviation && {
        ...deviation,
        href: runHref(plan, { id: deviation.controlId }, { id: deviation.run_id }),
        text: deviationOriginText(deviation),
      }
    )
  }

  /**
   * Making a measure for a deviation not yet decided is the decision that it needs one, in the log as such. One
   * decided "Ingen åtgärd" meanwhile (the form checked it before) undoes the measure's save: NoMeasureDecided.
   */
  async function decideMeasureRequired(trx: Db, actor: Actor, plan: PlanContext, deviationId: number) {
    const deviation = await trx
      .selectFrom('control_deviation')
      .select(['decision', 'version'])
      .where('id', '=', deviationId)
      .executeTakeFirstOrThrow()
    if (deviation.decision === 'no_measure') throw new NoMeasureDecided()
    if (deviation.decision !== null) return false
    await audited(trx, actor, 'update', { entity: 'control_deviation', id: deviationId, planId: plan.id }, () =>
      updateDeviation(trx, deviationId, deviation.version, { decision: 'measure_required' }),
    )
    return true
  }

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
    if (value.originDeviationId !== null) {
      const deviation = await findDeviationInPlan(db, plan.id, value.originDeviationId)
      if (!deviation) {
        errors.originDeviationId = 'Avvikelsen finns inte i planen. Skapa åtgärden från kontrolltillfällets sida.'
      } else if (deviation.decision === 'no_measure') {
        errors.originDeviationId = noMeasureDecided
      }
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

  /**
   * The risk the user came from is preselected, and "Avbryt" leads back to it, also after a failed post; a measure
   * made for a deviation says so, and "Avbryt" leads back to the run that found it.
   */
  async function newMeasurePage(plan: PlanContext, rawRiskId: unknown, deviation?: { href: string }) {
    const riskId = optionalId(rawRiskId)
    const risk = riskId === undefined ? undefined : await findRisk(db, plan.id, riskId)
    return {
      title: 'Ny förbättringsåtgärd',
      breadcrumbs: planBreadcrumbs(plan),
      action: `/planer/${plan.id}/atgarder/ny`,
      submitLabel: 'Lägg till åtgärden',
      riskId: risk?.id ?? '',
      deviation,
      cancelHref: deviation ? deviation.href : risk ? `/planer/${plan.id}/risker/${risk.id}` : `/planer/${plan.id}`,
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
    if (req.query.avvikelse !== undefined) return newMeasureForDeviation(req, res, plan)
    const page = await newMeasurePage(plan, req.query.risk)
    // "Ny åtgärd härifrån" on a development area's page names the area as the origin.
    const originAreaId = typeof req.query.ursprung === 'string' ? req.query.ursprung : ''
    await renderForm(res, plan, {
      ...page,
      ...formState({ riskId: page.riskId, status: 'not_started', originAreaId }),
    })
  })

  /**
   * "Skapa åtgärd från avvikelsen" on a run's page (?avvikelse=ID): the measure is prefilled from the deviation and
   * its control — the control's risk and owner unit, a title from the description — and remembers its origin.
   */
  async function newMeasureForDeviation(req: Request, res: Response, plan: PlanContext) {
    const deviation = await originDeviation(plan, idFrom(req.query.avvikelse, 'Avvikelsen'))
    if (!deviation) throw new NotFoundError('Avvikelsen')
    if (deviation.decision === 'no_measure') {
      setNotice(res, noMeasureDecided)
      return res.redirect(303, deviation.href)
    }
    const page = await newMeasurePage(plan, String(deviation.riskId), deviation)
    await renderForm(res, plan, {
      ...page,
      ...formState({
        riskId: deviation.riskId,
        title: titleFromDeviation(deviation.description),
        ownerUnitId: deviation.ownerUnitId,
        status: 'not_started',
        originAreaId: '',
        originDeviationId: deviation.id,
      }),
    })
  }

  router.post('/atgarder/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = await validateForm(measureForm, req.body, (value) => checkChoices(plan, value))
    if (!parsed.ok) {
      const deviation = await originDeviation(plan, optionalId(req.body.originDeviationId))
      const page = await newMeasurePage(plan, req.body.riskId, deviation)
      return renderForm(res, plan, { ...page, ...formState(req.body, parsed.errors) }, 400)
    }
    const row = toRow(parsed.value)
    const deviationId = parsed.value.originDeviationId
    const actor = actorOf(res, clock)
    const saved = await db
      .transaction()
      .execute(async (trx) => {
        const id = await audited(trx, actor, 'create', { entity: 'measure', planId: plan.id }, async () =>
          insertMeasure(
            trx,
            { ...row, origin_deviation_id: deviationId, position: await nextPosition(trx, 'measure', row.risk_id) },
            now(),
          ),
        )
        const decided = deviationId !== null && (await decideMeasureRequired(trx, actor, plan, deviationId))
        return { id, decided }
      })
      .catch((error: unknown) => {
        if (error instanceof NoMeasureDecided) return undefined
        throw error
      })
    if (!saved) {
      const deviation = await originDeviation(plan, deviationId)
      const page = await newMeasurePage(plan, req.body.riskId, deviation)
      return renderForm(res, plan, { ...page, ...formState(req.body, { originDeviationId: noMeasureDecided }) }, 400)
    }
    const { id, decided } = saved
    setNotice(res, decided ? 'Åtgärden är tillagd. Avvikelsen har fått beslutet Åtgärd krävs.' : 'Åtgärden är tillagd.')
    res.redirect(303, `/planer/${plan.id}/atgarder/${id}`)
  })

  router.get('/atgarder/:measureId', async (req, res) => {
    const { plan, measure } = await load(req, res, 'read')
    const [history, recordHistory, origin, deviation, linkedAreas, reviews, years] = await Promise.all([
      listStatusChanges(db, measure.id),
      historyOf(db, 'measure', measure.id),
      measure.origin_area_id === null ? undefined : findAreaWithInspection(db, measure.origin_area_id),
      originDeviation(plan, measure.origin_deviation_id),
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
      // Or a deviation one of the plan's controls found.
      deviationOrigin: deviation && { href: deviation.href, text: deviation.text },
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
