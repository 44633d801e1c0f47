import { type Request, type Response, Router } from 'express'
import type { ExpressHandlebars } from 'express-handlebars'
import { accountDate, makeAuthorityReportPdf } from '../../reports/authority-report.js'
import type { Services } from '../app.js'
import { actorOf, auditedTransaction } from '../audit/audited.js'
import { historyOf } from '../audit/history.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { swedishDate } from '../dates.js'
import { type FieldErrors, formState, parseForm, validateForm } from '../forms.js'
import { setNotice } from '../notice.js'
import { pdfAskedFrom, sendPdfDownload } from '../pdf-download.js'
import { listOwnCommittees } from '../plans/repository.js'
import { noteSave } from '../versioned.js'
import { deleteAreaAudited } from './delete-area.js'
import {
  deleteInspection,
  insertInspection,
  listAreaMeasures,
  listAreas,
  listInspections,
  updateInspection,
} from './repository.js'
import {
  auditTarget,
  type InspectionContext,
  inspectionBreadcrumbs,
  inspectionHref,
  registerHref,
  requireInspection,
} from './require-inspection.js'
import {
  accountSignerForm,
  authorityOptions,
  checkInspectionDates,
  type InspectionForm,
  inspectionForm,
  kindOptions,
} from './schema.js'
import { areaSummary, dueReports, inspectionSummary, offeredFromYear } from './view-model.js'

