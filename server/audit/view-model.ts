import type { AuditEventTable } from '../../db/schema.js'

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
  created_by: 'Fastställd av',
  disabled: 'Spärrad',
  roles: 'Roller',
  units: 'Ansvarig för enheter',
  password: 'Lösenord',
  name: 'Namn',
  email: 'E-postadress',
}

/** The Swedish label of a record field or form field ("whatToDo" and "what_to_do" alike). */
export function fieldLabel(name: string): string {
  const column = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  return fieldLabels[column] ?? fieldLabels[`${column}_id`] ?? name
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
}

/** An audit row as people read it: what happened, to what, and which fields changed. */
export function describeEvent(event: Pick<AuditEventTable, 'action' | 'entity' | 'before' | 'after'>) {
  const before = event.before ? (JSON.parse(event.before) as Record<string, unknown>) : {}
  const after = event.after ? (JSON.parse(event.after) as Record<string, unknown>) : {}
  const changed =
    event.action === 'update'
      ? Object.keys(fieldLabels).filter((f) => f in after && JSON.stringify(before[f]) !== JSON.stringify(after[f]))
      : []
  return {
    actionLabel: actionLabels[event.action],
    entityLabel: entityLabels[event.entity] ?? event.entity,
    subject: String(
      after.title ??
        before.title ??
        after.diary_number ??
        before.diary_number ??
        after.email ??
        before.email ??
        after.name ??
        before.name ??
        '',
    ),
    changedFields: changed.map((f) => fieldLabels[f] as string),
  }
}

export const entityOptions = Object.entries(entityLabels).map(([value, label]) => ({ value, label }))
