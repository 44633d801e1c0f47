import type { AreaOutcome, Inspection } from '../../db/schema.js'
import plural from '../../views/helpers/plural.js'
import { areaOutcomes, inspectionAuthorities, inspectionKinds, labelOf } from '../vocabulary.js'

type InspectionDates = {
  closed: number
  decision_date: string
  report_deadline: string | null
  report_sent_date: string | null
  follow_up_decision_date: string | null
}
type AreaFacts = { outcome: AreaOutcome | null; closed_meeting_date: string | null }

/**
 * Where a development area stands. The authority's follow-up decision closes the inspection even when further
 * measures are needed; such an area stays open here until the committee closes it.
 */
export type AreaState = 'open' | 'ongoing' | 'finished' | 'closed_by_committee'

const stateLabels: Record<AreaState, string> = {
  open: 'Öppet – ytterligare åtgärder behövs',
  ongoing: 'Pågående',
  finished: 'Avslutat av myndigheten',
  closed_by_committee: 'Avslutat av nämnden',
}

export function areaState(area: AreaFacts, inspection: { closed: number }): AreaState {
  if (area.closed_meeting_date !== null) return 'closed_by_committee'
  if (area.outcome === 'further_measures_needed') return 'open'
  return inspection.closed ? 'finished' : 'ongoing'
}

/** A development area as pages show it: its state, and the outcome with the authority's standard wording. */
export function areaSummary<A extends AreaFacts>(area: A, inspection: { closed: number }) {
  const state = areaState(area, inspection)
  const outcome = areaOutcomes.find((o) => o.code === area.outcome)
  return {
    ...area,
    state,
    stateLabel: stateLabels[state],
    outcomeLabel: outcome?.label ?? 'Inte bedömt ännu',
    outcomeWording: outcome?.wording ?? '',
  }
}

/** The first plan year an open area is offered for: the year after the authority's last word on it. */
export function offeredFromYear(
  inspection: Pick<InspectionDates, 'decision_date' | 'report_sent_date' | 'follow_up_decision_date'>,
): number {
  const last = inspection.follow_up_decision_date ?? inspection.report_sent_date ?? inspection.decision_date
  return Number(last.slice(0, 4)) + 1
}

const dayMs = 86_400_000
const daysFrom = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / dayMs)

/** `alert`: overdue, or sent late; pages make it stand out. */
export type Deadline =
  | { kind: 'none'; text: string; alert: false }
  | { kind: 'due'; deadline: string; daysLeft: number; text: string; alert: boolean }
  | { kind: 'sent'; deadline: string | null; sent: string; daysLate: number; text: string; alert: boolean }

/** The report to the authority: not yet due, due in so many days, overdue, or sent (in time or late). */
export function reportDeadline(inspection: InspectionDates, today: string): Deadline {
  const deadline = inspection.report_deadline
  const sent = inspection.report_sent_date
  if (sent !== null) {
    const daysLate = deadline === null ? 0 : Math.max(0, daysFrom(deadline, sent))
    const text =
      deadline === null
        ? 'Skickad'
        : daysLate > 0
          ? `Skickad ${plural(daysLate, 'dag', 'dagar')} för sent`
          : 'Skickad i tid'
    return { kind: 'sent', deadline, sent, daysLate, text, alert: daysLate > 0 }
  }
  if (deadline === null) return { kind: 'none', text: 'Ingen tidsfrist registrerad', alert: false }
  // The authority followed up or closed it, so the report reached it, though its date was not recorded.
  if (inspection.closed || inspection.follow_up_decision_date !== null)
    return { kind: 'none', text: 'Dagen för redovisningen är inte registrerad', alert: false }
  const daysLeft = daysFrom(today, deadline)
  const text =
    daysLeft > 0
      ? `${plural(daysLeft, 'dag', 'dagar')} kvar`
      : daysLeft === 0
        ? 'Sista dagen i dag'
        : `Försenad med ${plural(-daysLeft, 'dag', 'dagar')}`
  return { kind: 'due', deadline, daysLeft, text, alert: daysLeft < 0 }
}

/** The reports still to be sent by a deadline, the nearest (or most overdue) first. */
export function dueReports<I extends { deadline: Deadline; report_deadline: string | null }>(
  inspections: readonly I[],
) {
  return inspections
    .filter((i): i is I & { deadline: Extract<Deadline, { kind: 'due' }> } => i.deadline.kind === 'due')
    .sort((a, b) => String(a.report_deadline).localeCompare(String(b.report_deadline)))
}

/** An inspection as pages show it. */
export function inspectionSummary<I extends Inspection>(inspection: I, today: string) {
  return {
    ...inspection,
    authorityLabel: labelOf(inspectionAuthorities, inspection.authority),
    kindLabel: labelOf(inspectionKinds, inspection.kind),
    deadline: reportDeadline(inspection, today),
    signatoryLines: inspection.signatories.split('\n').filter((line) => line.trim() !== ''),
  }
}

type AreaWithInspection = {
  id: number
  inspection_id: number
  heading: string
  authority: Inspection['authority']
  principal: string
  decision_date: string
}

/**
 * "Skolinspektionen: Landskrona kommun, beslut 2021-12-06 – Rättvisande och likvärdiga betyg (Asmundtorps skola)":
 * the inspection as the register names it, then the area, whose heading may end in brackets of its own.
 */
export function areaOriginLabel(area: AreaWithInspection): string {
  const authority = labelOf(inspectionAuthorities, area.authority)
  return `${authority}: ${area.principal}, beslut ${area.decision_date} – ${area.heading}`
}

/** How workbooks exported before December 2026 name an origin; their import still recognises it. */
export function earlierAreaOriginLabel(area: AreaWithInspection): string {
  const authority = labelOf(inspectionAuthorities, area.authority)
  return `${authority}, beslut ${area.decision_date}: ${area.heading} (${area.principal})`
}

/** A link to an area from the pages of the risks and measures it is linked to. */
export const areaLink = (area: AreaWithInspection) => ({
  href: `/externa-granskningar/${area.inspection_id}/omraden/${area.id}`,
  text: areaOriginLabel(area),
})
