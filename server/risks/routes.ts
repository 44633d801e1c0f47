import { type Request, type Response, Router } from 'express'
import type { RiskTreatment } from '../../db/schema.js'
import plural from '../../views/helpers/plural.js'
import type { Services } from '../app.js'
import { actorOf, auditCascade, audited, auditedTransaction } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { controlLabels } from '../controls/control-line.js'
import { deviationIdsOfRisk, listControlsOfRisk, measuresOfDeviations } from '../controls/repository.js'
import { swedishDate } from '../dates.js'
import { NotFoundError } from '../errors.js'
import { formState, parseForm } from '../forms.js'
import { idFrom, optionalId } from '../ids.js'
import { findAreaWithInspection, linkRisk, listAreasOfRisk } from '../inspections/repository.js'
import { auditTarget } from '../inspections/require-inspection.js'
import { areaLink } from '../inspections/view-model.js'
import { listMeasuresOfRisk } from '../measures/repository.js'
import { moveRow } from '../move-row.js'
import { lockedNote, refuseDeletingCopy, refuseLockedChange } from '../municipal/locked.js'
import { findItemOfCopy } from '../municipal/repository.js'
import { controlsSinceLastYear, findPreviousRisk, risksSinceLastYear } from '../next-year/repository.js'
import { setNotice } from '../notice.js'
import { nextPosition, withEnds } from '../ordering.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { planOverview } from '../plans/view-model.js'
import { listReviews } from '../reviews/repository.js'
import { reviewLine } from '../reviews/review-line.js'
import { noteSave } from '../versioned.js'
import { labelOf, riskTreatments, swedishList } from '../vocabulary.js'
import { deleteRisk, findRisk, insertRisk, updateRisk } from './repository.js'
import { type RiskForm, riskCopyForm, riskForm, riskFormOptions } from './schema.js'

