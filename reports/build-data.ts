import type { Db } from '../db/connection.js'
import type { MeasureStatus } from '../db/schema.js'
import { swedishDate } from '../server/dates.js'
import { listAreaMeasures, listAreas, listInspections, listLinkedRisks } from '../server/inspections/repository.js'
import { areaSummary, inspectionSummary } from '../server/inspections/view-model.js'
import { listMeasuresOfPlan } from '../server/measures/repository.js'
import { risksSinceLastYear } from '../server/next-year/repository.js'
import { findPlan } from '../server/plans/repository.js'
import { listReviews } from '../server/reviews/repository.js'
import { reviewLine } from '../server/reviews/review-line.js'
import { type RiskMatrix, riskMatrix } from '../server/risks/matrix.js'
import { listRisks } from '../server/risks/repository.js'
import { countByStatus, isOverdue, labelOf, measureStatuses, swedishOrder } from '../server/vocabulary.js'
import { formatDateTime } from '../views/helpers/date-time.js'
import decision from '../views/helpers/decision.js'

export interface ReportMeasure {
  anchor: string
  title: string
  whatToDo: string
  progress: string
  owner: string
  status: MeasureStatus
  statusLabel: string
  /** Klart senast, YYYY-MM-DD, or null when none is set. */
  dueDate: string | null
  /** Past its due date on the day the report was made, and not finished. */
  overdue: boolean
}

export interface ReportRisk {
  anchor: string
  title: string
  description: string
  /** "Ny risk för 2021", "Ändrad sedan 2020: sannolikhet 3 → 4", "Oförändrad sedan 2020"; none in a first plan. */
  sinceLastYear?: string
  measures: ReportMeasure[]
}

export interface ReportInspection {
  title: string
  authority: string
  kind: string
  principal: string
  subject: string
  authorityDiaryNumber: string
  decisionDate: string
  /** "Skickad 4 dagar för sent", "12 dagar kvar"… */
  deadlineText: string
  closed: boolean
  areas: {
    heading: string
    outcomeLabel: string
    outcomeWording: string
    stateLabel: string
    /** The linked risks of any year's plan; a risk of this plan links to its heading. */
    risks: { title: string; planYear: number; anchor?: string }[]
    measures: { title: string; statusLabel: string; owner: string; planYear: number }[]
  }[]
}

export interface ReportData {
  planId: number
  /** "Uppföljning förbättringsåtgärder 2020" */
  title: string
  year: number
  committee: string
  administration: string
  municipality: string
  /** The day the report was made in Sweden, YYYY-MM-DD: the day "Försenad" is judged on. */
  madeOn: string
  /** "Version 2, fastställd 2026-12-02 av Anna Andersson" or "Utkast 2026-12-02 17:05", on the cover and in the PDF. */
  edition: string
  /** A final version's "Ändringsloggen vid fastställandet: …", for an auditor to check with audit:verify. */
  auditHead?: string
  /** "Internkontrollplanen antogs av Grundskolenämnden: Sammanträde 2019-12-17, protokoll §180 (dnr GRF-2019-1)." */
  adoption: string
  introduction: string
  measuresIntroduction: string
  /** "GRF-2020-11639 Uppföljning av … Sammanträde 2020-06-16, protokoll §95." */
  reviews: string[]
  statusSummary: { code: MeasureStatus; label: string; count: number }[]
  measureCount: number
  overdueCount: number
  ownerSummary: { owner: string; total: number; counts: number[] }[]
  risks: ReportRisk[]
  /** The risks by likelihood and consequence, each linking to its heading. */
  riskMatrix: RiskMatrix
  /** The year's external inspections, and older ones linked to the plan's risks and measures. */
  inspections: ReportInspection[]
}

/** A draft, or the final version about to be stored under this number by this person. */
export interface ReportEdition {
  madeAt: Date
  /**
   * The log's head when it is made final, printed so that the kept PDF pins the audit log (audit:verify --rapport);
   * absent when the preview shows a version already kept, whose PDF holds it.
   */
  final?: { versionNumber: number; by: string; auditHead?: { count: number; shortHash: string; tag: string } }
}

const auditHeadLine = ({ count, shortHash, tag }: { count: number; shortHash: string; tag: string }) =>
  `Ändringsloggen vid fastställandet: ${count} rader, kontrollsumma ${shortHash}, signatur ${tag} ` +
  `(kontrolleras med audit:verify --rapport ${count}:${shortHash}:${tag}).`

