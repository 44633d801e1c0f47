import type { Db } from '../db/connection.js'
import type { MeasureStatus } from '../db/schema.js'
import { swedishDate } from '../server/dates.js'
import { rollupFigures } from '../server/rollup/figures.js'
import {
  listItemCopies,
  listItemsWithCommittees,
  listOverdueMeasures,
  listScoredRisks,
} from '../server/rollup/report-repository.js'
import { findMunicipality, listAdministrationsOf, type RollupScope } from '../server/rollup/repository.js'
import type { CombinedMatrix } from '../server/rollup/view-model.js'
import {
  decisionBody,
  isFinished,
  isOverdue,
  labelOf,
  measureStatuses,
  riskScore,
  riskTreatments,
  type ScoreBand,
  scoreBand,
} from '../server/vocabulary.js'
import { formatDateTime } from '../views/helpers/date-time.js'
import decision from '../views/helpers/decision.js'
import { auditHeadLine } from './build-data.js'
import type { ReportDeps } from './make-report.js'
import { renderPrintHtml } from './render-html.js'

// "Sammanställning av nämndernas och bolagens uppföljning av intern kontroll <år>": the roll-up page's figures,
// and each municipality-wide item's results across the committees, as a report for kommunstyrelsen.

export interface RollupLights {
  green: number
  yellow: number
  red: number
}

export interface RollupScore {
  score: number
  band: ScoreBand
}

export interface RollupMeasureLine {
  title: string
  owner: string
  statusLabel: string
  /** YYYY-MM-DD, or null when none is set. */
  dueDate: string | null
  overdue: boolean
}

/** One committee's or company's row of the Sammanfattning, linking to its section. */
export interface RollupSummaryRow {
  anchor: string
  name: string
  kindLabel: string
  /** "2021-01-20, §12", "Inte antagen", or "Ingen plan". */
  adopted: string
  /** "2021-02-10, version 2", or "Inte fastställd"; "–" without a plan. */
  report: string
  measureCount: number | null
  overdueCount: number | null
  /** Null without a plan or without controls. */
  lights: RollupLights | null
  highest: RollupScore | null
  hasPlan: boolean
}

export interface RollupSection {
  anchor: string
  name: string
  kindLabel: string
  administration: string
  /** What adopts and follows up the plan: "nämnden" or, in a company, "styrelsen". */
  board: string
  plan: {
    title: string
    /** "Antagen av nämnden: Sammanträde 2021-01-20, protokoll §12 (dnr GRF-2021-3)." or "Inte antagen av nämnden." */
    adoption: string
    /** "Uppföljningen fastställd 2021-02-10, version 2." or "Uppföljningen är inte fastställd." */
    report: string
    /** Every status, in the vocabulary's order, zeros included, so that sections read alike. */
    statusCounts: { label: string; count: number }[]
    measureCount: number
    overdue: RollupMeasureLine[]
    lights: RollupLights | null
    /** The plan's highest-scored risks, highest first. */
    topRisks: ({ title: string } & RollupScore)[]
    unscoredNote: string
  } | null
}

/** A committee's follow-up of a municipality-wide item, or why there is none. */
export interface RollupItemResult {
  name: string
  kindLabel: string
  /** "nämnden" or "styrelsen": who the review's result was reported to. */
  board: string
  /** "Ingen internkontrollplan för 2021." when there is no copy to show. */
  missing?: string
  risk?: { score: RollupScore | null }
  review?: {
    /** "Sammanträde 2021-06-16, protokoll §95", or "" when not yet reported to the committee. */
    decision: string
    /** The committee's own words, Markdown. */
    result: string
  }
  measures: RollupMeasureLine[]
  /** "3, varav 1 genomförd", "Inga": the side-by-side table's cell. */
  measureSummary: string
  overdueCount: number
}

export interface RollupItem {
  anchor: string
  /** "Kommungemensam granskning" or "Kommungemensam risk". */
  kindLabel: string
  isReview: boolean
  title: string
  description: string
  diaryNumber: string
  treatmentLabel: string
  results: RollupItemResult[]
}

export interface RollupReportData {
  /** "Sammanställning av nämndernas och bolagens uppföljning av intern kontroll 2021" */
  title: string
  year: number
  municipality: string
  recipient: string
  /** "Urval: Grundskoleförvaltningen" when the report covers one administration; "" for the whole municipality. */
  selection: string
  /** The day it was made in Sweden: the day "Försenad" is judged on. */
  madeOn: string
  /** "Utkast 2026-12-07 17:05" or "Version 2, fastställd 2026-12-07 av Anna Andersson". */
  edition: string
  auditHead?: string
  introduction: string
  /** "3 av 3 nämnder och bolag har en plan för 2021, 2 av dem antagen; 1 har fastställt sin uppföljning." */
  overview: string
  summary: RollupSummaryRow[]
  sections: RollupSection[]
  /** "Riskmatris för hela kommunen", or for the chosen administration. */
  matrixHeading: string
  matrix: CombinedMatrix
  items: RollupItem[]
}

