import type { AuditEventTable } from '../../db/schema.js'
import { fieldChange, type Names } from './values.js'

const fieldLabels: Record<string, string> = {
  title: 'Rubrik',
  description: 'Beskrivning',
  what_to_do: 'Vad ska göras',
  progress: 'Genomförda åtgärder',
  owner_unit_id: 'Ansvarig enhet',
  responsible_person: 'Ansvarig person',
  due_date: 'Klart senast',
  status: 'Status',
  risk_id: 'Risk',
  position: 'Ordning',
  likelihood: 'Sannolikhet',
  consequence: 'Konsekvens',
  treatment: 'Riskhantering',
  scope: 'Typ av granskning',
  diary_number: 'Diarienummer',
  meeting_date: 'Sammanträdesdatum',
  minutes_paragraph: 'Protokollsparagraf',
  year: 'År',
  committee_id: 'Nämnd',
  introduction: 'Inledning',
  measures_introduction: 'Inledning till förbättringsåtgärderna',
  adopted_meeting_date: 'Antagen, sammanträde',
  adopted_minutes_paragraph: 'Antagen, paragraf',
  adopted_diary_number: 'Antagen, diarienummer',
  created_by: 'Fastställd av',
  disabled: 'Spärrad',
  roles: 'Roller',
  units: 'Ansvarig för enheter',
  password: 'Lösenord',
  name: 'Namn',
  email: 'E-postadress',
  origin_area_id: 'Ursprung',
  previous_risk_id: 'Risken föregående år',
  carried_from_measure_id: 'Överförd från',
  authority: 'Myndighet',
  kind: 'Typ av granskning',
  authority_diary_number: 'Myndighetens diarienummer',
  principal: 'Huvudman',
  subject: 'Granskad skola eller enhet',
  period: 'Granskningsperiod',
  decision_date: 'Beslutsdatum',
  report_deadline: 'Redovisas senast',
  approval_meeting_date: 'Redovisningen godkänd, sammanträde',
  approval_minutes_paragraph: 'Redovisningen godkänd, paragraf',
  report_sent_date: 'Redovisningen skickad',
  follow_up_decision_date: 'Uppföljningsbeslut',
  closed: 'Avslutad av myndigheten',
  signatories: 'Undertecknare',
  heading: 'Rubrik',
  legal_basis: 'Författningsstöd',
  initial_assessment: 'Bedömning vid granskningen',
  required_development: 'Vad som behöver utvecklas',
  outcome: 'Bedömning i uppföljningen',
  outcome_comment: 'Myndighetens kommentar',
  closed_meeting_date: 'Avslutat av nämnden, sammanträde',
  closed_minutes_paragraph: 'Avslutat av nämnden, paragraf',
  risks: 'Kopplade risker',
  measures: 'Kopplade åtgärder',
  diary_prefix: 'Diarieprefix',
  administration_id: 'Förvaltning',
  is_admin: 'Administratör',
  what_is_checked: 'Vad kontrolleras',
  method: 'Kontrollmetod',
  method_own: 'Egen kontrollmetod',
  frequency: 'Frekvens',
  reported_to: 'Rapporteras till',
  previous_control_id: 'Kontrollen föregående år',
  control_id: 'Kontrollmoment',
  occasion: 'Tillfälle',
  planned_date: 'Planerat datum',
  result: 'Resultat',
  not_performed_reason: 'Skäl till att den inte genomfördes',
  performed_on: 'Genomförd den',
  reported_on: 'Rapporterad den',
  performed_by: 'Utförd av',
  population: 'Population',
  population_size: 'Populationens storlek',
  sample_size: 'Stickprovets storlek',
  sampling: 'Urvalsmetod',
  checked_count: 'Antal kontrollerade',
  deviation_count: 'Antal med avvikelser',
  comment: 'Kommentar',
  run_id: 'Kontrolltillfälle',
  severity: 'Allvarlighetsgrad',
  decision: 'Beslut',
  no_measure_reason: 'Skäl till att ingen åtgärd behövs',
  origin_deviation_id: 'Avvikelse som ursprung',
  to_address: 'Mottagare',
  state: 'Status',
  attempts: 'Försök',
  last_error: 'Serverns svar',
  text_body_sha256: 'Meddelandets text (SHA-256)',
  html_body_sha256: 'Meddelandets HTML (SHA-256)',
  sent_at: 'Skickat',
  reminder_preference: 'Påminnelser',
  reminder_days: 'Påminnelsedagar före slutdatum',
  coordinatorOf: 'Kommunövergripande samordnare för',
  committee_kind: 'Typ',
  municipal_item_kind: 'Typ',
  review_result: 'Resultat',
  committees: 'Gäller nämnder och bolag',
  municipal_item_id: 'Kommungemensam',
  published_at: 'Publicerad som öppna data',
  open_data_sha256: 'Öppna data (SHA-256)',
  revoked_at: 'Återkallad',
  use_count: 'Antal användningar',
  last_used_at: 'Senast använd',
  last_used_path: 'Senast hämtat',
}

