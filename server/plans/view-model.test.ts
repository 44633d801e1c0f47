import { describe, expect, it } from 'vitest'
import type { MeasureStatus, Risk } from '../../db/schema.js'
import { planOverview, plansByCommittee } from './view-model.js'

const risk = (id: number, extra: Partial<Risk> = {}): Risk => ({
  id,
  plan_id: 1,
  title: `Risk ${id}`,
  description: '',
  likelihood: null,
  consequence: null,
  treatment: 'review',
  scope: 'committee',
  position: id,
  previous_risk_id: null,
  municipal_item_id: null,
  version: 1,
  ...extra,
})
const measure = (risk_id: number, status: MeasureStatus, due_date: string | null = null) => ({
  risk_id,
  status,
  due_date,
})

describe('planOverview', () => {
  const overview = planOverview(
    [risk(1, { likelihood: 3, consequence: 4 }), risk(2)],
    [measure(1, 'done'), measure(1, 'in_progress', '2021-01-31'), measure(2, 'in_progress')],
    '2021-03-15',
  )

  it('puts each measure under its risk and marks the overdue one', () => {
    expect(overview.risks.map((r) => r.measures.length)).toEqual([2, 1])
    expect(overview.risks[0]?.measures.map((m) => m.overdue)).toEqual([false, true])
    expect(overview.overdueCount).toBe(1)
  })

  it('counts measures per status, every status listed', () => {
    const counts = Object.fromEntries(overview.statusCounts.map((s) => [s.code, s.count]))
    expect(counts).toEqual({
      not_started: 0,
      in_progress: 2,
      partially_done: 0,
      done: 1,
      done_with_follow_up: 0,
      cancelled: 0,
    })
    expect(overview.measureCount).toBe(3)
  })

  it('scores a risk only when both scales are assessed', () => {
    expect(overview.risks[0]).toMatchObject({ score: 12, band: { label: 'Hög' }, treatmentLabel: 'Granskning' })
    expect(overview.risks[1]).toMatchObject({ score: null, band: null })
  })
})

describe('plansByCommittee', () => {
  it('groups plans under their committees in Swedish order, Å–Ö after Z, each keeping the plans’ order', () => {
    const plan = (id: number, committeeId: number, committeeName: string, municipalityName = 'Malmö stad') => ({
      id,
      committeeId,
      committeeName,
      municipalityName,
    })
    const groups = plansByCommittee([
      plan(1, 3, 'Östra nämnden'),
      plan(2, 1, 'Grundskolenämnden'),
      plan(3, 3, 'Östra nämnden'),
      plan(4, 2, 'Zonnämnden'),
      plan(5, 4, 'Arbetsmarknadsnämnden', 'Ängelholms kommun'),
    ])
    expect(groups.map((g) => [g.name, g.plans.map((p) => p.id)])).toEqual([
      ['Grundskolenämnden', [2]],
      ['Zonnämnden', [4]],
      ['Östra nämnden', [1, 3]],
      ['Arbetsmarknadsnämnden', [5]],
    ])
  })
})
