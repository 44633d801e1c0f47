import type {
  AreaOutcome,
  CommitteeKind,
  ControlFrequency,
  ControlMethod,
  DeviationDecision,
  InspectionAuthority,
  InspectionKind,
  MailState,
  MeasureStatus,
  MunicipalItemKind,
  ReminderPreference,
  ReportedTo,
  RiskScope,
  RiskTreatment,
  RunResult,
  Sampling,
  Severity,
} from '../db/schema.js'

/** Names in Swedish alphabetical order (å, ä, ö last; case and accents as a Swede reads them). */
export const swedishOrder = new Intl.Collator('sv-SE')
/** "Klart senast, Status och Rubrik": names run together as a Swedish sentence lists them. */
export const swedishList = (items: readonly string[]) =>
  new Intl.ListFormat('sv-SE', { type: 'conjunction' }).format(items)

// Swedish labels for the stored codes, in the order they are offered in forms (../shared/domain.md).

export const measureStatuses: readonly { code: MeasureStatus; label: string }[] = [
  { code: 'not_started', label: 'Ej påbörjad' },
  { code: 'in_progress', label: 'Pågående' },
  { code: 'partially_done', label: 'Delvis genomförd' },
  { code: 'done', label: 'Genomförd' },
  { code: 'done_with_follow_up', label: 'Genomförd – fortsatt arbete' },
  { code: 'cancelled', label: 'Avbruten' },
]

/** Every status with the number of measures in it, in form order. */
export function countByStatus(measures: readonly { status: MeasureStatus }[]) {
  return measureStatuses.map((s) => ({ ...s, count: measures.filter((m) => m.status === s.code).length }))
}

/** Statuses after which a due date no longer matters; a list too, for queries that count overdue in SQL. */
export const finishedStatuses: readonly MeasureStatus[] = ['done', 'done_with_follow_up', 'cancelled']

export const isFinished = (status: MeasureStatus): boolean => finishedStatuses.includes(status)

/**
 * Whether a measure goes on into next year's plan: all but the done and the cancelled. "Genomförd – fortsatt
 * arbete" is finished for its due date, but its continued work is what next year's plan must follow up.
 */
export const continuesNextYear = (status: MeasureStatus): boolean => status !== 'done' && status !== 'cancelled'

/** Försenad is derived, never stored: past its due date and not finished. */
export function isOverdue(measure: { status: MeasureStatus; due_date: string | null }, today: string): boolean {
  return measure.due_date !== null && measure.due_date < today && !isFinished(measure.status)
}

export const riskTreatments: readonly { code: RiskTreatment; label: string }[] = [
  { code: 'accept', label: 'Acceptera' },
  { code: 'direct_action', label: 'Direktåtgärd' },
  { code: 'review', label: 'Granskning' },
  { code: 'monitor', label: 'Bevakning' },
]

export const riskScopes: readonly { code: RiskScope; label: string }[] = [
  { code: 'committee', label: 'Nämndens egen' },
  { code: 'municipality_wide', label: 'Kommungemensam' },
]

export const likelihoodScale = ['Osannolik', 'Mindre sannolik', 'Möjlig', 'Sannolik'] as const
export const consequenceScale = ['Försumbar', 'Lindrig', 'Kännbar', 'Allvarlig'] as const

export type ScoreBand = { code: 'low' | 'medium' | 'high'; label: string }

/** Risk score = likelihood × consequence on the 4×4 scale; bands 1–4 låg, 5–8 medel, 9–16 hög. */
export function scoreBand(score: number): ScoreBand {
  if (score <= 4) return { code: 'low', label: 'Låg' }
  if (score <= 8) return { code: 'medium', label: 'Medel' }
  return { code: 'high', label: 'Hög' }
}

/** A risk's score and band, or null until both its likelihood and its consequence are assessed. */
export function riskScore(
  likelihood: number | null,
  consequence: number | null,
): { score: number; band: ScoreBand } | null {
  if (likelihood === null || consequence === null) return null
  const score = likelihood * consequence
  return { score, band: scoreBand(score) }
}

export const inspectionAuthorities: readonly { code: InspectionAuthority; label: string }[] = [
  { code: 'skolinspektionen', label: 'Skolinspektionen' },
  { code: 'ivo', label: 'Inspektionen för vård och omsorg (IVO)' },
  { code: 'auditors', label: 'Kommunens revisorer' },
]

export const inspectionKinds: readonly { code: InspectionKind; label: string }[] = [
  { code: 'quality_review', label: 'Kvalitetsgranskning' },
  { code: 'planned_quality_review', label: 'Planerad kvalitetsgranskning' },
  { code: 'regular_quality_review', label: 'Regelbunden kvalitetsgranskning' },
  { code: 'supervision', label: 'Tillsyn' },
  { code: 'regular_supervision', label: 'Regelbunden tillsyn' },
  { code: 'audit', label: 'Revisionell granskning' },
]