/** Reads one plan into the annual follow-up report's content; undefined when there is no such plan. */
export async function buildReportData(db: Db, planId: number, edition: ReportEdition): Promise<ReportData | undefined> {
  const plan = await findPlan(db, planId)
  if (!plan) return undefined
  const madeOn = swedishDate(edition.madeAt)
  const [risks, measures, reviews, inspections, since] = await Promise.all([
    listRisks(db, planId),
    listMeasuresOfPlan(db, planId),
    listReviews(db, planId),
    reportInspections(db, plan, madeOn),
    risksSinceLastYear(db, plan),
  ])

  const statusSummary = countByStatus(measures).filter((s) => s.count > 0)
  const owners = [...new Set(measures.map((m) => m.ownerName))].sort(swedishOrder.compare)

  return {
    planId,
    title: `Uppföljning förbättringsåtgärder ${plan.year}`,
    year: plan.year,
    committee: plan.committeeName,
    administration: plan.administrationName,
    municipality: plan.municipalityName,
    madeOn,
    edition: edition.final
      ? `Version ${edition.final.versionNumber}, fastställd ${madeOn} av ${edition.final.by}`
      : `Utkast ${formatDateTime(edition.madeAt.toISOString())}`,
    auditHead: edition.final?.auditHead && auditHeadLine(edition.final.auditHead),
    adoption: adoptionOf(plan),
    introduction: plan.introduction,
    measuresIntroduction: plan.measures_introduction,
    reviews: reviews.map(reviewLine),
    statusSummary,
    measureCount: measures.length,
    overdueCount: measures.filter((m) => isOverdue(m, madeOn)).length,
    ownerSummary: owners.map((owner) => {
      const own = measures.filter((m) => m.ownerName === owner)
      return {
        owner,
        total: own.length,
        counts: statusSummary.map((s) => own.filter((m) => m.status === s.code).length),
      }
    }),
    risks: risks.map((risk) => ({
      anchor: riskAnchor(risk),
      title: risk.title,
      description: risk.description,
      sinceLastYear: since.get(risk.id)?.text,
      measures: measures
        .filter((m) => m.risk_id === risk.id)
        .map((m) => ({
          anchor: `atgard-${m.id}`,
          title: m.title,
          whatToDo: m.what_to_do,
          progress: m.progress,
          owner: m.ownerName,
          status: m.status,
          statusLabel: labelOf(measureStatuses, m.status),
          dueDate: m.due_date,
          overdue: isOverdue(m, madeOn),
        })),
    })),
    riskMatrix: riskMatrix(risks, (risk) => `#${riskAnchor(risk)}`),
    inspections,
  }
}

const riskAnchor = (risk: { id: number }) => `risk-${risk.id}`

/** The committee's decision adopting the plan, as far as it is registered; "" when nothing is. */
function adoptionOf(plan: {
  committeeName: string
  adopted_meeting_date: string | null
  adopted_minutes_paragraph: number | null
  adopted_diary_number: string
}): string {
  const meeting = decision(plan.adopted_meeting_date, plan.adopted_minutes_paragraph)
  const diary = plan.adopted_diary_number && `dnr ${plan.adopted_diary_number}`
  if (!meeting && !diary) return ''
  return `Internkontrollplanen antogs av ${plan.committeeName}${meeting && `: ${meeting}`}${diary && ` (${diary})`}.`
}

/**
 * The committee's inspections with a date in the plan's year (decision, deadline, report, approval, follow-up),
 * and those whose areas are linked to the plan's risks or measures.
 */
async function reportInspections(
  db: Db,
  plan: { id: number; committee_id: number; year: number },
  today: string,
): Promise<ReportInspection[]> {
  const all = await listInspections(db, plan.committee_id)
  const areas = await listAreas(
    db,
    all.map((i) => i.id),
  )
  const areaIds = areas.map((a) => a.id)
  const [risks, measures] = await Promise.all([listLinkedRisks(db, areaIds), listAreaMeasures(db, areaIds)])
  const linkedToPlan = new Set(
    [...risks, ...measures].filter((link) => link.planId === plan.id).map((link) => link.areaId),
  )
  const year = String(plan.year)
  const inYear = (i: (typeof all)[number]) =>
    [i.decision_date, i.report_deadline, i.report_sent_date, i.approval_meeting_date, i.follow_up_decision_date].some(
      (date) => date?.startsWith(year),
    )
  return all
    .filter((i) => inYear(i) || areas.some((a) => a.inspection_id === i.id && linkedToPlan.has(a.id)))
    .sort((a, b) => a.decision_date.localeCompare(b.decision_date))
    .map((found) => {
      const inspection = inspectionSummary(found, today)
      return {
        title: inspection.title,
        authority: inspection.authorityLabel,
        kind: inspection.kindLabel,
        principal: inspection.principal,
        subject: inspection.subject,
        authorityDiaryNumber: inspection.authority_diary_number,
        decisionDate: inspection.decision_date,
        deadlineText: inspection.deadline.text,
        closed: inspection.closed === 1,
        areas: areas
          .filter((a) => a.inspection_id === inspection.id)
          .map((area) => {
            const shown = areaSummary(area, inspection)
            return {
              heading: area.heading,
              outcomeLabel: shown.outcomeLabel,
              outcomeWording: shown.outcomeWording,
              stateLabel: shown.stateLabel,
              risks: risks
                .filter((r) => r.areaId === area.id)
                .map((r) => ({
                  title: r.title,
                  planYear: r.planYear,
                  anchor: r.planId === plan.id ? riskAnchor(r) : undefined,
                })),
              measures: measures
                .filter((m) => m.areaId === area.id)
                .map((m) => ({
                  title: m.title,
                  statusLabel: labelOf(measureStatuses, m.status),
                  owner: m.ownerName,
                  planYear: m.planYear,
                })),
            }
          }),
      }
    })
}
