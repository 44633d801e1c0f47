import type { Db } from '../db/connection.js'
import type { MeasureStatus } from '../db/schema.js'
import { listMeasuresOfPlan } from '../server/measures/repository.js'
import { findPlan } from '../server/plans/repository.js'
import { listReviews } from '../server/reviews/repository.js'
import { reviewLine } from '../server/reviews/review-line.js'
import { listRisks } from '../server/risks/repository.js'
import { countByStatus, labelOf, measureStatuses } from '../server/vocabulary.js'

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
  measures: ReportMeasure[]
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
}

/** Every heading the table of contents points at, in document order. */
export function reportAnchors(data: ReportData): string[] {
  return data.risks.flatMap((risk) => [risk.anchor, ...risk.measures.map((m) => m.anchor)])
}

const collator = new Intl.Collator('sv-SE')

/** Reads one plan into the annual follow-up report's content; undefined when there is no such plan. */
export async function buildReportData(
  db: Db,
  planId: number,
  options: { madeOn: string; final: boolean },
): Promise<ReportData | undefined> {
  const plan = await findPlan(db, planId)
  if (!plan) return undefined
  const [risks, measures, reviews] = await Promise.all([
    listRisks(db, planId),
    listMeasuresOfPlan(db, planId),
    listReviews(db, planId),
  ])

  const statusSummary = countByStatus(measures).filter((s) => s.count > 0)
  const owners = [...new Set(measures.map((m) => m.ownerName))].sort(collator.compare)

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
      anchor: `risk-${risk.id}`,
      title: risk.title,
      description: risk.description,
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
  }
}
