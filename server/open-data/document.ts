import type { Db } from '../../db/connection.js'
import type {
  CommitteeKind,
  ControlFrequency,
  ControlMethod,
  MeasureStatus,
  ReportedTo,
  RiskScope,
  RiskTreatment,
  RunResult,
} from '../../db/schema.js'
import { controlLabels } from '../controls/control-line.js'
import { swedishDate } from '../dates.js'
import {
  committeeKinds,
  consequenceScale,
  isOverdue,
  labelOf,
  likelihoodScale,
  measureStatuses,
  riskScopes,
  riskScore,
  riskTreatments,
  runResults,
} from '../vocabulary.js'

// The public, machine-readable copy of a plan (öppna data), described by plan.schema.json beside this file. Its
// names are a published contract: the API and every consumer read them, so a change here is a change of the schema
// (additive: same major version; renamed or removed: a new major version at a new path). No person's name is
// selected by any query below (responsible_person, performed_by, created_by, user names, e-mail): what is never read
// cannot leak.

/** Where the schema is served; the document names it, and the file's own `$id` is the same path. */
export const planSchemaPath = '/oppna-data/schema/plan-v1.json'
/** Major.minor: the major is the path's; the minor grows with additive changes (README, *Öppna data*). */
export const planSchemaVersion = '1.0'

export interface OpenAdoption {
  meetingDate: string
  minutesParagraph: number | null
  diaryNumber: string | null
}

export interface OpenMunicipalItem {
  id: number
  /** Kommunstyrelsen's diary number; null when it has none. */
  diaryNumber: string | null
}

export interface OpenMeasure {
  id: number
  title: string
  whatToDo: string
  progress: string
  status: MeasureStatus
  statusLabel: string
  ownerUnit: string
  dueDate: string | null
  overdue: boolean
}

export interface OpenOccasion {
  occasion: number
  plannedDate: string
  performedOn: string | null
  result: RunResult | null
  resultLabel: string | null
  populationSize: number | null
  sampleSize: number | null
  checkedCount: number | null
  deviationCount: number | null
}

export interface OpenControl {
  id: number
  title: string
  whatIsChecked: string
  method: ControlMethod
  /** The method's Swedish name, or for 'own' the committee's own words. */
  methodLabel: string
  frequency: ControlFrequency
  frequencyLabel: string
  ownerUnit: string
  reportedTo: ReportedTo
  reportedToLabel: string
  occasions: OpenOccasion[]
}

export interface OpenRisk {
  id: number
  number: number
  title: string
  description: string
  likelihood: number | null
  likelihoodLabel: string | null
  consequence: number | null
  consequenceLabel: string | null
  score: number | null
  scoreBand: 'low' | 'medium' | 'high' | null
  scoreBandLabel: string | null
  treatment: RiskTreatment
  treatmentLabel: string
  scope: RiskScope
  scopeLabel: string
  municipalItem: OpenMunicipalItem | null
  measures: OpenMeasure[]
  controls: OpenControl[]
}

export interface OpenReview {
  id: number
  title: string
  diaryNumber: string | null
  meetingDate: string | null
  minutesParagraph: number | null
  result: string
  /** The risk the review examines, by its id in `risks`; null: none. */
  riskId: number | null
  municipalItem: OpenMunicipalItem | null
}

export interface OpenFinalReport {
  versionNumber: number
  /** When it was made final (ISO 8601, UTC). */
  createdAt: string
  /** SHA-256 (hex) of the final PDF's exact bytes. */
  sha256: string
}

export interface OpenPlanDocument {
  schema: string
  schemaVersion: string
  /** The day "overdue" is judged on: the day the copy was made. */
  asOf: string
  municipality: { id: number; name: string }
  administration: { id: number; name: string; diaryPrefix: string }
  committee: { id: number; name: string; kind: CommitteeKind; kindLabel: string }
  plan: { id: number; year: number; title: string; adoption: OpenAdoption | null }
  finalReport: OpenFinalReport | null
  risks: OpenRisk[]
  reviews: OpenReview[]
}

const orNull = (text: string) => (text === '' ? null : text)
const scaleLabel = (scale: readonly string[], value: number | null) =>
  value === null ? null : (scale[value - 1] ?? null)
const municipalItem = (id: number | null, diaryNumber: string | null): OpenMunicipalItem | null =>
  id === null ? null : { id, diaryNumber: orNull(diaryNumber ?? '') }

