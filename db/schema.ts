import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export type MeasureStatus =
  | 'not_started'
  | 'in_progress'
  | 'partially_done'
  | 'done'
  | 'done_with_follow_up'
  | 'cancelled'
export type RiskTreatment = 'accept' | 'direct_action' | 'review' | 'monitor'
export type RiskScope = 'committee' | 'municipality_wide'
export type InspectionAuthority = 'skolinspektionen' | 'ivo' | 'auditors'
export type InspectionKind =
  | 'quality_review'
  | 'planned_quality_review'
  | 'regular_quality_review'
  | 'supervision'
  | 'regular_supervision'
  | 'audit'
export type AreaOutcome = 'quality_raised' | 'work_started_in_line' | 'further_measures_needed'
export type ControlMethod =
  | 'sample'
  | 'register_check'
  | 'reconciliation'
  | 'document_review'
  | 'interview'
  | 'self_assessment'
  | 'own'
export type ControlFrequency = 'once' | 'monthly' | 'quarterly' | 'tertial' | 'half_yearly' | 'yearly'
export type ReportedTo = 'committee' | 'management'
export type RunResult = 'no_remarks' | 'deviations' | 'not_performed'
export type Sampling = 'random' | 'systematic' | 'targeted'
export type Severity = 'low' | 'medium' | 'high'
export type DeviationDecision = 'measure_required' | 'no_measure'
export type MunicipalItemKind = 'risk' | 'review'

// Dates are ISO strings (YYYY-MM-DD) and timestamps ISO 8601 in UTC: portable between SQLite and PostgreSQL.
export interface MunicipalityTable {
  id: Generated<number>
  name: string
}

export interface AdministrationTable {
  id: Generated<number>
  municipality_id: number
  name: string
  diary_prefix: string
}

export interface CommitteeTable {
  id: Generated<number>
  municipality_id: number
  administration_id: number
  name: string
  /** Days before a due date that owners are reminded, comma-separated: '14,3'. */
  reminder_days: Generated<string>
  /** A committee (nämnd) or a municipal company (bolag, with its styrelse): the same yearly cycle. */
  kind: Generated<CommitteeKind>
}

export type CommitteeKind = 'committee' | 'company'

/** kommunövergripande samordnare: reads every plan, report and inspection of the municipality. */
export interface MunicipalityRoleTable {
  user_id: number
  municipality_id: number
}

export interface OwnerUnitTable {
  id: Generated<number>
  administration_id: number
  name: string
}

export interface PlanTable {
  id: Generated<number>
  committee_id: number
  year: number
  title: string
  introduction: string
  measures_introduction: string
  adopted_meeting_date: string | null
  adopted_minutes_paragraph: number | null
  /** The adoption decision's diary number, '' when not registered. */
  adopted_diary_number: Generated<string>
  /** When the secretary marked the plan public (its open data published); null: not public. */
  published_at: Generated<string | null>
  /** Raised by every update; a form posts the version it was based on. */
  version: Generated<number>
}

export interface RiskTable {
  id: Generated<number>
  plan_id: number
  title: string
  description: string
  likelihood: number | null
  consequence: number | null
  treatment: RiskTreatment
  scope: RiskScope
  position: number
  /** The risk of an earlier year's plan this one was copied from; null: new in its plan. */
  previous_risk_id: number | null
  /** The municipality-wide item this risk is the committee's copy of; its words are locked here. */
  municipal_item_id: Generated<number | null>
  /** Raised by every update; a form posts the version it was based on. */
  version: Generated<number>
}

export interface ReviewTable {
  id: Generated<number>
  plan_id: number
  risk_id: number | null
  diary_number: string
  title: string
  meeting_date: string | null
  minutes_paragraph: number | null
  position: number
  /** The municipality-wide review this is the committee's copy of; its title and diary number are locked here. */
  municipal_item_id: Generated<number | null>
  /** What the review found, in the committee's words (Markdown). */
  result: Generated<string>
  /** Raised by every update; a form posts the version it was based on. */
  version: Generated<number>
}

