import type { Db } from '../db/connection.js'
import type { MeasureStatus } from '../db/schema.js'
import { listAreaMeasures, listAreas, listInspections, listLinkedRisks } from '../server/inspections/repository.js'
import { areaSummary, inspectionSummary } from '../server/inspections/view-model.js'
import { listMeasuresOfPlan } from '../server/measures/repository.js'
import { risksSinceLastYear } from '../server/next-year/repository.js'
import { findPlan } from '../server/plans/repository.js'
import { listReviews } from '../server/reviews/repository.js'
import { reviewLine } from '../server/reviews/review-line.js'
import { type RiskMatrix, riskMatrix } from '../server/risks/matrix.js'
import { listRisks } from '../server/risks/repository.js'
import { countByStatus, labelOf, measureStatuses, swedishOrder } from '../server/vocabulary.js'

export interface ReportMeasure {
  anchor: string
  title: string
  whatToDo: string
  progress: string
  owner: string
  status: MeasureStatus
  statusLabel: string
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
  /** The day the report was made, YYYY-MM-DD. */
  madeOn: string
  final: boolean
  introduction: string
  measuresIntroduction: string
  /** "GRF-2020-11639 Uppföljning av … Sammanträde 2020-06-16, protokoll §95." */
  reviews: string[]
  statusSummary: { code: MeasureStatus; label: string; count: number }[]
  ownerSummary: { owner: string; total: number; counts: number[] }[]
  risks: ReportRisk[]
  /** The risks by likelihood and consequence, each linking to its heading. */
  riskMatrix: RiskMatrix
  /** The year's external inspections, and older ones linked to the plan's risks and measures. */
  inspections: ReportInspection[]
}

/** Reads one plan into the annual follow-up report's content; undefined when there is no such plan. */
export async function buildReportData(
  db: Db,
  planId: number,
  options: { madeOn: string; final: boolean },
): Promise<ReportData | undefined> {
  const plan = await findPlan(db, planId)
  if (!plan) return undefined
  const [risks, measures, reviews, inspections, since] = await Promise.all([
    listRisks(db, planId),
    listMeasuresOfPlan(db, planId),
    listReviews(db, planId),
    reportInspections(db, plan, options.madeOn),
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
    madeOn: options.madeOn,
    final: options.final,
    introduction: plan.introduction,
    measuresIntroduction: plan.measures_introduction,
    reviews: reviews.map(reviewLine),
    statusSummary,
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
        })),
    })),
    riskMatrix: riskMatrix(risks, (risk) => `#${riskAnchor(risk)}`),
    inspections,
  }
}

const riskAnchor = (risk: { id: number }) => `risk-${risk.id}`

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
