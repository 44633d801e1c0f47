import { type Request, type Response, Router } from 'express'
import type { ExpressHandlebars } from 'express-handlebars'
import { buildReportData } from '../../reports/build-data.js'
import { makeReportPdf, reportFileName } from '../../reports/make-report.js'
import type { Services } from '../app.js'
import { auditHead } from '../audit/anchor.js'
import { actorOf, audited } from '../audit/audited.js'
import { changedAfter, changedSince } from '../audit/repository.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { frozenOpenData, openPlanDocument } from '../open-data/document.js'
import { pdfAskedFrom, pdfReadyCookie, sendPdfDownload, sendStoredPdf } from '../pdf-download.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { finalizeVersion, parseFinalForm } from './finalize.js'
import { countReportVersions, findReportVersion, insertReportVersion, listReportVersions } from './repository.js'

const createdByMessage = 'Ange vem som fastställer rapporten, till exempel namn och roll.'

/** The annual follow-up report: preview, draft PDF, and final versions kept byte for byte. */
export function reportRoutes({ db, clock, pdf, config }: Services, views: ExpressHandlebars): Router {
  const router = Router({ mergeParams: true })
  const reportHref = (plan: PlanContext) => `/planer/${plan.id}/rapport`

  /** The preview; after a post that failed, with its errors (or why the PDF could not be made) and the input kept. */
  async function renderPreview(
    req: Request,
    res: Response,
    plan: PlanContext,
    { errors = {}, status = 400, unavailable }: { errors?: FieldErrors; status?: number; unavailable?: string } = {},
  ) {
    const failed = Object.keys(errors).length > 0 || unavailable !== undefined
    const versions = await listReportVersions(db, plan.id)
    const [latest] = versions
    // Unchanged since its latest final version, the report is that version: made as of then, and named so.
    const edition =
      latest && !(await changedSince(db, plan, latest.id))
        ? {
            madeAt: new Date(latest.created_at),
            final: { versionNumber: latest.version_number, by: latest.created_by },
          }
        : { madeAt: clock() }
    const data = await buildReportData(db, plan.id, edition)
    if (!data) throw new NotFoundError('Planen')
    res.status(failed ? status : 200).render('reports/preview', {
      title: `Förhandsvisning: ${data.title}`,
      stylesheets: ['/assets/report.css'],
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      report: data,
      versions,
      finalVersion: edition.final && latest,
      pdfReadyCookie,
      unavailable,
      ...formState(failed ? req.body : {}, errors),
    })
  }

  router.get('/rapport', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    await renderPreview(req, res, plan)
  })

  router.get('/rapport/pdf', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    pdfAskedFrom(res, reportHref(plan), 'Tillbaka till rapporten')
    const made = await makeReportPdf({ db, views, pdf }, plan.id, { madeAt: clock() })
    if (!made) throw new NotFoundError('Planen')
    sendPdfDownload(res, made.pdf, reportFileName(made.data, 'utkast'), config.production)
  })

  router.post('/rapport/faststall', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = parseFinalForm(createdByMessage, req.body)
    if (!parsed.ok) return renderPreview(req, res, plan, { errors: parsed.errors })
    const alreadyFinal = (latest: number) =>
      renderPreview(req, res, plan, {
        errors: {
          createdBy: `Rapporten fastställdes nyss (version ${latest}), efter att du öppnade sidan. Se listan ovan; fastställ igen bara om en ny version behövs.`,
        },
        status: 409,
      })
    const { createdBy, seenVersions } = parsed.value
    const finalized = await finalizeVersion(db, {
      seenVersions,
      count: (d) => countReportVersions(d, plan.id),
      make: async (versionNumber) => {
        // The open data is read with the report, from the same moment: the copy frozen with the version is the PDF's
        // plan. The log's head is read first, so a change logged after it is one the reads may have seen.
        const madeAt = clock()
        const head = await auditHead(db)
        const openData = await openPlanDocument(db, plan.id, { now: madeAt })
        const made = await makeReportPdf({ db, views, pdf }, plan.id, {
          madeAt,
          final: { versionNumber, by: createdBy, auditHead: head },
        })
        if (!made || !openData) throw new NotFoundError('Planen')
        return { ...made, openData, seenEventId: head.count }
      },
      // Printing takes seconds; a change logged meanwhile would make the PDF and its open-data copy tell different plans.
      unchanged: async (trx, made) => !(await changedAfter(trx, plan, made.seenEventId)),
      store: (trx, versionNumber, made) =>
        audited(trx, actorOf(res, clock), 'create', { entity: 'report_version', planId: plan.id }, async () => {
          const createdAt = clock().toISOString()
          const version = await insertReportVersion(trx, {
            planId: plan.id,
            versionNumber,
            fileName: reportFileName(made.data, `version ${versionNumber}`),
            pdf: made.pdf,
            createdAt,
            createdBy,
            openData: (sha256) => frozenOpenData(made.openData, { versionNumber, createdAt, sha256 }),
          })
          return version.id
        }),
    })
    switch (finalized.outcome) {
      case 'alreadyFinal':
        return alreadyFinal(finalized.latest)
      case 'changed':
        return renderPreview(req, res, plan, {
          errors: {
            createdBy:
              'Planen ändrades medan rapporten skapades, så rapporten är inte fastställd. Granska förhandsvisningen och fastställ igen.',
          },
          status: 409,
        })
      case 'unavailable':
        // Nothing is stored yet. A post is not repeated by itself: the user sends the kept form again.
        res.set('Retry-After', String(finalized.error.retryAfterSeconds ?? 60))
        return renderPreview(req, res, plan, { status: 503, unavailable: finalized.error.message })
      case 'stored':
        setNotice(res, `Rapporten är fastställd som version ${finalized.versionNumber}.`)
        return res.redirect(303, `${reportHref(plan)}#versions-heading`)
    }
  })

  router.get('/rapport/versioner/:versionId', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const version = await findReportVersion(db, plan.id, idFrom(req.params.versionId, 'Rapportversionen'))
    if (!version) throw new NotFoundError('Rapportversionen')
    sendStoredPdf(res, version)
  })

  return router
}
