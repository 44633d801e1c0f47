import { type Request, type Response, Router } from 'express'
import plural from '../../views/helpers/plural.js'
import type { Services } from '../app.js'
import { actorOf, auditCascade, audited } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { authorize, can, readableCommittees } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { countControlsByRisk } from '../controls/repository.js'
import { swedishDate } from '../dates.js'
import { type FieldErrors, formState, validateForm } from '../forms.js'
import { offeredAreas } from '../inspections/offers.js'
import { listMeasureLinesOfPlan } from '../measures/repository.js'
import { applyItemsToPlan, CopiesHoldWorkError, reapplyItemsToPlan } from '../municipal/push-down.js'
import { risksSinceLastYear } from '../next-year/repository.js'
import { setNotice } from '../notice.js'
import { openDataOnPlanPage } from '../open-data/view-model.js'
import { countReportVersions } from '../reports/repository.js'
import { countReviews } from '../reviews/repository.js'
import { riskMatrix } from '../risks/matrix.js'
import { listRisks } from '../risks/repository.js'
import { noteSave, type Saved } from '../versioned.js'
import { decisionBody, swedishList } from '../vocabulary.js'
import {
  countPlanContents,
  deletePlan,
  findClashingPlan,
  insertPlan,
  listOwnCommittees,
  listPlans,
  updatePlan,
} from './repository.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from './require-plan.js'
import { defaultTitle, type PlanForm, planForm, titlePrefix, yearTaken } from './schema.js'
import { planOverview, plansByCommittee } from './view-model.js'

