import type { Db } from '../db/connection.js'
import type { MeasureStatus } from '../db/schema.js'
import { NotFoundError } from '../server/errors.js'
import { findInspection, listAreaMeasures, listAreas } from '../server/inspections/repository.js'
import type { AccountSigner } from '../server/inspections/schema.js'
import { inspectionSummary } from '../server/inspections/view-model.js'
import { isFinished, labelOf, measureStatuses } from '../server/vocabulary.js'
import decision from '../views/helpers/decision.js'
import type { ReportDeps } from './make-report.js'
import { renderPrintHtml } from './render-html.js'

// "Redovisning av vidtagna åtgärder": the municipality's report to the authority on one inspection.

export interface AccountMeasure {
  title: string
  status: MeasureStatus
  statusLabel: string
  owner: string
  dueDate: string | null
  whatToDo: string
  progress: string
}

export interface AuthorityReportData {
  title: string
  municipality: string
  committee: string
  administration: string
  /** The day it was sent to the authority once that is registered, until then the day it is made. */
  letterDate: string
  authority: string
  inspectionTitle: string
  kind: string
  authorityDiaryNumber: string
  principal: string
  subject: string
  decisionDate: string
  reportDeadline: string | null
  /** "Sammanträde 2021-09-15, protokoll §122", or "" before the committee has approved it. */
  approval: string
  signer: AccountSigner
  areas: {
    heading: string
    legalBasis: string
    requiredDevelopment: string
    /** Work done. */
    taken: AccountMeasure[]
    /** Work not yet done: what will be done, and by when. */
    planned: AccountMeasure[]
  }[]
}

// A cancelled measure was neither taken nor is it planned: the authority is told what is done and what will be.
const reported = (status: MeasureStatus) => status !== 'cancelled'

/** The report is dated the day it went to the authority, so a copy made later still reads as the one sent. */
export const accountDate = (inspection: { report_sent_date: string | null }, today: string): string =>
  inspection.report_sent_date ?? today

export interface AccountOptions {
  today: string
  signer: AccountSigner
}

export async function buildAuthorityReportData(
  db: Db,
  inspectionId: number,
  { today, signer }: AccountOptions,
): Promise<AuthorityReportData> {
  const found = await findInspection(db, inspectionId)
  if (!found) throw new NotFoundError('Granskningen')
  const inspection = inspectionSummary(found, today)
  const areas = await listAreas(db, [inspection.id])
  const measures = (
    await listAreaMeasures(
      db,
      areas.map((a) => a.id),
    )
  ).filter((m) => reported(m.status))
  const account = (m: (typeof measures)[number]): AccountMeasure => ({
    title: m.title,
    status: m.status,
    statusLabel: labelOf(measureStatuses, m.status),
    owner: m.ownerName,
    dueDate: m.due_date,
    whatToDo: m.what_to_do,
    progress: m.progress,
  })
  return {
    title: 'Redovisning av vidtagna åtgärder',
    municipality: inspection.municipalityName,
    committee: inspection.committeeName,
    administration: inspection.administrationName,
    letterDate: accountDate(inspection, today),
    authority: inspection.authorityLabel,
    inspectionTitle: inspection.title,
    kind: inspection.kindLabel,
    authorityDiaryNumber: inspection.authority_diary_number,
    principal: inspection.principal,
    subject: inspection.subject,
    decisionDate: inspection.decision_date,
    reportDeadline: inspection.report_deadline,
    approval: decision(inspection.approval_meeting_date, inspection.approval_minutes_paragraph),
    signer,
    areas: areas.map((area) => {
      const own = measures.filter((m) => m.areaId === area.id)
      return {
        heading: area.heading,
        legalBasis: area.legal_basis,
        requiredDevelopment: area.required_development,
        taken: own.filter((m) => isFinished(m.status)).map(account),
        planned: own.filter((m) => !isFinished(m.status)).map(account),
      }
    }),
  }
}

/** The report to the authority as a PDF. */
export async function makeAuthorityReportPdf(
  { db, views, pdf }: ReportDeps,
  inspectionId: number,
  options: AccountOptions,
): Promise<Uint8Array> {
  const data = await buildAuthorityReportData(db, inspectionId, options)
  const printed = await pdf.printWithPageNumbers(await renderPrintHtml(views, 'authority-report', data))
  return printed.pdf
}
