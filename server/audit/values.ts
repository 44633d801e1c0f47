import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import { formatDateTime } from '../../views/helpers/date-time.js'
import {
  areaOutcomes,
  committeeKinds,
  consequenceScale,
  controlFrequencies,
  controlMethods,
  deviationDecisions,
  inspectionAuthorities,
  inspectionKinds,
  labelOf,
  likelihoodScale,
  mailStates,
  measureStatuses,
  municipalItemKinds,
  reminderPreferences,
  reportedToOptions,
  riskScopes,
  riskTreatments,
  runResults,
  samplings,
  severities,
} from '../vocabulary.js'
import { type DiffSegment, diffWords } from './text-diff.js'

// How a stored value reads to a person: the history, the audit log and the 409 page all say it the same way.

/** Fields whose value is a stored code, shown as its Swedish label. */
export const codedFields: Record<string, readonly { code: string; label: string }[]> = {
  status: measureStatuses,
  treatment: riskTreatments,
  scope: riskScopes,
  authority: inspectionAuthorities,
  kind: inspectionKinds,
  outcome: areaOutcomes,
  method: controlMethods,
  frequency: controlFrequencies,
  reported_to: reportedToOptions,
  result: runResults,
  sampling: samplings,
  severity: severities,
  decision: deviationDecisions,
  state: mailStates,
  reminder_preference: reminderPreferences,
  committee_kind: committeeKinds,
  municipal_item_kind: municipalItemKinds,
}

type Named =
  | 'owner_unit'
  | 'risk'
  | 'measure'
  | 'development_area'
  | 'committee'
  | 'administration'
  | 'control'
  | 'control_deviation'
  | 'municipality'
  | 'municipal_item'
const nameColumn: Record<Named, string> = {
  control: 'title',
  control_deviation: 'description',
  owner_unit: 'name',
  risk: 'title',
  measure: 'title',
  development_area: 'heading',
  committee: 'name',
  administration: 'name',
  municipality: 'name',
  municipal_item: 'title',
}

/** Fields holding the id of another record (or a list of them), shown as that record's name. */
const references: Record<string, Named> = {
  owner_unit_id: 'owner_unit',
  units: 'owner_unit',
  risk_id: 'risk',
  previous_risk_id: 'risk',
  risks: 'risk',
  carried_from_measure_id: 'measure',
  measures: 'measure',
  origin_area_id: 'development_area',
  committee_id: 'committee',
  administration_id: 'administration',
  previous_control_id: 'control',
  control_id: 'control',
  origin_deviation_id: 'control_deviation',
  coordinatorOf: 'municipality',
  committees: 'committee',
  municipal_item_id: 'municipal_item',
}

/** An account's roles are stored as "secretary:1", a role in a committee. */
const roleLabels: Record<string, string> = { secretary: 'sekreterare', reader: 'läsare' }
const roleOf = (value: unknown) => {
  const [role = '', committee] = String(value).split(':')
  return { role, committeeId: Number(committee) }
}

const scales: Record<string, readonly string[]> = { likelihood: likelihoodScale, consequence: consequenceScale }
const yesNo = new Set(['closed', 'disabled', 'is_admin'])
// Timestamps (UTC in the record) read in Swedish time, as the pages show them.
const timestamps = new Set(['published_at', 'revoked_at', 'last_used_at', 'sent_at', 'next_attempt_at'])

/** Texts of paragraphs, whose change is shown word by word rather than as two values. */
const longTexts = new Set([
  'description',
  'what_to_do',
  'progress',
  'introduction',
  'measures_introduction',
  'legal_basis',
  'initial_assessment',
  'required_development',
  'outcome_comment',
  'signatories',
  'what_is_checked',
  'comment',
  'not_performed_reason',
  'no_measure_reason',
  'review_result',
])

/** The names of the records that fields point to, per kind of record and id. */
export type Names = Map<Named, Map<number, string>>