export function planRoutes({ db, clock }: Services): Router {
  const router = Router()

  const loadPlan = (req: Request, res: Response, access: 'read' | 'edit') => requirePlan(db, req.params, res, access)

  const ownCommittees = (res: Response) => listOwnCommittees(db, viewerOf(res))

  async function renderForm(res: Response, locals: object, status = 200) {
    const committees = await ownCommittees(res)
    // The prefix is a hint only when it is the same whichever committee is chosen.
    const prefixes = [...new Set(committees.map((c) => c.diaryPrefix))]
    res.status(status).render('plans/form', {
      ...locals,
      committeeOptions: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      adoptedDiaryHint: `Beslutets diarienummer hos förvaltningen${prefixes.length === 1 ? `, som börjar med ${prefixes[0]}-` : ''}`,
    })
  }

  /**
   * Rules that need the database: the committee exists and has no other plan that year. A plan with risks
   * stays with its committee (its measures' owner units belong to that administration), and a plan whose
   * report is final keeps its committee and year, which the stored report names.
   */
  async function checkPlan(res: Response, value: PlanForm, existing: PlanContext | null): Promise<FieldErrors> {
    if (!(await ownCommittees(res)).some((c) => c.id === value.committeeId)) {
      return { committeeId: 'Välj en nämnd i listan.' }
    }
    if (existing) {
      const [contents, finalReports] = await Promise.all([
        countPlanContents(db, existing.id),
        countReportVersions(db, existing.id),
      ])
      // The copies of municipality-wide items are not the committee's: they follow the plan (reapplyItemsToPlan).
      if (value.committeeId !== existing.committee_id && contents.risks > contents.copies) {
        return { committeeId: 'Planen har redan risker och åtgärder och kan inte flyttas till en annan nämnd.' }
      }
      if (value.year !== existing.year && finalReports > 0) {
        return { year: 'Året kan inte ändras eftersom planens uppföljningsrapport har fastställts.' }
      }
    }
    if (await findClashingPlan(db, value.committeeId, value.year, existing?.id ?? null)) {
      return { year: yearTaken(value.year) }
    }
    return {}
  }

  const newPlanPage = {
    title: 'Ny internkontrollplan',
    breadcrumbs: [{ href: '/planer', text: 'Internkontrollplaner' }],
    action: '/planer/ny',
    submitLabel: 'Skapa planen',
    cancelHref: '/planer',
    yearTitle: titlePrefix,
  }
  const editPlanPage = (plan: PlanContext) => ({
    title: `Redigera ${plan.title}`,
    breadcrumbs: planBreadcrumbs(plan),
    action: `/planer/${plan.id}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: `/planer/${plan.id}`,
  })

  const toRow = (v: PlanForm) => ({
    committee_id: v.committeeId,
    year: v.year,
    title: v.title,
    adopted_meeting_date: v.adoptedMeetingDate,
    adopted_minutes_paragraph: v.adoptedMinutesParagraph,
    adopted_diary_number: v.adoptedDiaryNumber,
    introduction: v.introduction,
    measures_introduction: v.measuresIntroduction,
  })

  router.get('/', async (_req, res) => {
    const viewer = viewerOf(res)
    const plans = await listPlans(db, readableCommittees(viewer))
    res.render('plans/index', {
      title: 'Internkontrollplaner',
      mayCreate: can.createPlans(viewer),
      committees: plansByCommittee(plans),
    })
  })

  router.get('/ny', async (_req, res) => {
    authorize(can.createPlans(viewerOf(res)))
    const committees = await ownCommittees(res)
    const year = String(clock().getFullYear() + 1)
    await renderForm(res, {
      ...newPlanPage,
      ...formState({ committeeId: committees[0]?.id, year, title: defaultTitle(year) }),
    })
  })

  router.post('/ny', async (req, res) => {
    authorize(can.createPlans(viewerOf(res)))
    const parsed = await validateForm(planForm, req.body, (value) => checkPlan(res, value, null))
    if (!parsed.ok) {
      return renderForm(res, { ...newPlanPage, ...formState(req.body, parsed.errors) }, 400)
    }
    const actor = actorOf(res, clock)
    const row = toRow(parsed.value)
    const id = await db.transaction().execute(async (trx) => {
      const planId = await audited(trx, actor, 'create', { entity: 'plan', planId: null }, () => insertPlan(trx, row))
      // The municipality-wide reviews and risks already decided for the committee's year come into the new plan.
      await applyItemsToPlan(trx, actor, { id: planId, committee_id: row.committee_id, year: row.year })
      return planId
    })
    setNotice(res, 'Planen är skapad.')
    res.redirect(303, `/planer/${id}`)
  })

  router.get('/:planId', async (req, res) => {
    const plan = await loadPlan(req, res, 'read')
    const [risks, measures, controls, reviewCount, offered, since, recordHistory, openData] = await Promise.all([
      listRisks(db, plan.id),
      listMeasureLinesOfPlan(db, plan.id),
      countControlsByRisk(db, plan.id),
      countReviews(db, plan.id),
      offeredAreas(db, plan),
      risksSinceLastYear(db, plan),
      historyOf(db, 'plan', plan.id),
      openDataOnPlanPage(db, plan),
    ])
    const overview = planOverview(risks, measures, swedishDate(clock()), since)
    res.render('plans/show', {
      recordHistory,
      offered,
      openData,
      title: `${plan.committeeName}: ${plan.title}`,
      breadcrumbs: planBreadcrumbs(plan).slice(0, 1),
      plan,
      decisionBody: decisionBody(plan.committeeKind),
      reviewCount,
      riskMatrix: riskMatrix(risks, (risk) => `/planer/${plan.id}/risker/${risk.id}`),
      ...overview,
      risks: overview.risks.map((r) => ({ ...r, controlCount: controls.get(r.id) ?? 0 })),
      controlCount: [...controls.values()].reduce((sum, n) => sum + n, 0),
    })
  })

  router.get('/:planId/redigera', async (req, res) => {
    const plan = await loadPlan(req, res, 'edit')
    await renderForm(res, {
      ...editPlanPage(plan),
      ...formState({
        committeeId: plan.committee_id,
        year: plan.year,
        title: plan.title,
        adoptedMeetingDate: plan.adopted_meeting_date ?? '',
        adoptedMinutesParagraph: plan.adopted_minutes_paragraph ?? '',
        adoptedDiaryNumber: plan.adopted_diary_number,
        introduction: plan.introduction,
        measuresIntroduction: plan.measures_introduction,
        version: plan.version,
      }),
    })
  })

  router.post('/:planId/redigera', async (req, res) => {
    const plan = await loadPlan(req, res, 'edit')
    const parsed = await validateForm(planForm, req.body, (value) => checkPlan(res, value, plan))
    if (!parsed.ok) {
      return renderForm(res, { ...editPlanPage(plan), ...formState(req.body, parsed.errors) }, 400)
    }
    const actor = actorOf(res, clock)
    let saved: Saved
    try {
      saved = await db.transaction().execute(async (trx) => {
        const target = { entity: 'plan', id: plan.id, planId: plan.id } as const
        const saved = await audited(trx, actor, 'update', target, () =>
          updatePlan(trx, plan.id, parsed.value.version, toRow(parsed.value)),
        )
        // A plan moved to another year or committee holds that year's and committee's municipality-wide items.
        const now = await trx
          .selectFrom('plan')
          .select(['id', 'committee_id', 'year'])
          .where('id', '=', plan.id)
          .executeTakeFirstOrThrow()
        if (now.year !== plan.year || now.committee_id !== plan.committee_id) await reapplyItemsToPlan(trx, actor, now)
        return saved
      })
    } catch (error) {
      if (!(error instanceof CopiesHoldWorkError)) throw error
      const field = parsed.value.year !== plan.year ? 'year' : 'committeeId'
      const items = error.busy.length === 1 ? 'den kommungemensamma posten' : 'de kommungemensamma posterna'
      const message =
        field === 'year'
          ? `Året kan inte ändras: planen har eget arbete under ${items} ${swedishList(error.busy)}, som inte gäller det nya året. Ta bort det arbetet först, eller behåll året.`
          : `Nämnden kan inte ändras: planen har eget arbete under ${items} ${swedishList(error.busy)}, som inte gäller den nya nämnden. Ta bort det arbetet först, eller behåll nämnden.`
      return renderForm(res, { ...editPlanPage(plan), ...formState(req.body, { [field]: message }) }, 400)
    }
    noteSave(res, 'Planen är sparad.', saved)
    res.redirect(303, `/planer/${plan.id}`)
  })

  /** A plan with final reports keeps them as public records, so it cannot be deleted. */
  async function renderDeletePage(res: Response, plan: PlanContext) {
    const [contents, finalReports] = await Promise.all([
      countPlanContents(db, plan.id),
      countReportVersions(db, plan.id),
    ])
    res.status(finalReports > 0 ? 409 : 200).render('confirm-delete', {
      title: `Ta bort ${plan.title}`,
      breadcrumbs: planBreadcrumbs(plan),
      question: `Vill du ta bort ${plan.committeeName}s ${plan.title}?`,
      blocked:
        finalReports > 0
          ? `Planen kan inte tas bort eftersom dess uppföljningsrapport har fastställts (${plural(finalReports, 'version', 'versioner')}). Fastställda rapporter är allmänna handlingar och sparas.`
          : undefined,
      consequences: [
        plural(contents.risks, 'risk', 'risker'),
        `${plural(contents.measures, 'förbättringsåtgärd', 'förbättringsåtgärder')} med statushistorik`,
        plural(contents.reviews, 'granskning', 'granskningar'),
        // Of the risks and reviews, the copies of kommunstyrelsen's items, which a new plan of the year gets again.
        ...(contents.copies > 0
          ? [
              contents.copies === 1
                ? '1 av riskerna är en kopia av en kommungemensam granskning eller risk; den läggs in igen om planen skapas på nytt, men utan nämndens uppföljning.'
                : `${contents.copies} av riskerna är kopior av kommungemensamma granskningar och risker; de läggs in igen om planen skapas på nytt, men utan nämndens uppföljning.`,
            ]
          : []),
      ],
      action: `/planer/${plan.id}/ta-bort`,
      cancelHref: `/planer/${plan.id}`,
    })
  }

  router.get('/:planId/ta-bort', async (req, res) => {
    await renderDeletePage(res, await loadPlan(req, res, 'edit'))
  })

  router.post('/:planId/ta-bort', async (req, res) => {
    const plan = await loadPlan(req, res, 'edit')
    const deleted = await db.transaction().execute(async (trx) => {
      if ((await countReportVersions(trx, plan.id)) > 0) return false
      const actor = actorOf(res, clock)
      await audited(trx, actor, 'delete', { entity: 'plan', id: plan.id, planId: plan.id }, async () => {
        await auditCascade(trx, actor, plan.id, { entity: 'plan', id: plan.id })
        await deletePlan(trx, plan.id)
      })
      return true
    })
    if (!deleted) return renderDeletePage(res, plan)
    setNotice(res, `${plan.committeeName}s ${plan.title} är borttagen.`)
    res.redirect(303, '/planer')
  })

  return router
}
