import type { Db } from '../db/connection.js'
import type { CommitteeKind, MeasureStatus, Sampling } from '../db/schema.js'
import { controlLabels, runStateOf } from '../server/controls/control-line.js'
import { deviationRowsOfPlan, listControlsOfPlan, runRowsOfPlan } from '../server/controls/repository.js'
import type { Light } from '../server/controls/traffic-light.js'
import { swedishDate } from '../server/dates.js'
import { listAreaMeasures, listAreas, listInspections, listLinkedRisks } from '../server/inspections/repository.js'
import { areaSummary, inspectionSummary } from '../server/inspections/view-model.js'
import { listMeasuresOfPlan } from '../server/measures/repository.js'
import { lockedNote } from '../server/municipal/locked.js'
import { itemDiaryNumbersOfPlan } from '../server/municipal/repository.js'
import { controlsSinceLastYear, risksSinceLastYear } from '../server/next-year/repository.js'
import { findPlan } from '../server/plans/repository.js'
import { listReviews } from '../server/reviews/repository.js'
import { reviewLine } from '../server/reviews/review-line.js'
import { type RiskMatrix, riskMatrix } from '../server/risks/matrix.js'
import { listRisks } from '../server/risks/repository.js'
import {
  countByStatus,
  deviationDecisions,
  isOverdue,
  labelOf,
  measureStatuses,
  samplings,
  severities,
  swedishList,
  swedishOrder,
} from '../server/vocabulary.js'
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
  /** Its control activities, after its measures; none in a plan without controls. */
  controls: ReportControl[]
  /** "Kommungemensam – beslutad av kommunstyrelsen (KS 2026/0412)" for a copy of a municipality-wide item. */
  municipal?: string
}

/** A review as the introduction lists it. */
export interface ReportReview {
  /** "GRF-2020-11639 Uppföljning av … Sammanträde 2020-06-16, protokoll §95." */
  line: string
  /** "Kommungemensam – beslutad av kommunstyrelsen" for a copy of a municipality-wide review. */
  municipal?: string
  /** What the review found (Markdown); '' when not told, and then nothing is printed. */
  result: string
}

/** A control's traffic light on the day the report was made, in words beside its colour. */
export interface ReportLight {
  code: Light['code']
  /** "Grön – utan avvikelser" */
  text: string
}

/** An occasion of a control as the report shows it: reported, or past its planned date without a report. */
export interface ReportControlRun {
  occasion: number
  /** Genomförd den, YYYY-MM-DD; null when not performed or not reported. */
  performedOn: string | null
  /** "Utan anmärkning", "Ej genomförd: Sjukdom", "Försenat" (runStateOf's words) */
  result: string
  /** The planned date of an occasion not reported by it, YYYY-MM-DD; null when reported. */
  overdueSince: string | null
  /** The sample's figures, "–" where none was given. */
  populationSize: string
  sampleSize: string
  checked: string
  withDeviations: string
}

export interface ReportDeviation {
  occasion: number
  description: string
  severityLabel: string
  /** "Åtgärd krävs", "Ingen åtgärd: Enstaka fel som rättats direkt.", "Inte beslutat" (not `decision`: a helper's name). */
  decisionText: string
  /** The measures decided for it, each linking to its heading in the report. */
  measures: { anchor: string; title: string; owner: string; statusLabel: string }[]
}

export interface ReportControl {
  anchor: string
  title: string
  /** "Nytt kontrollmoment för 2021", "Ändrat sedan 2020: frekvens …", "Oförändrat sedan 2020"; none in a first plan. */
  sinceLastYear?: string
  whatIsChecked: string
  /** The method's label, or the committee's own words for it. */
  method: string
  frequency: string
  owner: string
  responsiblePerson: string
  reportedTo: string
  /** "2 av 4" */
  doneOfPlanned: string
  light: ReportLight
  /** Whether any run gave sample figures: a control without samples (an interview) leaves their columns out. */
  sampled: boolean
  runs: ReportControlRun[]
  /**
   * What the runs say of their samples beyond the figures, runs that say the same once: "Tillfällena 1–3:
   * Population: Nyanställda under kvartalet. Urval: slumpmässigt.", "Tillfälle 4: … Utförd av: Eva Ek."
   */
  runNotes: string[]
  /** The runs' comments (Markdown), each wording once with the occasions it was written for. */
  runComments: { occasions: string; text: string }[]
  deviations: ReportDeviation[]
}

