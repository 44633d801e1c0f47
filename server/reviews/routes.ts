import { type Request, type Response, Router } from 'express'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, parseForm, validateForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { moveRow } from '../move-row.js'
import { lockedNote, refuseDeletingCopy, refuseLockedChange } from '../municipal/locked.js'
import { findItemOfCopy } from '../municipal/repository.js'
import { setNotice } from '../notice.js'
import { nextPosition, withEnds } from '../ordering.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { findRisk, listRisks } from '../risks/repository.js'
import { noteSave } from '../versioned.js'
import { diaryNumberDoubt, diaryStart } from './diary-number.js'
import { deleteReview, findReview, insertReview, listReviews, updateReview } from './repository.js'
import { type ReviewForm, reviewCopyForm, reviewForm } from './schema.js'

export function reviewRoutes({ db, clock }: Services): Router {
  const router = Router({ mergeParams: true })

  async function load(req: Request, res: Response, access: 'read' | 'edit') {
    const plan = await requirePlan(db, req.params, res, access)
    const review = await findReview(db, plan.id, idFrom(req.params.reviewId, 'Granskningen'))
    if (!review) throw new NotFoundError('Granskningen')
    const item = await findItemOfCopy(db, review.municipal_item_id)
    return { plan, review, locked: item && lockedNote(item.diary_number) }
  }

  // A copy of a municipality-wide review: its words and its risk are shown, not asked.
  async function lockedFields(review: {
    plan_id: number
    diary_number: string
    title: string
    risk_id: number | null
  }) {
    const risk = review.risk_id === null ? undefined : await findRisk(db, review.plan_id, review.risk_id)
    return { diaryNumber: review.diary_number, title: review.title, risk: risk?.title }
  }

  const listHref = (plan: PlanContext) => `/planer/${plan.id}/granskningar`
  // The list then says whether the saved review's diary number looks like the committee's; it is saved either way.
  const savedHref = (plan: PlanContext, reviewId: number) => `${listHref(plan)}?sparad=${reviewId}`
  const reviewBreadcrumbs = (plan: PlanContext) => [
    ...planBreadcrumbs(plan),
    { href: listHref(plan), text: 'Granskningar' },
  ]

  async function renderForm(res: Response, plan: PlanContext, locals: object, status = 200) {
    const risks = await listRisks(db, plan.id)
    res.status(status).render('reviews/form', {
      ...locals,
      diaryStart: diaryStart(plan.diaryPrefix, plan.year),
      breadcrumbs: reviewBreadcrumbs(plan),
      cancelHref: listHref(plan),
      riskOptions: risks.map((r) => ({ value: r.id, label: r.title })),
    })
  }

  /** A risk chosen for the review must be one of this plan's. */
  async function checkRisk(plan: PlanContext, value: ReviewForm): Promise<FieldErrors> {
    if (value.riskId === null || (await listRisks(db, plan.id)).some((r) => r.id === value.riskId)) return {}
    return { riskId: 'Välj en risk i listan.' }
  }

  const toRow = (v: ReviewForm) => ({
    diary_number: v.diaryNumber,
    title: v.title,
    meeting_date: v.meetingDate,
    minutes_paragraph: v.minutesParagraph,
    risk_id: v.riskId,
    result: v.result,
  })

  const newReviewPage = (plan: PlanContext) => ({
    title: 'Ny granskning',
    action: `${listHref(plan)}/ny`,
    submitLabel: 'Lägg till granskningen',
  })
  // A review has no page of its own: its edit form shows its history.
  const editReviewPage = async (plan: PlanContext, review: { id: number; diary_number: string }) => ({
    title: `Redigera granskning ${review.diary_number}`,
    action: `${listHref(plan)}/${review.id}/redigera`,
    submitLabel: 'Spara ändringarna',
    editing: true,
    recordHistory: await historyOf(db, 'review', review.id),
  })

  router.get('/', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const reviews = await listReviews(db, plan.id)
    const saved = reviews.find((r) => String(r.id) === req.query.sparad)
    res.render('reviews/index', {
      title: `Granskningar – ${plan.title}`,
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      saved: saved && {
        id: saved.id,
        doubt: diaryNumberDoubt(saved.diary_number, plan.diaryPrefix, plan.year, saved.meeting_date),
      },
      reviews: withEnds(reviews).map((r) => ({
        ...r,
        locked: r.itemDiaryNumber === null ? undefined : lockedNote(r.itemDiaryNumber),
      })),
    })
  })

  router.get('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    // No "GRF-2020-" typed in advance: a full number pasted after it would be doubled.
    await renderForm(res, plan, { ...newReviewPage(plan), ...formState({}) })
  })

  router.post('/ny', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = await validateForm(reviewForm, req.body, (value) => checkRisk(plan, value))
    if (!parsed.ok) {
      return renderForm(res, plan, { ...newReviewPage(plan), ...formState(req.body, parsed.errors) }, 400)
    }
    const id = await auditedTransaction(
      db,
      actorOf(res, clock),
      'create',
      { entity: 'review', planId: plan.id },
      async (trx) =>
        insertReview(trx, {
          ...toRow(parsed.value),
          plan_id: plan.id,
          position: await nextPosition(trx, 'review', plan.id),
        }),
    )
    setNotice(res, 'Granskningen är tillagd.')
    res.redirect(303, savedHref(plan, id))
  })

  router.get('/:reviewId/redigera', async (req, res) => {
    const { plan, review, locked } = await load(req, res, 'edit')
    await renderForm(res, plan, {
      ...(await editReviewPage(plan, review)),
      ...(locked && { locked, lockedFields: await lockedFields(review) }),
      ...formState({
        diaryNumber: review.diary_number,
        title: review.title,
        meetingDate: review.meeting_date ?? '',
        minutesParagraph: review.minutes_paragraph ?? '',
        riskId: review.risk_id ?? '',
        result: review.result,
        version: review.version,
      }),
    })
  })

  router.post('/:reviewId/redigera', async (req, res) => {
    const { plan, review, locked } = await load(req, res, 'edit')
    if (locked) {
      refuseLockedChange(
        req.body,
        { diaryNumber: review.diary_number, title: review.title, riskId: review.risk_id },
        'Granskningen',
      )
      const copy = parseForm(reviewCopyForm, req.body)
      if (!copy.ok) {
        return renderForm(
          res,
          plan,
          {
            ...(await editReviewPage(plan, review)),
            locked,
            lockedFields: await lockedFields(review),
            ...formState(req.body, copy.errors),
          },
          400,
        )
      }
      const { meetingDate, minutesParagraph, result, version } = copy.value
      const saved = await auditedTransaction(
        db,
        actorOf(res, clock),
        'update',
        { entity: 'review', id: review.id, planId: plan.id },
        (trx) =>
          updateReview(trx, review.id, version, {
            meeting_date: meetingDate,
            minutes_paragraph: minutesParagraph,
            result,
          }),
      )
      noteSave(res, 'Granskningen är sparad.', saved)
      return res.redirect(303, savedHref(plan, review.id))
    }
    const parsed = await validateForm(reviewForm, req.body, (value) => checkRisk(plan, value))
    if (!parsed.ok) {
      return renderForm(
        res,
        plan,
        { ...(await editReviewPage(plan, review)), ...formState(req.body, parsed.errors) },
        400,
      )
    }
    const saved = await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      { entity: 'review', id: review.id, planId: plan.id },
      (trx) => updateReview(trx, review.id, parsed.value.version, toRow(parsed.value)),
    )
    noteSave(res, 'Granskningen är sparad.', saved)
    res.redirect(303, savedHref(plan, review.id))
  })

  router.get('/:reviewId/ta-bort', async (req, res) => {
    const { plan, review, locked } = await load(req, res, 'edit')
    if (locked) refuseDeletingCopy('Granskningen')
    res.render('confirm-delete', {
      title: `Ta bort granskning ${review.diary_number}`,
      breadcrumbs: reviewBreadcrumbs(plan),
      question: `Vill du ta bort granskningen ${review.diary_number} ”${review.title}”?`,
      kept: review.risk_id ? 'Risken som granskades och dess åtgärder finns kvar.' : undefined,
      action: `${listHref(plan)}/${review.id}/ta-bort`,
      cancelHref: listHref(plan),
    })
  })

  router.post('/:reviewId/ta-bort', async (req, res) => {
    const { plan, review, locked } = await load(req, res, 'edit')
    if (locked) refuseDeletingCopy('Granskningen')
    await auditedTransaction(
      db,
      actorOf(res, clock),
      'delete',
      { entity: 'review', id: review.id, planId: plan.id },
      (trx) => deleteReview(trx, review.id),
    )
    setNotice(res, 'Granskningen är borttagen.')
    res.redirect(303, listHref(plan))
  })

  router.post('/:reviewId/flytta', async (req, res) => {
    const { plan, review } = await load(req, res, 'edit')
    const row = { table: 'review', id: review.id, planId: plan.id } as const
    await moveRow(db, res, actorOf(res, clock), row, req.body.direction, listHref(plan))
  })

  return router
}