/** A draft, or the final version about to be stored under this number by this person. */
export interface RollupEdition {
  madeAt: Date
  final?: { versionNumber: number; by: string; auditHead?: { count: number; shortHash: string; tag: string } }
}

/** The report's title, as its cover and the page that offers it name it. */
export const rollupReportTitle = (year: number) =>
  `Sammanställning av nämndernas och bolagens uppföljning av intern kontroll ${year}`

/** How many of a plan's highest-scored risks its section names. */
const topRiskCount = 3

const sectionAnchor = (committeeId: number) => `enhet-${committeeId}`

/** Reads the municipality's plans of the year into the roll-up report; undefined when there is no such municipality. */
export async function buildRollupReportData(
  db: Db,
  scope: RollupScope,
  edition: RollupEdition,
): Promise<RollupReportData | undefined> {
  const municipality = await findMunicipality(db, scope.municipalityId)
  if (!municipality) return undefined
  const madeOn = swedishDate(edition.madeAt)
  const [administrations, { rows, matrix }, overdue, scored, allItems] = await Promise.all([
    listAdministrationsOf(db, municipality.id),
    rollupFigures(db, scope, madeOn),
    listOverdueMeasures(db, scope, madeOn),
    listScoredRisks(db, scope),
    listItemsWithCommittees(db, municipality.id, scope.year),
  ])
  const inScope = new Set(rows.map((r) => r.committeeId))
  // With an administration chosen, an item is reported for the chosen committees of that administration only.
  const items = allItems
    .map((item) => ({ ...item, committeeIds: item.committeeIds.filter((id) => inScope.has(id)) }))
    .filter((item) => item.committeeIds.length > 0)
  const copies = await listItemCopies(
    db,
    scope,
    items.map((i) => i.id),
  )
  const administration = administrations.find((a) => a.id === scope.administrationId)
  const overdueLine = (m: (typeof overdue)[number]): RollupMeasureLine => ({
    title: m.title,
    owner: m.ownerName,
    statusLabel: labelOf(measureStatuses, m.status),
    dueDate: m.dueDate,
    overdue: true,
  })
  const noLights = (l: { green: number; yellow: number; red: number; total: number } | null) =>
    l && l.total > 0 ? { green: l.green, yellow: l.yellow, red: l.red } : null

  const sections: RollupSection[] = rows.map((row) => {
    const board = decisionBody(row.kindCode)
    const base = {
      anchor: sectionAnchor(row.committeeId),
      name: row.name,
      kindLabel: row.kind,
      administration: row.administration,
      board,
    }
    if (!row.plan) return { ...base, plan: null }
    const plan = row.plan
    const meeting = plan.adopted ? decision(plan.adopted.date, plan.adopted.minutesParagraph) : ''
    const diary = plan.adoptedDiaryNumber ? `dnr ${plan.adoptedDiaryNumber}` : ''
    const risks = scored.filter((r) => r.planId === plan.id)
    return {
      ...base,
      plan: {
        title: plan.title,
        adoption: meeting
          ? `Antagen av ${board}: ${meeting}${diary && ` (${diary})`}.`
          : `Inte antagen av ${board}${diary && ` (${diary})`}.`,
        report: plan.report
          ? `Uppföljningen fastställd ${plan.report.date}, version ${plan.report.versionNumber}.`
          : 'Uppföljningen är inte fastställd.',
        statusCounts: plan.statusCounts.map((s) => ({ label: s.label, count: s.count })),
        measureCount: plan.measureCount,
        overdue: overdue.filter((m) => m.planId === plan.id).map(overdueLine),
        lights: noLights(plan.lights),
        topRisks: risks.slice(0, topRiskCount).map((r) => ({
          title: r.title,
          score: r.score,
          band: scoreBand(r.score),
        })),
        unscoredNote: risks.length === 0 ? 'Ingen risk i planen är bedömd.' : '',
      },
    }
  })

  const summary: RollupSummaryRow[] = rows.map((row) => ({
    anchor: sectionAnchor(row.committeeId),
    name: row.name,
    kindLabel: row.kind,
    hasPlan: row.plan !== null,
    adopted: !row.plan
      ? 'Ingen plan'
      : row.plan.adopted
        ? `${row.plan.adopted.date}${row.plan.adopted.minutesParagraph === null ? '' : `, §${row.plan.adopted.minutesParagraph}`}`
        : 'Inte antagen',
    report: !row.plan
      ? '–'
      : row.plan.report
        ? `${row.plan.report.date}, version ${row.plan.report.versionNumber}`
        : 'Inte fastställd',
    measureCount: row.plan?.measureCount ?? null,
    overdueCount: row.plan?.overdueCount ?? null,
    lights: row.plan ? noLights(row.plan.lights) : null,
    highest: row.plan?.highest ?? null,
  }))

  const withPlan = rows.filter((r) => r.plan !== null)
  const adopted = withPlan.filter((r) => r.plan?.adopted).length
  const reported = withPlan.filter((r) => r.plan?.report).length
  const what = administration ? `nämnder och bolag i ${administration.name}` : 'nämnder och bolag'

  return {
    title: rollupReportTitle(scope.year),
    year: scope.year,
    municipality: municipality.name,
    recipient: 'Kommunstyrelsen',
    selection: administration ? `Urval: ${administration.name}` : '',
    madeOn,
    edition: edition.final
      ? `Version ${edition.final.versionNumber}, fastställd ${madeOn} av ${edition.final.by}`
      : `Utkast ${formatDateTime(edition.madeAt.toISOString())}`,
    auditHead: edition.final?.auditHead && auditHeadLine(edition.final.auditHead),
    introduction:
      `Sammanställningen visar för kommunstyrelsen hur ${municipality.name}s ${what} har följt upp sin interna ` +
      `kontroll ${scope.year}, som underlag för kommunstyrelsens uppsiktsplikt enligt kommunallagen (2017:725) ` +
      `6 kap. 1 §. Uppgifterna är hämtade ur nämndernas och bolagens internkontrollplaner ${madeOn}; en åtgärd ` +
      'är försenad när dess slutdatum har passerats utan att den är genomförd.',
    overview:
      rows.length === 0
        ? `Det finns inga ${what}.`
        : `${withPlan.length} av ${rows.length} ${what} har en internkontrollplan för ${scope.year}` +
          `${withPlan.length > 0 ? `, varav ${adopted} ${adopted === 1 ? 'antagen' : 'antagna'}` : ''}; ` +
          `${reported} har fastställt sin uppföljning.`,
    summary,
    sections,
    matrixHeading: `Riskmatris för ${administration ? administration.name : 'hela kommunen'}`,
    matrix,
    items: items.map((item) => ({
      anchor: `kommungemensam-${item.id}`,
      kindLabel: item.kind === 'review' ? 'Kommungemensam granskning' : 'Kommungemensam risk',
      isReview: item.kind === 'review',
      title: item.title,
      description: item.description,
      diaryNumber: item.diary_number,
      treatmentLabel: labelOf(riskTreatments, item.treatment),
      results: rows
        .filter((row) => item.committeeIds.includes(row.committeeId))
        .map((row): RollupItemResult => {
          const board = decisionBody(row.kindCode)
          const base = { name: row.name, kindLabel: row.kind, board, measures: [], measureSummary: '', overdueCount: 0 }
          const what = item.kind === 'review' ? 'granskningen' : 'risken'
          if (!row.plan) return { ...base, missing: `Ingen internkontrollplan för ${scope.year}.` }
          const planId = row.plan.id
          const review = copies.reviews.find((r) => r.itemId === item.id && r.planId === planId)
          const risk =
            copies.risks.find((r) => r.id === review?.riskId) ??
            copies.risks.find((r) => r.itemId === item.id && r.planId === planId)
          if (!risk && !review) return { ...base, missing: `Planen för ${scope.year} saknar ${what}.` }
          return {
            ...base,
            risk: risk && { score: riskScore(risk.likelihood, risk.consequence) },
            review: review && {
              decision: decision(review.meetingDate, review.minutesParagraph),
              result: review.result,
            },
            ...measuresOf(
              copies.measures.filter((m) => m.riskId === risk?.id),
              madeOn,
            ),
          }
        }),
    })),
  }
}

