import { describe, expect, it } from 'vitest'
import { currentOccasion, daysBetween, mondayOf, parseReminderDays, readReminderDays } from './due.js'

describe('parseReminderDays', () => {
  it('reads the default and custom days, largest first', () => {
    expect(parseReminderDays('14,3')).toEqual([14, 3])
    expect(parseReminderDays('7')).toEqual([7])
    expect(parseReminderDays('3, 30 ;14')).toEqual([30, 14, 3])
  })

  it('ignores junk, zero, negatives, fractions, repeats and more than a year', () => {
    expect(parseReminderDays('x, 0, -2, 3.5, 400, 14, 14,,')).toEqual([14])
    expect(parseReminderDays('')).toEqual([])
  })

  it('keeps the five nearest of more days', () => {
    expect(parseReminderDays('60, 30, 14, 7, 3, 1')).toEqual([30, 14, 7, 3, 1])
  })

  it('names the problem of whatever the pass ignores, for the committee form to refuse it', () => {
    expect(readReminderDays(' 7, 30 1,7 ')).toEqual({ days: [30, 7, 1] })
    const problems: [string, string][] = [
      ['', 'Ange dagarna, till exempel 14, 3.'],
      ['14, x', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['14, 2.5', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['14, -3', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['14, 0', 'Ange dagar från 1 till 365.'],
      ['14, 400', 'Ange dagar från 1 till 365.'],
      ['60, 30, 14, 7, 3, 1', 'Ange högst fem dagar.'],
    ]
    for (const [text, problem] of problems) {
      expect(readReminderDays(text), text).toEqual({ days: parseReminderDays(text), problem })
    }
  })
})

describe('dates', () => {
  it('counts days and finds the Monday of a week', () => {
    expect(daysBetween('2027-03-01', '2027-03-15')).toBe(14)
    expect(daysBetween('2027-03-15', '2027-03-01')).toBe(-14)
    expect(mondayOf('2027-03-15')).toBe('2027-03-15')
    expect(mondayOf('2027-03-21')).toBe('2027-03-15')
    expect(mondayOf('2027-01-01')).toBe('2026-12-28')
  })
})

describe('currentOccasion', () => {
  const due = '2027-03-15'
  const on = (today: string) => currentOccasion(due, today, [14, 3], true)

  it('is nothing before the first lead day and on the due date itself', () => {
    expect(on('2027-02-28')).toBeUndefined()
    expect(on('2027-03-15')).toBeUndefined()
  })

  it('is the latest lead day reached, on it and on the days after it that a missed pass catches up', () => {
    expect(on('2027-03-01')).toEqual({ kind: 'before', days: 14, on: '2027-03-01' })
    expect(on('2027-03-11')).toEqual({ kind: 'before', days: 14, on: '2027-03-01' })
    expect(on('2027-03-12')).toEqual({ kind: 'before', days: 3, on: '2027-03-12' })
    expect(on('2027-03-14')).toEqual({ kind: 'before', days: 3, on: '2027-03-12' })
  })

  it('is the week of overdue from the day after the due date', () => {
    expect(on('2027-03-16')).toEqual({ kind: 'overdue', week: 1, on: '2027-03-16' })
    expect(on('2027-03-22')).toEqual({ kind: 'overdue', week: 1, on: '2027-03-16' })
    expect(on('2027-03-23')).toEqual({ kind: 'overdue', week: 2, on: '2027-03-23' })
    expect(on('2027-12-31')).toMatchObject({ kind: 'overdue', week: 42 })
  })

  it('has no overdue occasions for a deadline', () => {
    expect(currentOccasion('2027-06-01', '2027-06-02', [30, 7, 1], false)).toBeUndefined()
    expect(currentOccasion('2027-06-01', '2027-05-31', [30, 7, 1], false)).toEqual({
      kind: 'before',
      days: 1,
      on: '2027-05-31',
    })
  })
})
