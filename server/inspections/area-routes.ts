import { type Request, type Response, Router } from 'express'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { swedishDate } from '../dates.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { baseVersion, type FieldErrors, formState, parseForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { noteSave } from '../versioned.js'
import { isOverdue } from '../vocabulary.js'
import { deleteAreaAudited } from './delete-area.js'
import {
  findArea,
  insertArea,
  linkMeasure,
  linkRisk,
  listAreaMeasures,
  listCommitteeMeasures,
  listCommitteeRisks,
  listLinkedRisks,
  nextAreaPosition,
  unlinkMeasure,
  unlinkRisk,
  updateArea,
} from './repository.js'
import {
  auditTarget,
  type InspectionContext,
  inspectionBreadcrumbs,
  inspectionHref,
  requireInspection,
} from './require-inspection.js'
import { type AreaForm, areaForm, closeAreaForm, measureLinkForm, outcomeOptions, riskLinkForm } from './schema.js'
import { areaSummary, inspectionSummary } from './view-model.js'

type Area = NonNullable<Awaited<ReturnType<typeof findArea>>>

/** Development areas of an inspection: their register entries, their links to risks and measures, and closing. */
export function areaRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })
  const today = () => swedishDate(clock())

  async function load(req: Request, res: Response, access: 'read' | 'edit') {
    const inspection = await requireInspection(db, req.params, res, access)
    const area = await findArea(db, inspection.id, idFrom(req.params.areaId, 'Utvecklingsområdet'))
    if (!area) throw new NotFoundError('Utvecklingsområdet')
    return { inspection, area }
  }

  const areaHref = (inspection: InspectionContext, area: { id: number }) =>
    `${inspectionHref(inspection)}/omraden/${area.id}`
  const target = (inspection: InspectionContext, area: { id: number }) =>
    auditTarget('development_area', inspection, area.id)

  const renderForm = (res: Response, locals: object, status = 200) =>
    res.status(status).render('inspections/area-form', { ...locals, outcomeOptions })

  const newAreaPage = (inspection: InspectionContext) => ({
    title: 'Nytt utvecklingsområde',
    breadcrumbs: inspectionBreadcrumbs(inspection),
    inspection,
    action: `${inspectionHref(inspection)}/omraden/ny`,
    submitLabel: 'Lägg till utvecklingsområdet',
    cancelHref: inspectionHref(inspection),
  })
  const editAreaPage = (inspection: InspectionContext, area: Area) => ({
    title: `Redigera utvecklingsområde: ${area.heading}`,
    breadcrumbs: inspectionBreadcrumbs(inspection),
    inspection,
    action: `${areaHref(inspection, area)}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: areaHref(inspection, area),
  })

  const toRow = (v: AreaForm) => ({
    heading: v.heading,
    legal_basis: v.legalBasis,
    initial_assessment: v.initialAssessment,
    required_development: v.requiredDevelopment,
    outcome: v.outcome,
    outcome_comment: v.outcomeComment,
    // The committee closes only what the authority left with further measures needed; another outcome ends that.
    ...(v.outcome === 'further_measures_needed' ? {} : { closed_meeting_date: null, closed_minutes_paragraph: null }),
  })

  /** The area page; a refused link or closing shows it again with the message beside its form. */
  async function renderArea(
    res: Response,
    inspection: InspectionContext,
    area: Area,
    failed: { values: Record<string, unknown>; errors: FieldErrors } = { values: {}, errors: {} },
  ) {
    const [risks, measures, committeeRisks, committeeMeasures, recordHistory] = await Promise.all([
      listLinkedRisks(db, [area.id]),
      listAreaMeasures(db, [area.id]),
      listCommitteeRisks(db, inspection.committee_id),
      listCommitteeMeasures(db, inspection.committee_id),
      historyOf(db, 'development_area', area.id),
    ])
    const linkedRiskIds = new Set(risks.map((r) => r.id))
    const linkedMeasureIds = new Set(measures.map((m) => m.id))
    const summary = areaSummary(area, inspection)
    res.status(Object.keys(failed.errors).length > 0 ? 400 : 200).render('inspections/area', {
      title: `Utvecklingsområde: ${area.heading}`,
      breadcrumbs: inspectionBreadcrumbs(inspection),
      inspection: inspectionSummary(inspection, today()),
      area: summary,
      recordHistory,
      risks,
      measures: measures.map((m) => ({ ...m, overdue: isOverdue(m, today()) })),
      riskOptions: committeeRisks
        .filter((r) => !linkedRiskIds.has(r.id))
        .map((r) => ({ value: r.id, label: `${r.planYear}: ${r.title}` })),
      measureOptions: committeeMeasures
        .filter((m) => !linkedMeasureIds.has(m.id))
        .map((m) => ({ value: m.id, label: `${m.planYear}: ${m.title} – ${m.ownerName}` })),
      ...formState({ version: area.version, ...failed.values }, failed.errors),
    })
  }

  router.get('/ny', async (req, res) => {
    const inspection = await requireInspection(db, req.params, res, 'edit')
    renderForm(res, { ...newAreaPage(inspection), ...formState({}) })
  })

  router.post('/ny', async (req, res) => {
    const inspection = await requireInspection(db, req.params, res, 'edit')
    const parsed = parseForm(areaForm, req.body)
    if (!parsed.ok) return renderForm(res, { ...newAreaPage(inspection), ...formState(req.body, parsed.errors) }, 400)
    const id = await auditedTransaction(
      db,
      actorOf(res, clock),
      'create',
      auditTarget('development_area', inspection),
      async (trx) =>
        insertArea(trx, {
          ...toRow(parsed.value),
          inspection_id: inspection.id,
          position: await nextAreaPosition(trx, inspection.id),
        }),
    )
    setNotice(res, 'Utvecklingsområdet är tillagt.')
    res.redirect(303, areaHref(inspection, { id }))
  })

  router.get('/:areaId', async (req, res) => {
    const { inspection, area } = await load(req, res, 'read')
    await renderArea(res, inspection, area)
  })

  router.get('/:areaId/redigera', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    renderForm(res, {
      ...editAreaPage(inspection, area),
      ...formState({
        heading: area.heading,
        legalBasis: area.legal_basis,
        initialAssessment: area.initial_assessment,
        requiredDevelopment: area.required_development,
        outcome: area.outcome ?? '',
        outcomeComment: area.outcome_comment,
        version: area.version,
      }),
    })
  })

  router.post('/:areaId/redigera', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const parsed = parseForm(areaForm, req.body)
    if (!parsed.ok) {
      return renderForm(res, { ...editAreaPage(inspection, area), ...formState(req.body, parsed.errors) }, 400)
    }
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
      updateArea(trx, area.id, parsed.value.version, toRow(parsed.value)),
    )
    noteSave(res, 'Utvecklingsområdet är sparat.', saved)
    res.redirect(303, areaHref(inspection, area))
  })

  router.get('/:areaId/ta-bort', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    res.render('confirm-delete', {
      title: `Ta bort utvecklingsområde: ${area.heading}`,
      breadcrumbs: inspectionBreadcrumbs(inspection),
      question: `Vill du ta bort utvecklingsområdet ”${area.heading}”?`,
      kept: 'Riskerna och åtgärderna som området är kopplat till finns kvar; åtgärder som hade sitt ursprung här visas därefter utan ursprung.',
      action: `${areaHref(inspection, area)}/ta-bort`,
      cancelHref: areaHref(inspection, area),
    })
  })

  router.post('/:areaId/ta-bort', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const actor = actorOf(res, clock)
    await db.transaction().execute((trx) => deleteAreaAudited(trx, actor, inspection, area.id))
    setNotice(res, 'Utvecklingsområdet är borttaget.')
    res.redirect(303, inspectionHref(inspection))
  })

  // Links: a risk or a measure of any of the committee's plans, whatever its year.
  router.post('/:areaId/risker', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const parsed = parseForm(riskLinkForm, req.body)
    const risks = await listCommitteeRisks(db, inspection.committee_id)
    if (!parsed.ok || !risks.some((r) => r.id === parsed.value.riskId)) {
      return renderArea(res, inspection, area, { values: req.body, errors: { riskId: 'Välj en risk i listan.' } })
    }
    await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
      linkRisk(trx, area.id, parsed.value.riskId),
    )
    setNotice(res, 'Risken är kopplad till området.')
    res.redirect(303, `${areaHref(inspection, area)}#risks-heading`)
  })

  router.post('/:areaId/risker/ta-bort', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const parsed = parseForm(riskLinkForm, req.body)
    if (parsed.ok) {
      await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
        unlinkRisk(trx, area.id, parsed.value.riskId),
      )
      setNotice(res, 'Risken är inte längre kopplad till området.')
    }
    res.redirect(303, `${areaHref(inspection, area)}#risks-heading`)
  })

  router.post('/:areaId/atgarder', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const parsed = parseForm(measureLinkForm, req.body)
    const measures = await listCommitteeMeasures(db, inspection.committee_id)
    if (!parsed.ok || !measures.some((m) => m.id === parsed.value.measureId)) {
      return renderArea(res, inspection, area, {
        values: req.body,
        errors: { measureId: 'Välj en åtgärd i listan.' },
      })
    }
    await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
      linkMeasure(trx, area.id, parsed.value.measureId),
    )
    setNotice(res, 'Åtgärden är kopplad till området.')
    res.redirect(303, `${areaHref(inspection, area)}#measures-heading`)
  })

  router.post('/:areaId/atgarder/ta-bort', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const parsed = parseForm(measureLinkForm, req.body)
    if (parsed.ok) {
      await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
        unlinkMeasure(trx, area.id, parsed.value.measureId),
      )
      setNotice(res, 'Åtgärden är inte längre kopplad till området.')
    }
    res.redirect(303, `${areaHref(inspection, area)}#measures-heading`)
  })

  // Only the committee closes an area the authority left with further measures needed; the form is offered
  // for no other.
  router.post('/:areaId/avsluta', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    const version = baseVersion.parse(req.body?.version)
    if (areaSummary(area, inspection).state !== 'open') {
      // Closed or judged again since the page was opened: the 409 page says by whom.
      if (version !== area.version) throw new ConflictError('development_area', area.id, version)
      return res.redirect(303, areaHref(inspection, area))
    }
    const parsed = parseForm(closeAreaForm, req.body)
    if (!parsed.ok) return renderArea(res, inspection, area, { values: req.body, errors: parsed.errors })
    const saved = await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
      updateArea(trx, area.id, version, {
        closed_meeting_date: parsed.value.meetingDate,
        closed_minutes_paragraph: parsed.value.minutesParagraph,
      }),
    )
    noteSave(res, 'Utvecklingsområdet är avslutat.', saved)
    res.redirect(303, areaHref(inspection, area))
  })

  router.post('/:areaId/ateroppna', async (req, res) => {
    const { inspection, area } = await load(req, res, 'edit')
    if (area.closed_meeting_date !== null) {
      await auditedTransaction(db, actorOf(res, clock), 'update', target(inspection, area), (trx) =>
        updateArea(trx, area.id, baseVersion.parse(req.body?.version), {
          closed_meeting_date: null,
          closed_minutes_paragraph: null,
        }),
      )
      setNotice(res, 'Utvecklingsområdet är öppnat igen.')
    }
    res.redirect(303, areaHref(inspection, area))
  })

  return router
}
