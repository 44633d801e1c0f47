import { describe, expect, it } from 'vitest'
import type { MeasureStatus } from '../../db/schema.js'
import { type MeasureFilter, measureFilter } from './schema.js'
import { byDueDate, filterMeasures } from './view-model.js'

const hr = 1
const education = 2
const measure = (title: string, status: MeasureStatus, due_date: string | null, owner_unit_id = hr, progress = '') => ({
  title,
  what_to_do: '',
  progress,
  owner_unit_id,
  status,
  due_date,
})
// In the plan's order.
const measures = [
  measure('Revidera rutinen för belastningsregister', 'in_progress', '2021-02-01'),
  measure('Informationsinsats till chefer', 'done', '2021-01-15'),
  measure('Kompetenshöjande insats för skolledare', 'not_started', null, education, 'Ärendet är ÖVERLÄMNAT.'),
  measure('Analys av betygssättning', 'partially_done', '2021-06-30', education),
]
const today = '2021-03-15'
const filter = (query: Record<string, string>): MeasureFilter => {
  const parsed = measureFilter([hr, education]).safeParse(query)
  if (!parsed.success) throw new Error(parsed.error.message)
  return parsed.data
}
const titles = (query: Record<string, string>) => filterMeasures(measures, filter(query), today).map((m) => m.title)

describe('filterMeasures', () => {
  it('keeps every measure, in the plan’s order, without a filter, and marks the overdue one', () => {
    const shown = filterMeasures(measures, filter({}), today)
    expect(shown.map((m) => m.title)).toEqual(measures.map((m) => m.title))
    expect(shown.map((m) => m.overdue)).toEqual([true, false, false, false])
  })

  it('filters by status, owner unit and overdue, each alone and together', () => {
    expect(titles({ status: 'done' })).toEqual(['Informationsinsats till chefer'])
    expect(titles({ enhet: String(education) })).toEqual([
      'Kompetenshöjande insats för skolledare',
      'Analys av betygssättning',
    ])
    // Informationsinsats is past its date too, but done: not overdue.
    expect(titles({ forsenade: 'ja' })).toEqual(['Revidera rutinen för belastningsregister'])
    expect(titles({ forsenade: 'ja', enhet: String(education) })).toEqual([])
    expect(titles({ status: 'partially_done', enhet: String(education) })).toEqual(['Analys av betygssättning'])
  })

  it('finds every word in title, what to do or progress, whatever the case, Swedish letters too', () => {
    expect(titles({ sok: 'INSATS' })).toEqual([
      'Informationsinsats till chefer',
      'Kompetenshöjande insats för skolledare',
    ])
    expect(titles({ sok: 'överlämnat' })).toEqual(['Kompetenshöjande insats för skolledare'])
    // "ä" typed as a + combining diaeresis is the same letter.
    expect(titles({ sok: 'a\u0308rendet' })).toEqual(['Kompetenshöjande insats för skolledare'])
    expect(titles({ sok: '  insats   skolledare ' })).toEqual(['Kompetenshöjande insats för skolledare'])
    expect(titles({ sok: 'insats betyg' })).toEqual([])
  })

  it('sorts by due date either way, a measure without one last', () => {
    expect(titles({ sortering: 'klart-senast' })).toEqual([
      'Informationsinsats till chefer',
      'Revidera rutinen för belastningsregister',
      'Analys av betygssättning',
      'Kompetenshöjande insats för skolledare',
    ])
    expect(titles({ sortering: 'klart-senast-fallande' })).toEqual([
      'Analys av betygssättning',
      'Revidera rutinen för belastningsregister',
      'Informationsinsats till chefer',
      'Kompetenshöjande insats för skolledare',
    ])
  })
})

describe('byDueDate', () => {
  it('keeps measures with the same date, or none, in their order', () => {
    const rows = [
      { id: 1, due_date: null },
      { id: 2, due_date: '2021-05-01' },
      { id: 3, due_date: null },
      { id: 4, due_date: '2021-05-01' },
    ]
    expect(rows.sort(byDueDate('asc')).map((r) => r.id)).toEqual([2, 4, 1, 3])
  })
})

describe('measureFilter', () => {
  it('answers invalid values with Swedish messages', () => {
    const parsed = measureFilter([hr]).safeParse({
      status: 'overdue',
      enhet: String(education),
      forsenade: 'kanske',
      sok: 'x'.repeat(201),
      sortering: 'titel',
    })
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['status', 'Välj en status i listan.'],
      ['enhet', 'Välj en ansvarig enhet i listan.'],
      ['forsenade', 'Kryssa i rutan för att bara visa försenade åtgärder, eller lämna den tom.'],
      ['sok', 'Skriv sökorden i rutan, högst 200 tecken.'],
      ['sortering', 'Välj en sortering i listan.'],
    ])
  })

  it('refuses a parameter given twice rather than reading one of them', () => {
    expect(measureFilter([hr]).safeParse({ status: ['done', 'cancelled'] }).success).toBe(false)
  })
})