export function riskRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })

  async function load(req: Request, res: Response, access: 'read' | 'edit') {
    const plan = await requirePlan(db, req.params, res, access)
    const risk = await findRisk(db, plan.id, idFrom(req.params.riskId, 'Risken'))
    if (!risk) throw new NotFoundError('Risken')
    const item = await findItemOfCopy(db, risk.municipal_item_id)
    return { plan, risk, locked: item && lockedNote(item.diary_number) }
  }

  // A copy of a municipality-wide item: its words are shown, not asked.
  const lockedFields = (risk: { title: string; description: string; treatment: RiskTreatment }) => ({
    title: risk.title,
    description: risk.description,
    treatment: labelOf(riskTreatments, risk.treatment),
  })

  const riskBreadcrumbs = (plan: PlanContext, risk: { id: number; title: string }) => [
    ...planBreadcrumbs(plan),
    { href: `/planer/${plan.id}/risker/${risk.id}`, text: `Risk: ${risk.title}` },
  ]

  const renderForm = (res: Response, locals: object, status = 200) =>
    res.status(status).render('risks/form', { ...riskFormOptions, ...locals })

  const newRiskPage = (plan: PlanContext) => ({
    title: 'Ny risk',
    breadcrumbs: planBreadcrumbs(plan),
    action: `/planer/${plan.id}/risker/ny`,
    submitLabel: 'Lägg till risken',
    cancelHref: `/planer/${plan.id}`,
  })
  const editRiskPage = (plan: PlanContext, risk: { id: number; title: string }) => ({
    title: `Redigera risk: ${risk.title}`,
    breadcrumbs: riskBreadcrumbs(plan, risk),
    action: `/planer/${plan.id}/risker/${risk.id}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: `/planer/${plan.id}/risker/${risk.id}`,
  })

  const toRow = (v: RiskForm) => ({
    title: v.title,
    description: v.description,
    likelihood: v.likelihood,
    consequence: v.consequence,
    treatment: v.treatment,
    ...(v.scope !== null && { scope: v.scope }),
  })

  /**
   * A development area of the committee's inspections that the new risk takes up (the plan page offers open
   * ones), named by `omrade` in the link or `areaId` in the form; anything else names none.
   */
  async function areaToTakeUp(plan: PlanContext, raw: unknown) {
    const areaId = optionalId(raw)
    if (areaId === undefined) return undefined
    const area = await findAreaWithInspection(db, areaId)
    return area && area.committee_id === plan.committee_id ? area : undefined
  }

  const areaOnPage = (area: Awaited<ReturnType<typeof areaToTakeUp>>) => area && { id: area.id, ...areaLink(area) }

  router.get('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const area = await areaToTakeUp(plan, req.query.omrade)
    renderForm(res, {
      ...newRiskPage(plan),
      area: areaOnPage(area),
      // No treatment is chosen for the user: the form asks for one.
      ...formState({
        scope: 'committee',
        title: area?.heading ?? '',
        description: area?.required_development ?? '',
      }),
    })
  })

  router.post('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const area = await areaToTakeUp(plan, req.body.areaId)
    const parsed = parseForm(riskForm, req.body)
    if (!parsed.ok) {
      return renderForm(
        res,
        { ...newRiskPage(plan), area: areaOnPage(area), ...formState(req.body, parsed.errors) },
        400,
      )
    }
    const actor = actorOf(res, clock)
    const id = await auditedTransaction(db, actor, 'create', { entity: 'risk', planId: plan.id }, async (trx) => {
      const riskId = await insertRisk(trx, {
        // A risk not reviewed has no review type to ask; the column wants one, the import's default for none.
        scope: 'committee',
        ...toRow(parsed.value),
        plan_id: plan.id,
        position: await nextPosition(trx, 'risk', plan.id),
      })
      if (area) {
        await audited(trx, actor, 'update', auditTarget('development_area', area, area.id), () =>
          linkRisk(trx, area.id, riskId),
        )
      }
      return riskId
    })
    setNotice(res, 'Risken är tillagd.')
    res.redirect(303, `/planer/${plan.id}/risker/${id}`)
  })

  router.get('/:riskId', async (req, res) => {
    const { plan, risk, locked } = await load(req, res, 'read')
    const today = swedishDate(clock())
    const [measures, controls, reviews, areas, since, controlsSince, previous, recordHistory] = await Promise.all([
      listMeasuresOfRisk(db, risk.id),
      listControlsOfRisk(db, risk.id, today),
      listReviews(db, plan.id),
      listAreasOfRisk(db, risk.id),
      risksSinceLastYear(db, plan, risk.id),
      controlsSinceLastYear(db, plan, risk.id),
      findPreviousRisk(db, risk.id),
      historyOf(db, 'risk', risk.id),
    ])
    const [shown] = planOverview([risk], measures, today, since).risks
    res.render('risks/show', {
      title: `Risk: ${risk.title}`,
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      risk: shown,
      locked,
      measures: shown?.measures,
      controls: withEnds(controls).map((c) => ({ ...c, ...controlLabels(c, plan.committeeKind) })),
      reviews: reviews.filter((r) => r.risk_id === risk.id).map(reviewLine),
      areas: areas.map(areaLink),
      previous: previous && { href: `/planer/${previous.planId}/risker/${previous.id}`, text: previous.planTitle },
      controlsSince: controlsSince.map((c) => ({ ...c, href: `/planer/${plan.id}/kontroller/${c.id}` })),
      recordHistory,
    })
  })

  router.get('/:riskId/redigera', async (req, res) => {
    const { plan, risk, locked } = await load(req, res, 'edit')
    renderForm(res, {
      ...editRiskPage(plan, risk),
      ...(locked && { locked, lockedFields: lockedFields(risk) }),
      ...formState({ ...risk, likelihood: risk.likelihood ?? '', consequence: risk.consequence ?? '' }),
    })
  })

  router.post('/:riskId/redigera', async (req, res) => {
    const { plan, risk, locked } = await load(req, res, 'edit')
    if (locked) {
      refuseLockedChange(
        req.body,
        { title: risk.title, description: risk.description, treatment: risk.treatment, scope: risk.scope },
        'Risken',
      )
      const copy = parseForm(riskCopyForm, req.body)
      if (!copy.ok) {
        return renderForm(
          res,
          {
            ...editRiskPage(plan, risk),
            locked,
            lockedFields: lockedFields(risk),
            ...formState(req.body, copy.errors),
          },
          400,
        )
      }
      const { likelihood, consequence, version } = copy.value
      const saved = await auditedTransaction(
        db,
        actorOf(res, clock),
        'update',
        { entity: 'risk', id: risk.id, planId: plan.id },
        (trx) => updateRisk(trx, risk.id, version, { likelihood, consequence }),
      )
      noteSave(res, 'Risken är sparad.', saved)
      return res.redirect(303, `/planer/${plan.id}/risker/${risk.id}`)
    }
    const parsed = parseForm(riskForm, req.body)
    if (!parsed.ok) return renderForm(res, { ...editRiskPage(plan, risk), ...formState(req.body, parsed.errors) }, 400)
    const saved = await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'risk', id: risk.id, planId: plan.id },
      (trx) => updateRisk(trx, risk.id, parsed.value.version, toRow(parsed.value)),
    )
    noteSave(res, 'Risken är sparad.', saved)
    res.redirect(303, `/planer/${plan.id}/risker/${risk.id}`)
  })

  router.get('/:riskId/ta-bort', async (req, res) => {
    const { plan, risk, locked } = await load(req, res, 'edit')
    if (locked) refuseDeletingCopy('Risken')
    const [measures, controls, reviews, deviationIds] = await Promise.all([
      listMeasuresOfRisk(db, risk.id),
      listControlsOfRisk(db, risk.id, swedishDate(clock())),
      listReviews(db, plan.id),
      deviationIdsOfRisk(db, risk.id),
    ])
    // A measure decided for a deviation may belong to another risk: it stays, without its origin. Those of this
    // risk go with it, listed above.
    const elsewhere = (await measuresOfDeviations(db, deviationIds)).filter((m) => m.risk_id !== risk.id)
    const linked = reviews.filter((r) => r.risk_id === risk.id)
    const kept = [
      linked.length > 0
        ? `${plural(linked.length, 'granskning', 'granskningar')} (${linked.map((r) => r.diary_number).join(', ')}) finns kvar i planen men kopplas bort från risken.`
        : '',
      elsewhere.length > 0
        ? `Åtgärder under andra risker som beslutats för kontrollmomentens avvikelser finns kvar men kopplas bort från avvikelserna: ${swedishList(elsewhere.map((m) => `${m.title} (${m.ownerName})`))}.`
        : '',
    ].filter(Boolean)
    res.render('confirm-delete', {
      title: `Ta bort risk: ${risk.title}`,
      breadcrumbs: riskBreadcrumbs(plan, risk),
      question: `Vill du ta bort risken ”${risk.title}”?`,
      consequences: [
        ...measures.map((m) => `Åtgärd: ${m.title} (${m.ownerName}), med statushistorik`),
        ...controls.map(
          (c) =>
            `Kontrollmoment: ${c.title} (${c.ownerName}), med ${plural(c.planned, 'tillfälle', 'tillfällen')} och det som har rapporterats för dem`,
        ),
      ],
      kept: kept.length > 0 ? kept.join(' ') : undefined,
      action: `/planer/${plan.id}/risker/${risk.id}/ta-bort`,
      cancelHref: `/planer/${plan.id}/risker/${risk.id}`,
    })
  })

  router.post('/:riskId/ta-bort', async (req, res) => {
    const { plan, risk, locked } = await load(req, res, 'edit')
    if (locked) refuseDeletingCopy('Risken')
    const actor = actorOf(res, clock)
    await auditedTransaction(db, actor, 'delete', { entity: 'risk', id: risk.id, planId: plan.id }, async (trx) => {
      await auditCascade(trx, actor, plan.id, { entity: 'risk', id: risk.id })
      await deleteRisk(trx, risk.id)
    })
    setNotice(res, 'Risken är borttagen.')
    res.redirect(303, `/planer/${plan.id}`)
  })

  router.post('/:riskId/flytta', async (req, res) => {
    const { plan, risk } = await load(req, res, 'edit')
    const row = { table: 'risk', id: risk.id, planId: plan.id } as const
    await moveRow(db, res, actorOf(res, clock), row, req.body.direction, `/planer/${plan.id}`)
  })

  return router
}
