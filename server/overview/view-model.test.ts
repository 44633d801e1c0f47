import { describe, expect, it } from 'vitest'
import type { MeasureStatus } from '../../db/schema.js'
import { reportDeadline } from '../inspections/view-model.js'
import {
  comingDeadlines,
  daysAfter,
  lightColumns,
  myMeasures,
  myRuns,
  overdueMeasures,
  planStatus,
  whereTheRestAre,
} from './view-model.js'

const today = '2021-03-15'
let nextId = 1
const measure = (title: string, status: MeasureStatus, due_date: string | null) => ({
  id: nextId++,
  planId: 7,
  committeeName: 'Grundskolenämnden',
  planTitle: 'Internkontrollplan 2021',
  ownerName: 'HR-avdelningen',
  title,
  status,
  due_date,
})
const measures = [
  measure('Utan datum', 'in_progress', null),
  measure('I maj', 'not_started', '2021-05-01'),
  measure('Försenad', 'in_progress', '2021-03-01'),
  measure('Klar i februari', 'done', '2021-02-01'),
  measure('Klar i april', 'done', '2021-04-01'),
  measure('I dag', 'partially_done', today),
]
const report = (id: number, report_deadline: string) => {
  const deadline = reportDeadline(
    { closed: 0, decision_date: '2021-01-10', report_deadline, report_sent_date: null, follow_up_decision_date: null },
    today,
  )
  if (deadline.kind !== 'due') throw new Error('not due')
  return { id, title: `Granskning ${id}`, committeeName: 'Grundskolenämnden', deadline }
}

describe('myMeasures', () => {
  it('puts what is still to do first, each group soonest due first and those without a date last', () => {
    const shown = myMeasures(measures, today)
    expect(shown.map((m) => m.title)).toEqual([
      'Försenad',
      'I dag',
      'I maj',
      'Utan datum',
      'Klar i februari',
      'Klar i april',
    ])
    expect(shown.filter((m) => m.overdue).map((m) => m.title)).toEqual(['Försenad'])
  })

  it('links each update form back to the measure’s place on the start page', () => {
    const [first] = myMeasures([measures[0] as (typeof measures)[number]], today)
    expect(first?.updateHref).toBe(
      `/planer/7/atgarder/${first?.id}/uppdatera?till=%2F%3Fatgard%3D${first?.id}%23atgard-${first?.id}`,
    )
  })
})

describe('planStatus', () => {
  it('spreads each plan’s counts over every status, zero where none, and adds up the overdue and the total', () => {
    const counts = [
      { planId: 7, status: 'in_progress' as const, count: 3, overdue: 2 },
      { planId: 7, status: 'done' as const, count: 4, overdue: 0 },
      { planId: 8, status: 'not_started' as const, count: 9, overdue: 9 },
    ]
    const [seven, empty] = planStatus([{ id: 7 }, { id: 9 }], counts)
    expect(seven?.statusCounts.map((s) => s.count)).toEqual([0, 3, 0, 4, 0, 0])
    expect([seven?.overdueCount, seven?.measureCount]).toEqual([2, 7])
    expect([empty?.overdueCount, empty?.measureCount, empty?.statusCounts.every((s) => s.count === 0)]).toEqual([
      0,
      0,
      true,
    ])
  })
})

describe('overdueMeasures', () => {
  it('lists only unfinished measures past their date', () => {
    expect(overdueMeasures(measures, today).map((m) => m.title)).toEqual(['Försenad'])
  })
})

describe('comingDeadlines', () => {
  it('merges unfinished measures due from today on with the reports still to send, nearest first', () => {
    const { shown, total } = comingDeadlines(measures, [report(1, '2021-04-15'), report(2, '2021-03-10')], today, 10)
    expect(shown.map((d) => [d.dueDate, d.kind, d.title])).toEqual([
      // An overdue report stays listed: no other section of the start page shows it.
      ['2021-03-10', 'report', 'Granskning 2'],
      ['2021-03-15', 'measure', 'I dag'],
      ['2021-04-15', 'report', 'Granskning 1'],
      ['2021-05-01', 'measure', 'I maj'],
    ])
    expect(total).toBe(4)
    expect(shown[0]).toMatchObject({ href: '/externa-granskningar/2', deadline: { text: 'Försenad med 5 dagar' } })
  })

  it('shows the nearest few and tells how many there are', () => {
    const { shown, total } = comingDeadlines(measures, [report(1, '2021-04-15')], today, 2)
    expect(shown.map((d) => d.title)).toEqual(['I dag', 'Granskning 1'])
    expect(total).toBe(3)
  })
})

describe('daysAfter', () => {
  it('counts across months, leap days and years', () => {
    expect(daysAfter('2020-02-15', 30)).toBe('2020-03-16')
    expect(daysAfter('2021-02-15', 30)).toBe('2021-03-17')
    expect(daysAfter('2021-01-01', -1)).toBe('2020-12-31')
  })
})

describe('myRuns', () => {
  it('marks the runs past their planned date and sends each report form back to the start page', () => {
    const run = (id: number, planned_date: string) => ({ id, occasion: 1, planned_date, controlId: 3, planId: 7 })
    const shown = myRuns([run(1, '2021-03-14'), run(2, today)], today)
    expect(shown.map((r) => r.state)).toEqual([
      { code: 'overdue', label: 'Försenat' },
      { code: 'not_reported', label: 'Ej rapporterat' },
    ])
    expect(shown[1]?.href).toBe('/planer/7/kontroller/3/tillfallen/2')
    expect(shown[1]?.reportHref).toBe('/planer/7/kontroller/3/tillfallen/2/rapportera?till=%2F')
  })
})

describe('whereTheRestAre', () => {
  it('adds up the runs due in each plan and links each plan’s controls', () => {
    expect(
      whereTheRestAre([
        { planId: 7, count: 3 },
        { planId: 8, count: 21 },
      ]),
    ).toEqual({
      total: 24,
      plans: [
        { planId: 7, count: 3, href: '/planer/7/kontroller' },
        { planId: 8, count: 21, href: '/planer/8/kontroller' },
      ],
    })
  })
})

describe('lightColumns', () => {
  it('names the lights in the traffic light’s own words', () => {
    expect(lightColumns.map((c) => c.heading)).toEqual([
      'Grön – utan avvikelser',
      'Gul – avvikelser',
      'Röd – tillfälle missat eller försenat',
    ])
  })
})
