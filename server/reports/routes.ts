import { type Request, type Response, Router } from 'express'
import type { ExpressHandlebars } from 'express-handlebars'
import { z } from 'zod'
import { buildReportData } from '../../reports/build-data.js'
import { makeReportPdf, reportFileName } from '../../reports/make-report.js'
import type { Services } from '../app.js'
import { auditHead } from '../audit/anchor.js'
import { actorOf, audited } from '../audit/audited.js'
import { changedSince } from '../audit/repository.js'
import { NotFoundError, ServiceUnavailableError } from '../errors.js'
import { type FieldErrors, formState, parseForm, requiredText } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { frozenOpenData } from '../open-data/document.js'
import { pdfAskedFrom, pdfReadyCookie, sendPdfDownload } from '../pdf-download.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { countReportVersions, findReportVersion, insertReportVersion, listReportVersions } from './repository.js'

const finalForm = z.object({
  createdBy: requiredText('Ange vem som fastställer rapporten, till exempel namn och roll.', 200),
  // How many final versions the user saw: a second click, or a colleague's, must not store a copy unseen.
  seenVersions: z.coerce.number().int().min(0).catch(-1),
})

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
    const parsed = parseForm(finalForm, req.body)
    if (!parsed.ok) return renderPreview(req, res, plan, { errors: parsed.errors })
    const alreadyFinal = (latest: number) =>
      renderPreview(req, res, plan, {
        errors: {
          createdBy: `Rapporten fastställdes nyss (version ${latest}), efter att du öppnade sidan. Se listan ovan; fastställ igen bara om en ny version behövs.`,
        },
        status: 409,
      })
    if ((await countReportVersions(db, plan.id)) !== parsed.value.seenVersions) {
      return alreadyFinal(await countReportVersions(db, plan.id))
    }
    let made: Awaited<ReturnType<typeof makeReportPdf>>
    try {
      made = await makeReportPdf({ db, views, pdf }, plan.id, {
        madeAt: clock(),
        final: {
          versionNumber: parsed.value.seenVersions + 1,
          by: parsed.value.createdBy,
          auditHead: await auditHead(db),
        },
      })
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error
      // Nothing is stored yet. A post is not repeated by itself: the user sends the kept form again.
      res.set('Retry-After', String(error.retryAfterSeconds ?? 60))
      return renderPreview(req, res, plan, { status: 503, unavailable: error.message })
    }
    if (!made) throw new NotFoundError('Planen')
    const latest = await db.transaction().execute(async (trx) => {
      const existing = await countReportVersions(trx, plan.id)
      if (existing === parsed.value.seenVersions) {
        await audited(trx, actorOf(res, clock), 'create', { entity: 'report_version', planId: plan.id }, async () => {
          const createdAt = clock().toISOString()
          const version = await insertReportVersion(trx, {
            planId: plan.id,
            versionNumber: existing + 1,
            fileName: reportFileName(made.data, `version ${existing + 1}`),
            pdf: made.pdf,
            createdAt,
            createdBy: parsed.value.createdBy,
            // The plan's open data as it stands with this version, frozen in the same transaction.
            openData: await frozenOpenData(trx, plan.id, { versionNumber: existing + 1, createdAt, pdf: made.pdf }),
          })
          return version.id
        })
      }
      return existing
    })
    if (latest !== parsed.value.seenVersions) return alreadyFinal(latest)
    setNotice(res, `Rapporten är fastställd som version ${latest + 1}.`)
    res.redirect(303, `${reportHref(plan)}#versions-heading`)
  })

  router.get('/rapport/versioner/:versionId', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const version = await findReportVersion(db, plan.id, idFrom(req.params.versionId, 'Rapportversionen'))
    if (!version) throw new NotFoundError('Rapportversionen')
    res.set('ETag', `"${version.sha256}"`)
    res.set('Cache-Control', 'private, max-age=31536000, immutable')
    res.attachment(version.file_name).type('application/pdf').send(Buffer.from(version.pdf))
  })

  return router
}
