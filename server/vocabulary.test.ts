import { describe, expect, it } from 'vitest'
import { isOverdue, riskScore, scoreBand, swedishList } from './vocabulary.js'

describe('isOverdue', () => {
  it('is overdue only past the due date and while unfinished', () => {
    expect(isOverdue({ status: 'in_progress', due_date: '2021-03-14' }, '2021-03-15')).toBe(true)
    expect(isOverdue({ status: 'in_progress', due_date: '2021-03-15' }, '2021-03-15')).toBe(false)
    expect(isOverdue({ status: 'not_started', due_date: null }, '2021-03-15')).toBe(false)
    for (const status of ['done', 'done_with_follow_up', 'cancelled'] as const) {
      expect(isOverdue({ status, due_date: '2020-01-01' }, '2021-03-15')).toBe(false)
    }
  })
})

describe('scoreBand', () => {
  it('bands the 4×4 score as låg 1–4, medel 5–8, hög 9–16', () => {
    expect([1, 4, 5, 8, 9, 16].map((s) => scoreBand(s).label)).toEqual(['Låg', 'Låg', 'Medel', 'Medel', 'Hög', 'Hög'])
  })
})

describe('riskScore', () => {
  it('is likelihood × consequence with its band, and null until both are assessed', () => {
    expect(riskScore(3, 4)).toEqual({ score: 12, band: { code: 'high', label: 'Hög' } })
    expect(riskScore(2, 3)).toEqual({ score: 6, band: { code: 'medium', label: 'Medel' } })
    expect(riskScore(null, 4)).toBeNull()
    expect(riskScore(3, null)).toBeNull()
  })
})

describe('swedishList', () => {
  it('lists names as a Swedish sentence does, with och before the last', () => {
    expect(swedishList(['Status'])).toBe('Status')
    expect(swedishList(['Klart senast', 'Status'])).toBe('Klart senast och Status')
    expect(swedishList(['Rubrik', 'Klart senast', 'Status'])).toBe('Rubrik, Klart senast och Status')
  })
})