/** The Sammanfattning's table of controls: the risks with controls, each with its controls' lights. */
export interface ReportControlSummary {
  risk: string
  riskAnchor: string
  controls: {
    anchor: string
    title: string
    frequency: string
    doneOfPlanned: string
    /** The deviations recorded for its runs (not the runs' own count of cases with deviations). */
    recordedDeviations: number
    light: ReportLight
  }[]
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
  reviews: ReportReview[]
  statusSummary: { code: MeasureStatus; label: string; count: number }[]
  measureCount: number
  overdueCount: number
  ownerSummary: { owner: string; total: number; counts: number[] }[]
  /** Empty in a plan without controls: then the report has no trace of them. */
  controlSummary: ReportControlSummary[]
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

/** The cover's line on the audit log at the moment of finalizing; the roll-up report prints it too. */
export const auditHeadLine = ({ count, shortHash, tag }: { count: number; shortHash: string; tag: string }) =>
  `Ändringsloggen vid fastställandet: ${count} rader, kontrollsumma ${shortHash}, signatur ${tag} ` +
  `(kontrolleras med audit:verify --rapport ${count}:${shortHash}:${tag}).`

/** Reads one plan into the annual follow-up report's content; undefined when there is no such plan. */
export async function buildReportData(db: Db, planId: number, edition: ReportEdition): Promise<ReportData | undefined> {
  const plan = await findPlan(db, planId)
  if (!plan) return undefined
  const madeOn = swedishDate(edition.madeAt)
  const [risks, measures, reviews, inspections, since, controlRows, itemDiaryNumbers] = await Promise.all([
    listRisks(db, planId),
    listMeasuresOfPlan(db, planId),
    listReviews(db, planId),
    reportInspections(db, plan, madeOn),
    risksSinceLastYear(db, plan),
    readControls(db, plan, madeOn),
    itemDiaryNumbersOfPlan(db, planId),
  ])
  const municipal = (diaryNumber: string | null | undefined) =>
    diaryNumber === null || diaryNumber === undefined ? undefined : lockedNote(diaryNumber)
  const controls = reportControls(controlRows, plan.committeeKind, madeOn, measures)

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
    reviews: reviews.map((review) => ({
      line: reviewLine(review),
      // The line begins with the review's diary number, which for a copy is kommunstyrelsen's: not said twice.
      municipal: review.itemDiaryNumber === null ? undefined : lockedNote(''),
      result: review.result,
    })),
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
    controlSummary: risks.flatMap((risk) => {
      const own = controls.filter((c) => c.riskId === risk.id)
      if (own.length === 0) return []
      return [
        {
          risk: risk.title,
          riskAnchor: riskAnchor(risk),
          controls: own.map((c) => ({
            anchor: c.anchor,
            title: c.title,
            frequency: c.frequency,
            doneOfPlanned: c.doneOfPlanned,
            recordedDeviations: c.deviations.length,
            light: c.light,
          })),
        },
      ]
    }),
    risks: risks.map((risk) => ({
      anchor: riskAnchor(risk),
      title: risk.title,
      description: risk.description,
      sinceLastYear: since.get(risk.id)?.text,
      municipal: municipal(itemDiaryNumbers.get(risk.id)),
      controls: controls.filter((c) => c.riskId === risk.id).map(({ riskId, ...control }) => control),
      measures: measures
        .filter((m) => m.risk_id === risk.id)
        .map((m) => ({
          anchor: measureAnchor(m),
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
const measureAnchor = (measure: { id: number }) => `atgard-${measure.id}`

const figure = (n: number | null) => (n === null ? '–' : String(n))

/**
 * The plan's controls with their lights on `today`, the occasions reported or overdue by then, the deviations
 * found and how each control stands against last year's: four queries however many controls there are, one
 * for a plan without.
 */
async function readControls(db: Db, plan: { id: number; committee_id: number; year: number }, today: string) {
  const controls = await listControlsOfPlan(db, plan.id, today)
  if (controls.length === 0) return { controls, runs: [], deviations: [], sinceLastYear: new Map<number, string>() }
  const [allRuns, deviations, since] = await Promise.all([
    runRowsOfPlan(db, plan.id),
    deviationRowsOfPlan(db, plan.id),
    controlsSinceLastYear(db, plan),
  ])
  // The occasions reported, and those past their planned date without a report (what makes a light red); those
  // still ahead are only counted.
  const runs = allRuns.filter((r) => r.result !== null || r.planned_date < today)
  return { controls, runs, deviations, sinceLastYear: new Map(since.map((c) => [c.id, c.since.text])) }
}

/**
 * The controls as the report shows them, each deviation with the measures decided for it (measures of this plan,
 * which the report shows under their risk) and each control with what changed since last year.
 */
function reportControls(
  { controls, runs, deviations, sinceLastYear }: Awaited<ReturnType<typeof readControls>>,
  kind: CommitteeKind,
  today: string,
  measures: {
    id: number
    title: string
    ownerName: string
    status: MeasureStatus
    origin_deviation_id: number | null
  }[],
): (ReportControl & { riskId: number })[] {
  return controls.map((control) => {
    const ownRuns = runs.filter((r) => r.control_id === control.id)
    const labels = controlLabels(control, kind)
    return {
      riskId: control.risk_id,
      anchor: `kontroll-${control.id}`,
      title: control.title,
      sinceLastYear: sinceLastYear.get(control.id),
      whatIsChecked: control.what_is_checked,
      method: labels.methodText,
      frequency: labels.frequencyLabel,
      owner: control.ownerName,
      responsiblePerson: control.responsible_person,
      reportedTo: labels.reportedToLabel,
      doneOfPlanned: `${control.done} av ${control.planned}`,
      light: { code: control.light.code, text: control.light.text },
      sampled: ownRuns.some((r) =>
        [r.population_size, r.sample_size, r.checked_count, r.deviation_count].some((n) => n !== null),
      ),
      runs: ownRuns.map((run) => {
        const state = runStateOf(run, today)
        return {
          occasion: run.occasion,
          performedOn: run.performed_on,
          result:
            run.result === 'not_performed' && run.not_performed_reason.trim() !== ''
              ? `${state.label}: ${run.not_performed_reason}`
              : state.label,
          overdueSince: run.result === null ? run.planned_date : null,
          populationSize: figure(run.population_size),
          sampleSize: figure(run.sample_size),
          checked: figure(run.checked_count),
          withDeviations: figure(run.deviation_count),
        }
      }),
      runNotes: runNotes(ownRuns),
      runComments: byWording(ownRuns.map((run) => ({ occasion: run.occasion, text: run.comment.trim() }))).map(
        ([text, numbers]) => ({ occasions: occasionsText(numbers), text }),
      ),
      deviations: deviations
        .filter((d) => d.control_id === control.id)
        .map((d) => ({
          occasion: d.occasion,
          description: d.description,
          severityLabel: labelOf(severities, d.severity),
          decisionText:
            d.decision === null
              ? 'Inte beslutat'
              : d.decision === 'no_measure' && d.no_measure_reason.trim() !== ''
                ? `${labelOf(deviationDecisions, d.decision)}: ${d.no_measure_reason}`
                : labelOf(deviationDecisions, d.decision),
          measures: measures
            .filter((m) => m.origin_deviation_id === d.id)
            .map((m) => ({
              anchor: measureAnchor(m),
              title: m.title,
              owner: m.ownerName,
              statusLabel: labelOf(measureStatuses, m.status),
            })),
        })),
    }
  })
}

/** The runs' population, sampling and performer, each wording once with the occasions it holds for. */
function runNotes(
  runs: { occasion: number; population: string; sampling: Sampling | null; performed_by: string }[],
): string[] {
  const notes = runs.map((run) => ({
    occasion: run.occasion,
    text: [
      run.population.trim() && `Population: ${sentence(run.population)}`,
      run.sampling && `Urval: ${labelOf(samplings, run.sampling).toLowerCase()}.`,
      run.performed_by.trim() && `Utförd av: ${sentence(run.performed_by)}`,
    ]
      .filter(Boolean)
      .join(' '),
  }))
  return byWording(notes).map(([note, numbers]) => `${occasionsText(numbers)}: ${note}`)
}

/** Each wording said of the occasions, once, with the occasions it was said of, in the order first said; none empty. */
function byWording(said: { occasion: number; text: string }[]): [string, number[]][] {
  const occasions = new Map<string, number[]>()
  for (const { occasion, text } of said) {
    if (text) occasions.set(text, [...(occasions.get(text) ?? []), occasion])
  }
  return [...occasions]
}

/** "Tillfälle 4", "Tillfällena 1–3 och 5". */
const occasionsText = (numbers: number[]) =>
  numbers.length === 1 ? `Tillfälle ${numbers[0]}` : `Tillfällena ${occasionList(numbers)}`

/** "1–3, 5 och 7": ascending occasion numbers, runs of three or more as a range. */
function occasionList(numbers: number[]): string {
  const parts: string[] = []
  for (let i = 0; i < numbers.length; ) {
    let j = i
    while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] as number) + 1) j++
    if (j - i >= 2) parts.push(`${numbers[i]}–${numbers[j]}`)
    else for (let k = i; k <= j; k++) parts.push(String(numbers[k]))
    i = j + 1
  }
  return swedishList(parts)
}

/** A user's words as a sentence of their own: trimmed, with a full stop unless they end in one. */
const sentence = (text: string) => {
  const trimmed = text.trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

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