export interface MeasureTable {
  id: Generated<number>
  risk_id: number
  title: string
  what_to_do: string
  progress: string
  owner_unit_id: number
  responsible_person: string
  due_date: string | null
  status: MeasureStatus
  position: number
  /** The development area of an external inspection the measure was decided for; null: the internal control. */
  origin_area_id: number | null
  /** The unfinished measure of an earlier year's plan this one carries on; null: decided in its own plan. */
  carried_from_measure_id: number | null
  /** The deviation found by a control that the measure was decided for; null: none. */
  origin_deviation_id: Generated<number | null>
  /** Raised by every update; a form posts the version it was based on. */
  version: Generated<number>
}

/** A control activity (kontrollmoment) of a risk. */
export interface ControlTable {
  id: Generated<number>
  risk_id: number
  title: string
  what_is_checked: string
  method: ControlMethod
  /** The committee's own words for its method, when method is 'own'. */
  method_own: string
  frequency: ControlFrequency
  owner_unit_id: number
  responsible_person: string
  reported_to: ReportedTo
  position: number
  /** The control of an earlier year's plan this one was copied from; null: new in its plan. */
  previous_control_id: number | null
  version: Generated<number>
}

/**
 * One occasion of a control in its plan year (kontrolltillfälle), made with the control from its frequency;
 * the report fields stay null until it is reported.
 */
export interface ControlRunTable {
  id: Generated<number>
  control_id: number
  /** 1, 2, …: the occasion's number in the year. */
  occasion: number
  planned_date: string
  result: RunResult | null
  not_performed_reason: Generated<string>
  performed_on: string | null
  /** Set by the app when the run is first reported. */
  reported_on: string | null
  performed_by: Generated<string>
  population: Generated<string>
  population_size: number | null
  sample_size: number | null
  sampling: Sampling | null
  checked_count: number | null
  deviation_count: number | null
  /** Markdown. */
  comment: Generated<string>
  version: Generated<number>
}

/** A deviation (avvikelse) a control run found; measures decided for it name it as their origin. */
export interface ControlDeviationTable {
  id: Generated<number>
  run_id: number
  description: string
  severity: Severity
  decision: DeviationDecision | null
  no_measure_reason: string
  position: number
  version: Generated<number>
}

export interface MeasureStatusChangeTable {
  id: Generated<number>
  measure_id: number
  from_status: MeasureStatus | null
  to_status: MeasureStatus
  changed_at: string
}

export interface ReportVersionTable {
  id: Generated<number>
  plan_id: number
  version_number: number
  created_at: string
  created_by: string
  /** The name it downloads under, fixed when it was made. */
  file_name: string
  sha256: string
  byte_size: number
  /** The plan's open-data JSON document as it stood when this version was made final; null before 0019. */
  open_data: Generated<string | null>
  pdf: Uint8Array
}

export interface InspectionTable {
  id: Generated<number>
  committee_id: number
  authority: InspectionAuthority
  kind: InspectionKind
  title: string
  /** The authority's own diary number, e.g. Skolinspektionen's 2020:7120. */
  authority_diary_number: string
  /** huvudman */
  principal: string
  /** The school or unit inspected, when not the principal as a whole. */
  subject: string
  period: string
  decision_date: string
  /** When the municipality's report (redovisning) is due. */
  report_deadline: string | null
  /** The committee's approval of the report: meeting date and minutes paragraph. */
  approval_meeting_date: string | null
  approval_minutes_paragraph: number | null
  report_sent_date: string | null
  follow_up_decision_date: string | null
  /** 1 when the authority has closed the inspection. */
  closed: number
  /** One per line: "Beslutsfattare: Kerstin Martinsson". */
  signatories: string
  version: Generated<number>
}

export interface DevelopmentAreaTable {
  id: Generated<number>
  inspection_id: number
  heading: string
  legal_basis: string
  initial_assessment: string
  required_development: string
  /** The authority's judgement in its follow-up decision; null until then. */
  outcome: AreaOutcome | null
  outcome_comment: string
  /** The committee's decision that no more work is needed, after the authority closed the inspection. */
  closed_meeting_date: string | null
  closed_minutes_paragraph: number | null
  position: number
  version: Generated<number>
}