/** The register of external inspections, its deadline page, and each inspection with its development areas. */
export function inspectionRoutes({ db, clock, pdf, config }: Services, views: ExpressHandlebars): Router {
  const router = Router()
  const today = () => swedishDate(clock())
  const load = (req: Request, res: Response, access: 'read' | 'edit') => requireInspection(db, req.params, res, access)

  /** The inspections of the committees this person may read, with their development areas. */
  async function readableInspections(res: Response) {
    const viewer = viewerOf(res)
    const inspections = (await listInspections(db)).filter((i) => can.readCommittee(viewer, i))
    const areas = await listAreas(
      db,
      inspections.map((i) => i.id),
    )
    return inspections.map((inspection) => ({
      ...inspectionSummary(inspection, today()),
      areas: areas.filter((a) => a.inspection_id === inspection.id).map((a) => areaSummary(a, inspection)),
    }))
  }

  const ownCommittees = (res: Response) => listOwnCommittees(db, viewerOf(res))

  async function renderForm(res: Response, locals: object, status = 200) {
    const committees = await ownCommittees(res)
    res.status(status).render('inspections/form', {
      ...locals,
      committeeOptions: committees.map((c) => ({ value: c.id, label: `${c.name} (${c.municipalityName})` })),
      authorityOptions,
      kindOptions,
    })
  }

  /** The committee must be one of the secretary's own; an inspection with areas stays with its committee. */
  async function checkInspection(res: Response, value: InspectionForm, existing: InspectionContext | null) {
    const errors: FieldErrors = checkInspectionDates(value)
    if (!(await ownCommittees(res)).some((c) => c.id === value.committeeId)) {
      errors.committeeId = 'Välj en nämnd i listan.'
    } else if (existing && existing.committee_id !== value.committeeId) {
      if ((await listAreas(db, [existing.id])).length > 0) {
        errors.committeeId = 'Granskningen har utvecklingsområden och kan inte flyttas till en annan nämnd.'
      }
    }
    return errors
  }

  const toRow = (v: InspectionForm) => ({
    committee_id: v.committeeId,
    authority: v.authority,
    kind: v.kind,
    title: v.title,
    authority_diary_number: v.authorityDiaryNumber,
    principal: v.principal,
    subject: v.subject,
    period: v.period,
    decision_date: v.decisionDate,
    report_deadline: v.reportDeadline,
    approval_meeting_date: v.approvalMeetingDate,
    approval_minutes_paragraph: v.approvalMinutesParagraph,
    report_sent_date: v.reportSentDate,
    follow_up_decision_date: v.followUpDecisionDate,
    closed: v.closed ? 1 : 0,
    signatories: v.signatories,
  })

  const newInspectionPage = {
    title: 'Registrera extern granskning',
    breadcrumbs: inspectionBreadcrumbs(),
    action: `${registerHref}/ny`,
    submitLabel: 'Registrera granskningen',
    cancelHref: registerHref,
  }
  const editInspectionPage = (inspection: InspectionContext) => ({
    title: `Redigera extern granskning: ${inspection.title}`,
    breadcrumbs: inspectionBreadcrumbs(inspection),
    action: `${inspectionHref(inspection)}/redigera`,
    submitLabel: 'Spara ändringarna',
    cancelHref: inspectionHref(inspection),
  })

  router.get('/', async (_req, res) => {
    const inspections = await readableInspections(res)
    res.render('inspections/index', {
      title: 'Externa granskningar',
      mayCreate: (await ownCommittees(res)).length > 0,
      inspections: inspections.map((i) => ({ ...i, openCount: i.areas.filter((a) => a.state === 'open').length })),
      openAreas: inspections.flatMap((i) =>
        i.areas
          .filter((a) => a.state === 'open')
          .map((a) => ({ ...a, inspection: i, offeredFrom: offeredFromYear(i) })),
      ),
    })
  })

  router.get('/tidsfrister', async (_req, res) => {
    const inspections = await readableInspections(res)
    res.render('inspections/deadlines', {
      title: 'Tidsfrister för redovisningar',
      breadcrumbs: inspectionBreadcrumbs(),
      today: today(),
      due: dueReports(inspections),
      sent: inspections
        .filter((i) => i.deadline.kind === 'sent')
        .sort((a, b) => String(b.report_sent_date).localeCompare(String(a.report_sent_date))),
      none: inspections.filter((i) => i.deadline.kind === 'none'),
    })
  })

  router.get('/ny', async (_req, res) => {
    const committees = await ownCommittees(res)
    authorize(committees.length > 0)
    await renderForm(res, {
      ...newInspectionPage,
      ...formState({ committeeId: committees[0]?.id, authority: 'skolinspektionen' }),
    })
  })

  router.post('/ny', async (req, res) => {
    authorize((await ownCommittees(res)).length > 0)
    const parsed = await validateForm(inspectionForm, req.body, (value) => checkInspection(res, value, null))
    if (!parsed.ok) return renderForm(res, { ...newInspectionPage, ...formState(req.body, parsed.errors) }, 400)
    const row = toRow(parsed.value)
    const id = await auditedTransaction(db, actorOf(res, clock), 'create', auditTarget('inspection', row), (trx) =>
      insertInspection(trx, row),
    )
    setNotice(res, 'Den externa granskningen är tillagd.')
    res.redirect(303, `${registerHref}/${id}`)
  })

  /** The inspection's page, with the form that makes its report to the authority (kept as typed when refused). */
  async function renderInspection(
    res: Response,
    inspection: InspectionContext,
    account: ReturnType<typeof formState>,
    status = 200,
  ) {
    const areas = (await listAreas(db, [inspection.id])).map((a) => areaSummary(a, inspection))
    const [measures, recordHistory] = await Promise.all([
      listAreaMeasures(
        db,
        areas.map((a) => a.id),
      ),
      historyOf(db, 'inspection', inspection.id),
    ])
    res.status(status).render('inspections/show', {
      recordHistory,
      title: `Extern granskning: ${inspection.title}`,
      breadcrumbs: inspectionBreadcrumbs(),
      inspection: inspectionSummary(inspection, today()),
      areas: areas.map((a) => ({ ...a, measureCount: measures.filter((m) => m.areaId === a.id).length })),
      ...account,
      accountDate: accountDate(inspection, today()),
      accountSent: inspection.report_sent_date !== null,
    })
  }

  router.get('/:inspectionId', async (req, res) => {
    const inspection = await load(req, res, 'read')
    const { name, email } = viewerOf(res)
    await renderInspection(res, inspection, formState({ name, role: 'Kontaktperson', email, phone: '' }))
  })

  router.get('/:inspectionId/redigera', async (req, res) => {
    const inspection = await load(req, res, 'edit')
    await renderForm(res, {
      ...editInspectionPage(inspection),
      ...formState({
        committeeId: inspection.committee_id,
        authority: inspection.authority,
        kind: inspection.kind,
        title: inspection.title,
        authorityDiaryNumber: inspection.authority_diary_number,
        principal: inspection.principal,
        subject: inspection.subject,
        period: inspection.period,
        decisionDate: inspection.decision_date,
        reportDeadline: inspection.report_deadline ?? '',
        approvalMeetingDate: inspection.approval_meeting_date ?? '',
        approvalMinutesParagraph: inspection.approval_minutes_paragraph ?? '',
        reportSentDate: inspection.report_sent_date ?? '',
        followUpDecisionDate: inspection.follow_up_decision_date ?? '',
        closed: inspection.closed ? 'on' : '',
        signatories: inspection.signatories,
        version: inspection.version,
      }),
    })
  })

  router.post('/:inspectionId/redigera', async (req, res) => {
    const inspection = await load(req, res, 'edit')
    const parsed = await validateForm(inspectionForm, req.body, (value) => checkInspection(res, value, inspection))
    if (!parsed.ok) {
      return renderForm(res, { ...editInspectionPage(inspection), ...formState(req.body, parsed.errors) }, 400)
    }
    const saved = await auditedTransaction(
      db,
      actorOf(res, clock),
      'update',
      // Logged under the committee it belongs to from now on, whose secretary sees its history.
      auditTarget('inspection', { committee_id: parsed.value.committeeId }, inspection.id),
      (trx) => updateInspection(trx, inspection.id, parsed.value.version, toRow(parsed.value)),
    )
    noteSave(res, 'Den externa granskningen är sparad.', saved)
    res.redirect(303, inspectionHref(inspection))
  })

  router.get('/:inspectionId/ta-bort', async (req, res) => {
    const inspection = await load(req, res, 'edit')
    const areas = await listAreas(db, [inspection.id])
    res.render('confirm-delete', {
      title: `Ta bort extern granskning: ${inspection.title}`,
      breadcrumbs: inspectionBreadcrumbs(inspection),
      question: `Vill du ta bort den externa granskningen ”${inspection.title}”?`,
      consequences: areas.map((a) => `Utvecklingsområde: ${a.heading}, med kopplingar till risker och åtgärder`),
      kept:
        areas.length > 0
          ? 'Riskerna och åtgärderna som områdena är kopplade till finns kvar i sina planer.'
          : undefined,
      action: `${inspectionHref(inspection)}/ta-bort`,
      cancelHref: inspectionHref(inspection),
    })
  })

  router.post('/:inspectionId/ta-bort', async (req, res) => {
    const inspection = await load(req, res, 'edit')
    const actor = actorOf(res, clock)
    await auditedTransaction(db, actor, 'delete', auditTarget('inspection', inspection, inspection.id), async (trx) => {
      // What the delete takes along or unlinks, each in the log (see auditCascade).
      for (const area of await listAreas(trx, [inspection.id])) {
        await deleteAreaAudited(trx, actor, inspection, area.id)
      }
      await deleteInspection(trx, inspection.id)
    })
    setNotice(res, 'Den externa granskningen är borttagen.')
    res.redirect(303, registerHref)
  })

  router.get('/:inspectionId/redovisning', async (req, res) => {
    const inspection = await load(req, res, 'edit')
    // A GET, as making the PDF changes nothing: the signer's name and role travel in the query string.
    const signer = parseForm(accountSignerForm, req.query)
    if (!signer.ok) return renderInspection(res, inspection, formState(req.query, signer.errors), 400)
    pdfAskedFrom(res, inspectionHref(inspection), 'Tillbaka till granskningen')
    const made = await makeAuthorityReportPdf({ db, views, pdf }, inspection.id, {
      today: today(),
      signer: signer.value,
    })
    const name = `Redovisning av vidtagna åtgärder – ${inspection.principal || inspection.title}.pdf`
    sendPdfDownload(res, made, name, config.production)
  })

  return router
}