/** The Swedish label of a record field or form field ("whatToDo" and "what_to_do" alike). */
export function fieldLabel(name: string): string {
  const column = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return fieldLabels[name] ?? fieldLabels[column] ?? fieldLabels[`${column}_id`] ?? name
}

const actionLabels = { create: 'Skapad', update: 'Ändrad', delete: 'Borttagen' } as const
const entityLabels: Record<string, string> = {
  plan: 'Plan',
  risk: 'Risk',
  review: 'Granskning',
  measure: 'Åtgärd',
  report_version: 'Fastställd rapport',
  app_user: 'Användare',
  owner_unit: 'Ansvarig enhet',
  inspection: 'Extern granskning',
  development_area: 'Utvecklingsområde',
  municipality: 'Kommun',
  administration: 'Förvaltning',
  committee: 'Nämnd',
  control: 'Kontrollmoment',
  control_run: 'Kontrolltillfälle',
  control_deviation: 'Avvikelse',
  outbox_mail: 'E-post',
  municipal_item: 'Kommungemensam granskning eller risk',
  rollup_report_version: 'Fastställd sammanställning',
  api_token: 'API-nyckel',
  sso_group_role: 'Roll från grupp',
  audit_log: 'Ändringslogg',
  login: 'Inloggning',
  failed_login: 'Misslyckad inloggning',
}
/** Events that change no record, whose own name says what happened. */
const happenings = new Set(['login', 'failed_login'])

/** The fields an update changed, in the order of the form's fields. */
export function changedFieldsOf(event: Pick<AuditEventTable, 'action' | 'before' | 'after'>) {
  const before = event.before ? (JSON.parse(event.before) as Record<string, unknown>) : {}
  const after = event.after ? (JSON.parse(event.after) as Record<string, unknown>) : {}
  const fields =
    event.action === 'update'
      ? Object.keys(fieldLabels).filter((f) => f in after && JSON.stringify(before[f]) !== JSON.stringify(after[f]))
      : []
  return { before, after, fields }
}

/** An audit row as people read it: what happened, to what, and each changed field's value before and after. */
export function describeEvent(
  event: Pick<AuditEventTable, 'action' | 'entity' | 'before' | 'after'>,
  names: Names,
  // A page of rows parses each row's JSON once (describeEvents); its values are parsed already.
  { before, after, fields } = changedFieldsOf(event),
) {
  if (happenings.has(event.entity)) {
    return {
      actionLabel: '',
      entityLabel: entityLabels[event.entity],
      subject: `${after.email}, från ${after.address}`,
      changes: [],
    }
  }
  return {
    actionLabel: actionLabels[event.action],
    entityLabel: entityLabels[event.entity] ?? event.entity,
    subject: String(
      after.title ??
        before.title ??
        after.heading ??
        before.heading ??
        after.diary_number ??
        before.diary_number ??
        after.email ??
        before.email ??
        after.name ??
        before.name ??
        '',
    ),
    changes: fields.map((f) => {
      // A committee's kind (nämnd or bolag) and a municipal item's (granskning or risk) share their column name with
      // an inspection's kind, not its words; a review's result is the committee's text, not a control run's result.
      const renamed: Record<string, string> = {
        'committee.kind': 'committee_kind',
        'municipal_item.kind': 'municipal_item_kind',
        'review.result': 'review_result',
      }
      const field = renamed[`${event.entity}.${f}`] ?? f
      return fieldChange(fieldLabels[field] as string, field, before[f], after[f], names)
    }),
  }
}

export const entityOptions = Object.entries(entityLabels).map(([value, label]) => ({ value, label }))

/** The external inspection an event of an inspection or one of its development areas belongs to. */
export function inspectionOf(event: Pick<AuditEventTable, 'entity' | 'entity_id' | 'before' | 'after'>) {
  if (event.entity === 'inspection') return event.entity_id
  if (event.entity !== 'development_area') return undefined
  const row = JSON.parse(event.after ?? event.before ?? '{}') as { inspection_id?: number }
  return row.inspection_id
}