export interface DevelopmentAreaRiskTable {
  area_id: number
  risk_id: number
}

export interface DevelopmentAreaMeasureTable {
  area_id: number
  measure_id: number
}

export interface AppUserTable {
  id: Generated<number>
  email: string
  name: string
  password_hash: string
  is_admin: number
  disabled: number
  created_at: string
  reminder_preference: Generated<ReminderPreference>
}

/** Each reminder at once, a daily or weekly digest, or none (a secretary's overdue list is sent all the same). */
export type ReminderPreference = 'immediate' | 'daily' | 'weekly' | 'none'
export type MailState = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain'

/** A mail waiting to be sent, or sent, or given up: what the admin page lists. */
export interface OutboxMailTable {
  id: Generated<number>
  user_id: number | null
  to_address: string
  subject: string
  text_body: string
  html_body: string
  /**
   * queued → sending → sent; failed when the server refused it for good; uncertain when the sender stopped between
   * handing it to the server and recording that (a crash): it may have been delivered, so it is not sent again
   * unless an administrator says so.
   */
  state: Generated<MailState>
  attempts: Generated<number>
  next_attempt_at: string
  /** The server's answer to the last failed attempt. */
  last_error: Generated<string>
  created_at: string
  sent_at: string | null
  /** The Message-ID header, fixed when the mail is written, so a copy sent again reads as the same message. */
  message_id: string
}

export interface ReminderTable {
  id: Generated<number>
  user_id: number
  committee_id: number
  /** What it is about and its occasion: 'measure:12:due:2026-12-16:before:14'. Unique per person. */
  key: string
  kind: string
  /** JSON: the titles, dates and paths the mail names. */
  about: string
  due_on: string | null
  created_on: string
  mail_id: number | null
  skipped: Generated<number>
}

export interface ReminderPassTable {
  pass_date: string
  started_at: string
  finished_at: string | null
}

export interface JobLeaseTable {
  name: string
  holder: string
  expires_at: string
}

export type CommitteeRole = 'secretary' | 'reader'

export interface CommitteeRoleTable {
  user_id: number
  committee_id: number
  role: CommitteeRole
}

export interface UnitMemberTable {
  user_id: number
  owner_unit_id: number
}

export interface SessionTable {
  token_hash: string
  user_id: number
  created_at: string
  last_seen_at: string
  /** What single logout at the identity provider needs when the session ends; null for a password login. */
  single_logout: string | null
}

export type SsoProvider = 'oidc' | 'saml'

export interface SsoIdentityTable {
  provider: SsoProvider
  /** Qualified by its issuer or entity id. */
  subject: string
  user_id: number
  created_at: string
}

/** administratör, sekreterare, läsare, ansvarig, kommunövergripande samordnare. */
export type GroupRole = 'admin' | 'secretary' | 'reader' | 'unit' | 'coordinator'

export interface SsoGroupRoleTable {
  id: Generated<number>
  group_name: string
  role: GroupRole
  committee_id: number | null
  owner_unit_id: number | null
  municipality_id: number | null
  created_at: string
}

export interface SsoRoleGrantTable {
  user_id: number
  role: GroupRole
  /** The committee, unit or municipality; 0 for administratör. */
  target_id: number
}

export interface LoginFailureTable {
  id: Generated<number>
  /** "email:…" or "address:…" */
  subject: string
  at: string
}

/** An AuthnRequest sent to the SAML identity provider and not yet answered. */
export interface SamlRequestTable {
  id: string
  sent_at: string
}

/** An assertion taken at SAML sign-in, kept until it expires so that it is not taken twice. */
export interface SamlAssertionTable {
  id: string
  expires_at: string
}

export type AuditAction = 'create' | 'update' | 'delete'

export interface AuditEventTable {
  id: Generated<number>
  at: string
  user_id: number | null
  user_name: string
  action: AuditAction
  entity: string
  entity_id: number
  plan_id: number | null
  /** The committee of a record that belongs to no plan (an inspection); null for rows written before it existed. */
  committee_id: number | null
  /** The record as JSON before and after the change; null for a create's before and a delete's after. */
  before: string | null
  after: string | null
  prev_hash: string
  hash: string
}

