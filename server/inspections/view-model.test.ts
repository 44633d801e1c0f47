import { describe, expect, it } from 'vitest'
import { areaState, offeredFromYear, reportDeadline } from './view-model.js'

const inspection = {
  closed: 0,
  decision_date: '2024-12-17',
  report_deadline: '2025-06-06' as string | null,
  report_sent_date: null as string | null,
  follow_up_decision_date: null as string | null,
}

describe('reportDeadline', () => {
  it('counts the days left, the last day, and the days overdue from the date in Sweden', () => {
    expect(reportDeadline(inspection, '2025-06-01')).toMatchObject({ text: '5 dagar kvar', alert: false })
    expect(reportDeadline(inspection, '2025-06-05')).toMatchObject({ text: '1 dag kvar', alert: false })
    expect(reportDeadline(inspection, '2025-06-06')).toMatchObject({ text: 'Sista dagen i dag', alert: false })
    expect(reportDeadline(inspection, '2025-06-09')).toMatchObject({ text: 'Försenad med 3 dagar', alert: true })
  })

  it('marks a report sent after its deadline as late, as Perstorp’s was', () => {
    const sent = (date: string) => reportDeadline({ ...inspection, report_sent_date: date }, '2025-12-01')
    expect(sent('2025-06-10')).toMatchObject({
      kind: 'sent',
      daysLate: 4,
      text: 'Skickad 4 dagar för sent',
      alert: true,
    })
    expect(sent('2025-06-06')).toMatchObject({ kind: 'sent', daysLate: 0, text: 'Skickad i tid', alert: false })
  })

  it('stops counting once the authority has followed up or closed the inspection', () => {
    const today = '2025-12-01'
    expect(reportDeadline({ ...inspection, follow_up_decision_date: '2025-11-01' }, today).alert).toBe(false)
    expect(reportDeadline({ ...inspection, closed: 1 }, today)).toMatchObject({ kind: 'none', alert: false })
    expect(reportDeadline({ ...inspection, report_deadline: null }, today).text).toBe('Ingen tidsfrist registrerad')
  })
})

describe('areaState', () => {
  it('keeps an area with further measures needed open after the authority closed the inspection', () => {
    const area = (
      outcome: 'quality_raised' | 'further_measures_needed' | null,
      closed_meeting_date: string | null,
    ) => ({
      outcome,
      closed_meeting_date,
    })
    expect(areaState(area('further_measures_needed', null), { closed: 1 })).toBe('open')
    expect(areaState(area('further_measures_needed', '2025-09-23'), { closed: 1 })).toBe('closed_by_committee')
    expect(areaState(area('quality_raised', null), { closed: 1 })).toBe('finished')
    expect(areaState(area(null, null), { closed: 0 })).toBe('ongoing')
  })

  it('offers an open area from the year after the authority’s follow-up', () => {
    expect(offeredFromYear({ ...inspection, follow_up_decision_date: '2021-12-23' })).toBe(2022)
    expect(offeredFromYear({ ...inspection, report_sent_date: '2023-08-10' })).toBe(2024)
    expect(offeredFromYear(inspection)).toBe(2025)
  })
})
