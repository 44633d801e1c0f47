import { type Response, Router } from 'express'
import type { Services } from '../app.js'
import { actorOf } from '../audit/audited.js'
import { controlLabels } from '../controls/control-line.js'
import { controlRowsOfPlan } from '../controls/repository.js'
import { formState, parseForm } from '../forms.js'
import { setNotice } from '../notice.js'
import { findClashingPlan } from '../plans/repository.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { yearTaken } from '../plans/schema.js'
import { listReviews } from '../reviews/repository.js'
import { listRisks } from '../risks/repository.js'
import { riskSummary } from '../risks/view-model.js'
import { labelOf, measureStatuses } from '../vocabulary.js'
import { countReportedRuns, createCarriedOverPlan, splitMeasures } from './repository.js'
import { nextYearForm } from './schema.js'

/** Below /planer/:planId: the secretary makes the committee's plan for the next year from this one. */
export function nextYearRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })

  /**
   * What the new plan gets from this one (risks, their controls, the measures whose work goes on), and what stays;
   * or, when the year is taken, the plan that has it.
   */
  async function renderPage(res: Response, plan: PlanContext, locals: object, status = 200) {
    const year = plan.year + 1
    const [risks, measures, reviews, controls, reported, existing] = await Promise.all([
      listRisks(db, plan.id),
      splitMeasures(db, plan.id),
      listReviews(db, plan.id),
      controlRowsOfPlan(db, plan.id),
      countReportedRuns(db, plan.id),
      findClashingPlan(db, plan.committee_id, year, null),
    ])
    const fromDeviations = measures.carried.filter((m) => m.origin_deviation_id !== null).length
    const shown = (list: typeof measures.carried) =>
      list.map((m) => ({ ...m, statusLabel: labelOf(measureStatuses, m.status) }))
    res.status(existing ? 409 : status).render('next-year/confirm', {
      title: `Skapa internkontrollplan för ${year}`,
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      year,
      existing: existing && { href: `/planer/${existing.id}`, text: yearTaken(year) },
      risks: risks.map(riskSummary),
      carried: shown(measures.carried),
      fromDeviations: fromDeviationsText(fromDeviations, plan.title),
      staying: shown(measures.staying),
      controls: controls.map((c) => ({ ...c, ...controlLabels(c, plan.committeeKind) })),
      reported,
      reviewCount: reviews.length,
      action: `/planer/${plan.id}/nasta-ar`,
      cancelHref: `/planer/${plan.id}`,
      ...locals,
    })
  }

  router.get('/nasta-ar', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    await renderPage(res, plan, formState({ title: `Internkontrollplan ${plan.year + 1}` }))
  })

  router.post('/nasta-ar', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = parseForm(nextYearForm, req.body)
    if (!parsed.ok) return renderPage(res, plan, formState(req.body, parsed.errors), 400)
    const actor = actorOf(res, clock)
    // The year is checked again in the transaction: someone may have made that plan since the page was shown.
    const id = await db
      .transaction()
      .execute((trx) => createCarriedOverPlan(trx, actor, plan, { year: plan.year + 1, title: parsed.value.title }))
    if (id === undefined) return renderPage(res, plan, formState(req.body))
    setNotice(res, `Planen för ${plan.year + 1} är skapad.`)
    res.redirect(303, `/planer/${id}`)
  })

  return router
}

/**
 * A carried measure keeps an origin in an inspection, whose areas span the years, but not a deviation: that
 * belongs to its year's occasion, and last year's measure, which the carried one links to, keeps showing it.
 */
function fromDeviationsText(count: number, planTitle: string): string | undefined {
  if (count === 0) return undefined
  return count === 1
    ? 'En av dem beslutades för en avvikelse vid ett kontrolltillfälle. Avvikelsen hör till sitt år och följer ' +
        `inte med, men åtgärden i den nya planen länkar till åtgärden i ${planTitle}, som visar avvikelsen.`
    : `${count} av dem beslutades för avvikelser vid kontrolltillfällen. Avvikelserna hör till sitt år och följer ` +
        `inte med, men åtgärderna i den nya planen länkar till åtgärderna i ${planTitle}, som visar avvikelserna.`
}