/** A copy's measures as the report lists them, and the side-by-side table's words for them. */
function measuresOf(
  measures: { title: string; ownerName: string; status: MeasureStatus; dueDate: string | null }[],
  today: string,
) {
  const done = measures.filter((m) => isFinished(m.status) && m.status !== 'cancelled').length
  const lines = measures.map((m) => ({
    title: m.title,
    owner: m.ownerName,
    statusLabel: labelOf(measureStatuses, m.status),
    dueDate: m.dueDate,
    overdue: isOverdue({ status: m.status, due_date: m.dueDate }, today),
  }))
  return {
    measures: lines,
    measureSummary:
      measures.length === 0 ? 'Inga' : `${measures.length}, varav ${done} ${done === 1 ? 'genomförd' : 'genomförda'}`,
    overdueCount: lines.filter((m) => m.overdue).length,
  }
}

/** The roll-up report as a finished PDF; undefined when there is no such municipality. */
export async function makeRollupReportPdf(
  { db, views, pdf }: ReportDeps,
  scope: RollupScope,
  edition: RollupEdition,
): Promise<{ data: RollupReportData; pdf: Uint8Array; prints: number } | undefined> {
  const data = await buildRollupReportData(db, scope, edition)
  if (!data) return undefined
  const printed = await pdf.printWithPageNumbers(await renderPrintHtml(views, 'rollup-report', data), {
    title: `${data.title} – ${data.municipality}`,
    author: data.recipient,
    subject: data.edition,
  })
  return { data, ...printed }
}

/** "Sammanställning intern kontroll 2021 – Malmö stad (utkast).pdf" */
export function rollupReportFileName(data: RollupReportData, suffix: string): string {
  return `Sammanställning intern kontroll ${data.year} – ${data.municipality} (${suffix}).pdf`
}