/** Skolinspektionen's three standard outcomes of a follow-up decision, with their standard wording. */
export const areaOutcomes: readonly { code: AreaOutcome; label: string; wording: string }[] = [
  {
    code: 'quality_raised',
    label: 'Kvaliteten har höjts',
    wording: 'Huvudmannen har vidtagit sådana åtgärder att verksamhetens kvalitet inom granskningsområdet höjts.',
  },
  {
    code: 'work_started_in_line',
    label: 'Arbete påbörjat i linje med bedömningen',
    wording:
      'Huvudmannen har påbörjat ett arbete som ligger i linje med Skolinspektionens bedömning av vad som behövs för att höja kvaliteten i huvudmannens arbete.',
  },
  {
    code: 'further_measures_needed',
    label: 'Ytterligare åtgärder behövs',
    wording: 'Ytterligare kvalitetshöjande åtgärder behövs.',
  },
]

export const controlMethods: readonly { code: ControlMethod; label: string }[] = [
  { code: 'sample', label: 'Stickprov' },
  { code: 'register_check', label: 'Registerkontroll' },
  { code: 'reconciliation', label: 'Avstämning' },
  { code: 'document_review', label: 'Genomgång av dokumentation' },
  { code: 'interview', label: 'Intervju' },
  { code: 'self_assessment', label: 'Självskattning' },
  { code: 'own', label: 'Egen metod' },
]

/** How often a control is run; `occasions` is how many times in a plan year. */
export const controlFrequencies: readonly { code: ControlFrequency; label: string; occasions: number }[] = [
  { code: 'once', label: 'En gång', occasions: 1 },
  { code: 'monthly', label: 'Månadsvis', occasions: 12 },
  { code: 'quarterly', label: 'Kvartalsvis', occasions: 4 },
  { code: 'tertial', label: 'Tertialvis', occasions: 3 },
  { code: 'half_yearly', label: 'Halvårsvis', occasions: 2 },
  { code: 'yearly', label: 'Årsvis', occasions: 1 },
]

/** Whom a control is reported to. The labels are a committee's; reportedToLabel names a company's board for it. */
export const reportedToOptions: readonly { code: ReportedTo; label: string }[] = [
  { code: 'committee', label: 'Nämnd' },
  { code: 'management', label: 'Förvaltningsledning' },
]

// A company reports to its board (styrelse) and its management, not to a nämnd and a förvaltning.
const companyReportedTo: Record<ReportedTo, string> = { committee: 'Styrelse', management: 'Bolagets ledning' }

/** Whom a control of this committee or company is reported to, as its pages and report say it. */
export const reportedToLabel = (code: ReportedTo, kind: CommitteeKind) =>
  kind === 'company' ? companyReportedTo[code] : labelOf(reportedToOptions, code)

export const runResults: readonly { code: RunResult; label: string }[] = [
  { code: 'no_remarks', label: 'Utan anmärkning' },
  { code: 'deviations', label: 'Med avvikelser' },
  { code: 'not_performed', label: 'Ej genomförd' },
]

export const samplings: readonly { code: Sampling; label: string }[] = [
  { code: 'random', label: 'Slumpmässigt' },
  { code: 'systematic', label: 'Systematiskt' },
  { code: 'targeted', label: 'Riktat' },
]

export const severities: readonly { code: Severity; label: string }[] = [
  { code: 'low', label: 'Låg' },
  { code: 'medium', label: 'Medel' },
  { code: 'high', label: 'Hög' },
]

export const deviationDecisions: readonly { code: DeviationDecision; label: string }[] = [
  { code: 'measure_required', label: 'Åtgärd krävs' },
  { code: 'no_measure', label: 'Ingen åtgärd' },
]

export const mailStates: readonly { code: MailState; label: string }[] = [
  { code: 'queued', label: 'I kö' },
  { code: 'sending', label: 'Skickas' },
  { code: 'sent', label: 'Skickat' },
  { code: 'failed', label: 'Misslyckat' },
  { code: 'uncertain', label: 'Osäkert om det skickades' },
]

export const reminderPreferences: readonly { code: ReminderPreference; label: string }[] = [
  { code: 'immediate', label: 'Varje påminnelse för sig' },
  { code: 'daily', label: 'En sammanfattning om dagen' },
  { code: 'weekly', label: 'En sammanfattning i veckan (måndagar)' },
  { code: 'none', label: 'Inga påminnelser' },
]

/** What a municipality's body is: a committee (nämnd), or a municipal company (bolag) with its board (styrelse). */
export const committeeKinds: readonly { code: CommitteeKind; label: string }[] = [
  { code: 'committee', label: 'Nämnd' },
  { code: 'company', label: 'Kommunalt bolag' },
]

/** A municipality-wide item: a review pushes a risk with its review into each chosen plan, a risk the risk alone. */
export const municipalItemKinds: readonly { code: MunicipalItemKind; label: string }[] = [
  { code: 'review', label: 'Granskning' },
  { code: 'risk', label: 'Risk' },
]

/** The body that adopts the plan and decides, as a sentence names it: "nämnden", or a company's "styrelsen". */
export const decisionBody = (kind: CommitteeKind) => (kind === 'company' ? 'styrelsen' : 'nämnden')

export function labelOf<C extends string>(list: readonly { code: C; label: string }[], code: C): string {
  return list.find((item) => item.code === code)?.label ?? code
}
