import { type Request, type Response, Router } from 'express'
import type { ExpressHandlebars } from 'express-handlebars'
import { makeRollupReportPdf, rollupReportFileName, rollupReportTitle } from '../../reports/rollup-report.js'
import type { Services } from '../app.js'
import { auditHead } from '../audit/anchor.js'
import { actorOf, audited } from '../audit/audited.js'
import { NotFoundError } from '../errors.js'
import { type FieldErrors, formState, parseForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { pdfAskedFrom, pdfReadyCookie, sendPdfDownload, sendStoredPdf } from '../pdf-download.js'
import { finalizeVersion, parseFinalForm } from '../reports/finalize.js'
import {
  countRollupReportVersions,
  findRollupReportVersion,
  insertRollupReportVersion,
  listRollupReportVersions,
} from './report-repository.js'
import { listAdministrationsOf } from './repository.js'
import { requireMunicipality } from './require-municipality.js'
import { rollupFilter } from './schema.js'
import { rollupBreadcrumbs, rollupHref } from './view-model.js'

const createdByMessage = 'Ange vem som fastställer sammanställningen, till exempel namn och roll.'

/**
 * The roll-up report for kommunstyrelsen: a draft PDF (of the whole municipality or one administration), and final
 * versions of the whole municipality's, kept byte for byte as the committees' follow-up reports are.
 */
export function rollupReportRoutes({ db, clock, pdf, config }: Services, views: ExpressHandlebars): Router {
  const router = Router()

  /** The municipality and year of the address, or the 404 or 403 that stops the request. */
  async function reportOf(req: Request, res: Response, may: 'read' | 'write') {
    const { municipality, year, mayWrite } = await requireMunicipality(db, req.params, res, may)
    return { municipality, year, mayFinalize: mayWrite }
  }

  /** The page; after a post that failed, with its errors (or why the PDF could not be made) and the input kept. */
  async function renderPage(
    req: Request,
    res: Response,
    of: Awaited<ReturnType<typeof reportOf>>,
    { errors = {}, status = 400, unavailable }: { errors?: FieldErrors; status?: number; unavailable?: string } = {},
  ) {
    const { municipality, year, mayFinalize } = of
    const failed = Object.keys(errors).length > 0 || unavailable !== undefined
    const administrations = await listAdministrationsOf(db, municipality.id)
    // A filter that names no administration of the municipality is dropped: the draft is then the whole municipality's.
    const parsed = parseForm(rollupFilter(administrations.map((a) => a.id)), req.method === 'GET' ? req.query : {})
    const administration = parsed.ok ? administrations.find((a) => a.id === parsed.value.forvaltning) : undefined
    const administrationId = administration?.id ?? null
    res.status(failed ? status : 200).render('rollup/report', {
      title: `Sammanställning för kommunstyrelsen ${year}`,
      breadcrumbs: rollupBreadcrumbs(municipality.id, year, administrationId),
      municipality,
      year,
      administration,
      reportTitle: rollupReportTitle(year),
      draftHref: rollupHref(municipality.id, year, administrationId, '/sammanstallning/pdf'),
      wholeHref: rollupHref(municipality.id, year, null, '/sammanstallning'),
      finalAction: rollupHref(municipality.id, year, null, '/sammanstallning/faststall'),
      versions: (await listRollupReportVersions(db, municipality.id, year)).map((v) => ({
        ...v,
        href: rollupHref(municipality.id, year, null, `/sammanstallning/versioner/${v.id}`),
      })),
      mayFinalize,
      pdfReadyCookie,
      unavailable,
      ...formState(failed ? req.body : {}, errors),
    })
  }

  router.get('/:municipalityId/:year/sammanstallning', async (req, res) => {
    await renderPage(req, res, await reportOf(req, res, 'read'))
  })

  router.get('/:municipalityId/:year/sammanstallning/pdf', async (req, res) => {
    const { municipality, year } = await reportOf(req, res, 'read')
    const administrations = await listAdministrationsOf(db, municipality.id)
    const parsed = parseForm(rollupFilter(administrations.map((a) => a.id)), req.query)
    if (!parsed.ok) throw new NotFoundError('Förvaltningen')
    const administrationId = parsed.value.forvaltning
    pdfAskedFrom(
      res,
      rollupHref(municipality.id, year, administrationId, '/sammanstallning'),
      'Tillbaka till sammanställningen',
    )
    const made = await makeRollupReportPdf(
      { db, views, pdf },
      { municipalityId: municipality.id, year, administrationId },
      { madeAt: clock() },
    )
    if (!made) throw new NotFoundError('Kommunen')
    const selection = administrations.find((a) => a.id === administrationId)
    sendPdfDownload(
      res,
      made.pdf,
      rollupReportFileName(made.data, selection ? `utkast, ${selection.name}` : 'utkast'),
      config.production,
    )
  })

  router.post('/:municipalityId/:year/sammanstallning/faststall', async (req, res) => {
    const of = await reportOf(req, res, 'write')
    const { municipality, year } = of
    const parsed = parseFinalForm(createdByMessage, req.body)
    if (!parsed.ok) return renderPage(req, res, of, { errors: parsed.errors })
    const { createdBy, seenVersions } = parsed.value
    const alreadyFinal = (latest: number) =>
      renderPage(req, res, of, {
        errors: {
          createdBy: `Sammanställningen fastställdes nyss (version ${latest}), efter att du öppnade sidan. Se listan ovan; fastställ igen bara om en ny version behövs.`,
        },
        status: 409,
      })
    const finalized = await finalizeVersion(db, {
      seenVersions,
      count: (d) => countRollupReportVersions(d, municipality.id, year),
      make: async (versionNumber) => {
        const made = await makeRollupReportPdf(
          { db, views, pdf },
          { municipalityId: municipality.id, year, administrationId: null },
          { madeAt: clock(), final: { versionNumber, by: createdBy, auditHead: await auditHead(db) } },
        )
        if (!made) throw new NotFoundError('Kommunen')
        return made
      },
      store: (trx, versionNumber, made) =>
        audited(trx, actorOf(res, clock), 'create', { entity: 'rollup_report_version', planId: null }, () =>
          insertRollupReportVersion(trx, {
            municipalityId: municipality.id,
            year,
            versionNumber,
            fileName: rollupReportFileName(made.data, `version ${versionNumber}`),
            pdf: made.pdf,
            createdAt: clock().toISOString(),
            createdBy,
          }),
        ),
    })
    switch (finalized.outcome) {
      case 'alreadyFinal':
        return alreadyFinal(finalized.latest)
      case 'changed':
        throw new Error('The roll-up is final as printed: it asks no `unchanged`, so nothing reports it changed.')
      case 'unavailable':
        // Nothing is stored yet. A post is not repeated by itself: the user sends the kept form again.
        res.set('Retry-After', String(finalized.error.retryAfterSeconds ?? 60))
        return renderPage(req, res, of, { status: 503, unavailable: finalized.error.message })
      case 'stored':
        setNotice(res, `Sammanställningen är fastställd som version ${finalized.versionNumber}.`)
        return res.redirect(303, `${rollupHref(municipality.id, year, null, '/sammanstallning')}#versions-heading`)
    }
  })

  router.get('/:municipalityId/:year/sammanstallning/versioner/:rollupVersionId', async (req, res) => {
    const { municipality, year } = await reportOf(req, res, 'read')
    const version = await findRollupReportVersion(
      db,
      municipality.id,
      year,
      idFrom(req.params.rollupVersionId, 'Versionen'),
    )
    if (!version) throw new NotFoundError('Versionen')
    sendStoredPdf(res, version)
  })

  return router
}