/** An uploaded spreadsheet waiting to be imported as a new plan (server/spreadsheets/). */
export interface SpreadsheetImportTable {
  id: Generated<number>
  user_id: number
  created_at: string
  committee_id: number
  year: number
  title: string
  file_name: string
  /** JSON: the file's tables, headers and rows. */
  sheets: string
  /** JSON: the field each column is read as. */
  mapping: string
  /** 'xlsx' or 'csv'. */
  format: Generated<string>
  /** JSON: the workbook's sheet of the plan's own fields; null when it has none. */
  plan_sheet: string | null
}

export interface MunicipalItemTable {
  id: Generated<number>
  municipality_id: number
  year: number
  /** A review pushes a risk with its review row into each chosen plan; a risk pushes the risk alone. */
  kind: MunicipalItemKind
  title: string
  description: string
  treatment: RiskTreatment
  /** Kommunstyrelsen's diary number, e.g. 'KS 2026/0472'; '' when none. */
  diary_number: string
  created_at: string
  /** Raised by every update; a form posts the version it was based on. */
  version: Generated<number>
}
export interface MunicipalItemCommitteeTable {
  item_id: number
  committee_id: number
}
export interface RollupReportVersionTable {
  id: Generated<number>
  municipality_id: number
  year: number
  version_number: number
  created_at: string
  created_by: string
  file_name: string
  sha256: string
  byte_size: number
  pdf: Uint8Array
}
export interface ApiTokenTable {
  id: Generated<number>
  municipality_id: number
  name: string
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  token_sha256: string
  prefix: string
  created_at: string
  created_by: string
  revoked_at: string | null
  use_count: Generated<number>
  last_used_at: string | null
  last_used_path: string | null
}
export interface Database {
  municipality: MunicipalityTable
  administration: AdministrationTable
  committee: CommitteeTable
  owner_unit: OwnerUnitTable
  plan: PlanTable
  risk: RiskTable
  review: ReviewTable
  measure: MeasureTable
  measure_status_change: MeasureStatusChangeTable
  control: ControlTable
  control_run: ControlRunTable
  control_deviation: ControlDeviationTable
  report_version: ReportVersionTable
  inspection: InspectionTable
  development_area: DevelopmentAreaTable
  development_area_risk: DevelopmentAreaRiskTable
  development_area_measure: DevelopmentAreaMeasureTable
  app_user: AppUserTable
  committee_role: CommitteeRoleTable
  unit_member: UnitMemberTable
  session: SessionTable
  login_failure: LoginFailureTable
  sso_identity: SsoIdentityTable
  sso_group_role: SsoGroupRoleTable
  sso_role_grant: SsoRoleGrantTable
  saml_request: SamlRequestTable
  saml_assertion: SamlAssertionTable
  audit_event: AuditEventTable
  spreadsheet_import: SpreadsheetImportTable
  outbox_mail: OutboxMailTable
  reminder: ReminderTable
  reminder_pass: ReminderPassTable
  job_lease: JobLeaseTable
  municipality_role: MunicipalityRoleTable
  municipal_item: MunicipalItemTable
  municipal_item_committee: MunicipalItemCommitteeTable
  rollup_report_version: RollupReportVersionTable
  api_token: ApiTokenTable
}

export type Plan = Selectable<PlanTable>
export type NewPlan = Insertable<PlanTable>
export type PlanUpdate = Updateable<PlanTable>
export type Risk = Selectable<RiskTable>
export type Review = Selectable<ReviewTable>
export type MunicipalItem = Selectable<MunicipalItemTable>
export type Measure = Selectable<MeasureTable>
export type MeasureStatusChange = Selectable<MeasureStatusChangeTable>
export type Control = Selectable<ControlTable>
export type ControlRun = Selectable<ControlRunTable>
export type ControlDeviation = Selectable<ControlDeviationTable>
export type Inspection = Selectable<InspectionTable>
export type DevelopmentArea = Selectable<DevelopmentAreaTable>
