import { type Request, type Response, Router } from 'express'
import type { ExpressHandlebars } from 'express-handlebars'
import { z } from 'zod'
import { buildReportData } from '../../reports/build-data.js'
import { makeReportPdf, reportFileName } from '../../reports/make-report.js'
import type { Services } from '../app.js'
import { auditHead } from '../audit/anchor.js'
import { actorOf, audited } from '../audit/audited.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, parseForm, requiredText } from '../forms.js'
import { idFrom } from '../ids.js'
import { type PlanContext, planBreadcrumbs, requirePlan } from '../plans/require-plan.js'
import { countReportVersions, findReportVersion, insertReportVersion, listReportVersions } from './repository.js'

const finalForm = z.object({
  createdBy: requiredText('Ange vem som fastställer rapporten, till exempel namn och roll.', 200),
  // How many final versions the user saw: a second click, or a colleague's, must not store a copy unseen.
  seenVersions: z.coerce.number().int().min(0).catch(-1),
})

/** The annual follow-up report: preview, draft PDF, and final versions kept byte for byte. */
/**
 * Set on the draft PDF's download, for views/assets/app.js: the download leaves the page in place, so this is
 * how the page learns that the PDF has arrived and the link need no longer say "Skapar PDF…".
 */
export const pdfReadyCookie = 'ik_pdf_ready'

export function reportRoutes({ db, clock, pdf, config }: Services, views: ExpressHandlebars): Router {
  const router = Router({ mergeParams: true })
  const reportHref = (plan: PlanContext) => `/planer/${plan.id}/rapport`

  function sendPdf(res: Response, bytes: Uint8Array, fileName: string) {
    res.attachment(fileName).type('application/pdf').send(Buffer.from(bytes))
  }

  async function renderPreview(req: Request, res: Response, plan: PlanContext, errors: FieldErrors = {}, status = 400) {
    const [data, versions] = await Promise.all([
      buildReportData(db, plan.id, { madeAt: clock() }),
      listReportVersions(db, plan.id),
    ])
    res.status(Object.keys(errors).length > 0 ? status : 200).render('reports/preview', {
      title: data?.title,
      stylesheets: ['/assets/report.css'],
      breadcrumbs: planBreadcrumbs(plan),
      plan,
      report: data,
      versions,
      pdfReadyCookie,
      ...formState(Object.keys(errors).length > 0 ? req.body : {}, errors),
    })
  }

  router.get('/rapport', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    await renderPreview(req, res, plan)
  })

  router.get('/rapport/pdf', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const made = await makeReportPdf({ db, views, pdf }, plan.id, { madeAt: clock() })
    if (!made) throw new NotFoundError('Planen')
    res.cookie(pdfReadyCookie, '1', { path: '/', sameSite: 'strict', secure: config.production, maxAge: 60_000 })
    sendPdf(res, made.pdf, reportFileName(made.data, 'utkast'))
  })

  router.post('/rapport/faststall', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'edit')
    const parsed = parseForm(finalForm, req.body)
    if (!parsed.ok) return renderPreview(req, res, plan, parsed.errors)
    const alreadyFinal = (latest: number) =>
      renderPreview(
        req,
        res,
        plan,
        {
          createdBy: `Rapporten fastställdes nyss (version ${latest}), efter att du öppnade sidan. Se listan ovan; fastställ igen bara om en ny version behövs.`,
        },
        409,
      )
    if ((await countReportVersions(db, plan.id)) !== parsed.value.seenVersions) {
      return alreadyFinal(await countReportVersions(db, plan.id))
    }
    const made = await makeReportPdf({ db, views, pdf }, plan.id, {
      madeAt: clock(),
      final: {
        versionNumber: parsed.value.seenVersions + 1,
        by: parsed.value.createdBy,
        auditHead: await auditHead(db),
      },
    })
    if (!made) throw new NotFoundError('Planen')
    const latest = await db.transaction().execute(async (trx) => {
      const existing = await countReportVersions(trx, plan.id)
      if (existing === parsed.value.seenVersions) {
        await audited(trx, actorOf(res, clock), 'create', { entity: 'report_version', planId: plan.id }, async () => {
          const version = await insertReportVersion(trx, {
            planId: plan.id,
            versionNumber: existing + 1,
            fileName: reportFileName(made.data, `version ${existing + 1}`),
            pdf: made.pdf,
            createdAt: clock().toISOString(),
            createdBy: parsed.value.createdBy,
          })
          return version.id
        })
      }
      return existing
    })
    if (latest !== parsed.value.seenVersions) return alreadyFinal(latest)
    res.redirect(303, `${reportHref(plan)}#versions-heading`)
  })

  router.get('/rapport/versioner/:versionId', async (req, res) => {
    const plan = await requirePlan(db, req.params, res, 'read')
    const version = await findReportVersion(db, plan.id, idFrom(req.params.versionId, 'Rapportversionen'))
    if (!version) throw new NotFoundError('Rapportversionen')
    res.set('ETag', `"${version.sha256}"`)
    res.set('Cache-Control', 'private, max-age=31536000, immutable')
    sendPdf(res, version.pdf, version.file_name)
  })

  return router
}