/** Loads the names of every record the given field values point to: one query per kind of record. */
export async function loadNames(db: Db, values: Iterable<[field: string, value: unknown]>): Promise<Names> {
  const wanted = new Map<Named, Set<number>>()
  for (const [field, raw] of values) {
    const roles = field === 'roles' && Array.isArray(raw)
    const value = roles ? raw.map((r) => roleOf(r).committeeId) : raw
    const table = roles ? 'committee' : references[field]
    if (!table) continue
    const ids = wanted.get(table) ?? new Set<number>()
    // A form posts an id as text.
    for (const id of Array.isArray(value) ? value : [value]) if (Number.isInteger(Number(id))) ids.add(Number(id))
    wanted.set(table, ids)
  }
  const names: Names = new Map()
  await Promise.all(
    [...wanted].map(async ([table, ids]) => {
      if (ids.size === 0) return
      // Kysely cannot type one query over a union of tables; the table and column names are constants.
      const rows = await (db as unknown as Kysely<Record<Named, Record<string, unknown>>>)
        .selectFrom(table)
        .select(['id', nameColumn[table]])
        .where('id', 'in', [...ids])
        .execute()
      names.set(table, new Map(rows.map((r) => [Number(r.id), String(r[nameColumn[table]])])))
    }),
  )
  return names
}

/** One stored value as a person reads it; '–' for none. */
export function displayValue(field: string, value: unknown, names: Names): string {
  if (value === null || value === undefined || value === '') return '–'
  const table = references[field]
  if (table) {
    const ids = Array.isArray(value) ? value : [value]
    if (ids.length === 0) return '–'
    return ids.map((id) => names.get(table)?.get(Number(id)) ?? 'borttagen').join(', ')
  }
  if (field === 'roles' && Array.isArray(value)) {
    if (value.length === 0) return '–'
    return value
      .map(roleOf)
      .map(
        (r) => `${roleLabels[r.role] ?? r.role} i ${names.get('committee')?.get(r.committeeId) ?? 'borttagen nämnd'}`,
      )
      .join(', ')
  }
  const codes = codedFields[field]
  if (codes) return labelOf(codes, String(value))
  const scale = scales[field]
  if (scale && typeof value === 'number') return `${value} – ${scale[value - 1] ?? ''}`
  // A checkbox posts 'on'.
  if (yesNo.has(field)) return value === 1 || value === true || value === 'on' ? 'Ja' : 'Nej'
  if (timestamps.has(field)) return formatDateTime(value)
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}

/** A changed field: two values; for a long text what was removed and added; for a list, who joined and left it. */
export type FieldChange =
  | { label: string; from: string; to: string }
  | { label: string; diff: DiffSegment[] }
  | { label: string; added: string; removed: string }

export function fieldChange(label: string, field: string, from: unknown, to: unknown, names: Names): FieldChange {
  if (longTexts.has(field)) return { label, diff: diffWords(String(from ?? ''), String(to ?? '')) }
  if (Array.isArray(from) || Array.isArray(to)) {
    const before = Array.isArray(from) ? from : []
    const after = Array.isArray(to) ? to : []
    const added = after.filter((v) => !before.some((b) => sameValue(b, v)))
    const removed = before.filter((v) => !after.some((a) => sameValue(a, v)))
    return {
      label,
      added: added.length > 0 ? displayValue(field, added, names) : '',
      removed: removed.length > 0 ? displayValue(field, removed, names) : '',
    }
  }
  return { label, from: displayValue(field, from, names), to: displayValue(field, to, names) }
}

/** Whether two stored values are the same (a checkbox posts true where the row holds 1). */
export function sameValue(a: unknown, b: unknown): boolean {
  const normal = (v: unknown) => (v === undefined ? null : typeof v === 'boolean' ? Number(v) : v)
  return JSON.stringify(normal(a)) === JSON.stringify(normal(b))
}
