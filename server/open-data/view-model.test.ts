import { describe, expect, it } from 'vitest'
import { publishedIndex } from './view-model.js'

const plan = (
  id: number,
  municipality: string,
  committee: string,
  year: number,
  committeeId = committeeIds(committee),
) => ({
  id,
  committeeId,
  year,
  title: `Internkontrollplan ${year}`,
  adopted_meeting_date: `${year - 1}-12-10`,
  committeeName: committee,
  committeeKind: committee.endsWith('AB') ? ('company' as const) : ('committee' as const),
  municipalityId: municipality === 'Malmö stad' ? 1 : 2,
  municipalityName: municipality,
})

// One committee per name unless a test says otherwise.
const committeeIds = (name: string) => [...name].reduce((sum, c) => sum * 31 + (c.codePointAt(0) ?? 0), 7) % 1_000_000

describe('the index of published plans', () => {
  it('groups by municipality and committee in Swedish order, newest year first, with each plan’s report copies', () => {
    const index = publishedIndex(
      [
        plan(1, 'Malmö stad', 'Överförmyndarnämnden', 2025),
        plan(2, 'Malmö stad', 'Äldrenämnden', 2025),
        plan(3, 'Malmö stad', 'Arbetsmarknadsnämnden', 2025),
        plan(4, 'Malmö stad', 'Arbetsmarknadsnämnden', 2026),
        plan(5, 'Lunds kommun', 'Lundafastigheter AB', 2026),
      ],
      [
        { plan_id: 3, version_number: 2, created_at: '2026-02-01T09:00:00.000Z' },
        { plan_id: 3, version_number: 1, created_at: '2026-01-10T09:00:00.000Z' },
      ],
    )
    expect(index.map((m) => m.name)).toEqual(['Lunds kommun', 'Malmö stad'])
    const malmo = index[1]
    expect(malmo?.committees.map((c) => c.name)).toEqual([
      'Arbetsmarknadsnämnden',
      'Äldrenämnden',
      'Överförmyndarnämnden',
    ])
    expect(malmo?.committees[0]?.plans.map((p) => p.year)).toEqual([2026, 2025])
    expect(malmo?.committees[0]?.plans[1]?.reports.map((r) => r.links.json)).toEqual([
      '/oppna-data/planer/3/rapporter/2.json',
      '/oppna-data/planer/3/rapporter/1.json',
    ])
    expect(malmo?.committees[0]?.plans[0]?.reports).toEqual([])
    expect(index[0]?.committees[0]).toMatchObject({ kindLabel: 'Kommunalt bolag' })
    expect(index[0]?.committees[0]?.plans[0]?.links).toEqual({
      json: '/oppna-data/planer/5.json',
      csv: '/oppna-data/planer/5.csv',
    })
  })

  it('keeps two committees of the same name apart: a list of plans is one committee’s', () => {
    const index = publishedIndex(
      [plan(1, 'Malmö stad', 'Kulturnämnden', 2025, 10), plan(2, 'Malmö stad', 'Kulturnämnden', 2026, 11)],
      [],
    )
    expect(index[0]?.committees.map((c) => [c.name, c.plans.map((p) => p.id)])).toEqual([
      ['Kulturnämnden', [1]],
      ['Kulturnämnden', [2]],
    ])
  })
})