/**
 * The open-data document of a plan, or undefined when there is no such plan. It does not ask whether the plan is
 * published: the public routes do (`isPublic`). `now` decides "overdue"; `frozenOpenData` adds the final version a
 * copy is frozen with. Six queries whatever the plan's size, each of the columns used.
 */
export async function openPlanDocument(
  db: Db,
  planId: number,
  options: { now: Date },
): Promise<OpenPlanDocument | undefined> {
  const plan = await db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .innerJoin('administration', 'administration.id', 'committee.administration_id')
    .innerJoin('municipality', 'municipality.id', 'committee.municipality_id')
    .select([
      'plan.id',
      'plan.year',
      'plan.title',
      'plan.adopted_meeting_date',
      'plan.adopted_minutes_paragraph',
      'plan.adopted_diary_number',
      'committee.id as committeeId',
      'committee.name as committeeName',
      'committee.kind as committeeKind',
      'administration.id as administrationId',
      'administration.name as administrationName',
      'administration.diary_prefix as diaryPrefix',
      'municipality.id as municipalityId',
      'municipality.name as municipalityName',
    ])
    .where('plan.id', '=', planId)
    .executeTakeFirst()
  if (!plan) return undefined

  const [risks, measures, reviews, controls, runs] = await Promise.all([
    db
      .selectFrom('risk')
      .leftJoin('municipal_item', 'municipal_item.id', 'risk.municipal_item_id')
      .select([
        'risk.id',
        'risk.title',
        'risk.description',
        'risk.likelihood',
        'risk.consequence',
        'risk.treatment',
        'risk.scope',
        'risk.municipal_item_id',
        'municipal_item.diary_number as municipalDiaryNumber',
      ])
      .where('risk.plan_id', '=', planId)
      .orderBy('risk.position')
      .execute(),
    db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
      .select([
        'measure.id',
        'measure.risk_id',
        'measure.title',
        'measure.what_to_do',
        'measure.progress',
        'measure.status',
        'measure.due_date',
        'owner_unit.name as ownerUnit',
      ])
      .where('risk.plan_id', '=', planId)
      .orderBy('risk.position')
      .orderBy('measure.position')
      .execute(),
    db
      .selectFrom('review')
      .leftJoin('municipal_item', 'municipal_item.id', 'review.municipal_item_id')
      .select([
        'review.id',
        'review.risk_id',
        'review.title',
        'review.diary_number',
        'review.meeting_date',
        'review.minutes_paragraph',
        'review.result',
        'review.municipal_item_id',
        'municipal_item.diary_number as municipalDiaryNumber',
      ])
      .where('review.plan_id', '=', planId)
      .orderBy('review.position')
      .execute(),
    db
      .selectFrom('control')
      .innerJoin('risk', 'risk.id', 'control.risk_id')
      .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
      .select([
        'control.id',
        'control.risk_id',
        'control.title',
        'control.what_is_checked',
        'control.method',
        'control.method_own',
        'control.frequency',
        'control.reported_to',
        'owner_unit.name as ownerUnit',
      ])
      .where('risk.plan_id', '=', planId)
      .orderBy('risk.position')
      .orderBy('control.position')
      .execute(),
    db
      .selectFrom('control_run')
      .innerJoin('control', 'control.id', 'control_run.control_id')
      .innerJoin('risk', 'risk.id', 'control.risk_id')
      .select([
        'control_run.control_id',
        'control_run.occasion',
        'control_run.planned_date',
        'control_run.performed_on',
        'control_run.result',
        'control_run.population_size',
        'control_run.sample_size',
        'control_run.checked_count',
        'control_run.deviation_count',
      ])
      .where('risk.plan_id', '=', planId)
      .orderBy('control_run.control_id')
      .orderBy('control_run.occasion')
      .execute(),
  ])

  const asOf = swedishDate(options.now)
  const occasionsOf = (controlId: number): OpenOccasion[] =>
    runs
      .filter((r) => r.control_id === controlId)
      .map((r) => ({
        occasion: r.occasion,
        plannedDate: r.planned_date,
        performedOn: r.performed_on,
        result: r.result,
        resultLabel: r.result === null ? null : labelOf(runResults, r.result),
        populationSize: r.population_size,
        sampleSize: r.sample_size,
        checkedCount: r.checked_count,
        deviationCount: r.deviation_count,
      }))

  return {
    schema: planSchemaPath,
    schemaVersion: planSchemaVersion,
    asOf,
    municipality: { id: plan.municipalityId, name: plan.municipalityName },
    administration: { id: plan.administrationId, name: plan.administrationName, diaryPrefix: plan.diaryPrefix },
    committee: {
      id: plan.committeeId,
      name: plan.committeeName,
      kind: plan.committeeKind,
      // "Kommunalt bolag", as every page says: a reader outside the municipality, combining many municipalities'
      // files, needs to know the company is the municipality's.
      kindLabel: labelOf(committeeKinds, plan.committeeKind),
    },
    plan: {
      id: plan.id,
      year: plan.year,
      title: plan.title,
      adoption:
        plan.adopted_meeting_date === null
          ? null
          : {
              meetingDate: plan.adopted_meeting_date,
              minutesParagraph: plan.adopted_minutes_paragraph,
              diaryNumber: orNull(plan.adopted_diary_number),
            },
    },
    finalReport: null,
    risks: risks.map((risk, i) => {
      const scored = riskScore(risk.likelihood, risk.consequence)
      return {
        id: risk.id,
        number: i + 1,
        title: risk.title,
        description: risk.description,
        likelihood: risk.likelihood,
        likelihoodLabel: scaleLabel(likelihoodScale, risk.likelihood),
        consequence: risk.consequence,
        consequenceLabel: scaleLabel(consequenceScale, risk.consequence),
        score: scored?.score ?? null,
        scoreBand: scored?.band.code ?? null,
        scoreBandLabel: scored?.band.label ?? null,
        treatment: risk.treatment,
        treatmentLabel: labelOf(riskTreatments, risk.treatment),
        scope: risk.scope,
        scopeLabel: labelOf(riskScopes, risk.scope),
        municipalItem: municipalItem(risk.municipal_item_id, risk.municipalDiaryNumber),
        measures: measures
          .filter((m) => m.risk_id === risk.id)
          .map((m) => ({
            id: m.id,
            title: m.title,
            whatToDo: m.what_to_do,
            progress: m.progress,
            status: m.status,
            statusLabel: labelOf(measureStatuses, m.status),
            ownerUnit: m.ownerUnit,
            dueDate: m.due_date,
            overdue: isOverdue(m, asOf),
          })),
        controls: controls
          .filter((c) => c.risk_id === risk.id)
          .map((c) => {
            // The words of the pages and the report: a company's controls report to its board, not a nämnd.
            const labels = controlLabels(c, plan.committeeKind)
            return {
              id: c.id,
              title: c.title,
              whatIsChecked: c.what_is_checked,
              method: c.method,
              methodLabel: labels.methodText,
              frequency: c.frequency,
              frequencyLabel: labels.frequencyLabel,
              ownerUnit: c.ownerUnit,
              reportedTo: c.reported_to,
              reportedToLabel: labels.reportedToLabel,
              occasions: occasionsOf(c.id),
            }
          }),
      }
    }),
    reviews: reviews.map((r) => ({
      id: r.id,
      title: r.title,
      diaryNumber: orNull(r.diary_number),
      meetingDate: r.meeting_date,
      minutesParagraph: r.minutes_paragraph,
      result: r.result,
      riskId: r.risk_id,
      municipalItem: municipalItem(r.municipal_item_id, r.municipalDiaryNumber),
    })),
  }
}

/**
 * The copy frozen with a final version of the follow-up report, as stored in `report_version.open_data`: the document
 * read with the report's data before printing (so it is the PDF's plan), with the version's number, time and the
 * PDF's SHA-256 as the version's row stores it (storedPdf, server/reports/repository.ts).
 */
export function frozenOpenData(
  document: OpenPlanDocument,
  version: { versionNumber: number; createdAt: string; sha256: string },
): string {
  return JSON.stringify({
    ...document,
    finalReport: { versionNumber: version.versionNumber, createdAt: version.createdAt, sha256: version.sha256 },
  } satisfies OpenPlanDocument)
}

/** Whether a plan's copies are public: marked public by its secretary, and adopted (only an adopted plan is). */
export const isPublic = (plan: { published_at: string | null; adopted_meeting_date: string | null }) =>
  plan.published_at !== null && plan.adopted_meeting_date !== null
