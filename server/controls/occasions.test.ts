import { describe, expect, it } from 'vitest'
import { plannedDates } from './occasions.js'

describe('plannedDates', () => {
  it('divides the year into the frequency’s periods, each planned for its last day', () => {
    expect(plannedDates('quarterly', 2027)).toEqual(['2027-03-31', '2027-06-30', '2027-09-30', '2027-12-31'])
    expect(plannedDates('tertial', 2027)).toEqual(['2027-04-30', '2027-08-31', '2027-12-31'])
    expect(plannedDates('half_yearly', 2027)).toEqual(['2027-06-30', '2027-12-31'])
    expect(plannedDates('yearly', 2027)).toEqual(['2027-12-31'])
    expect(plannedDates('once', 2027)).toEqual(['2027-12-31'])
  })

  it('plans a monthly control for each month’s last day, leap years included', () => {
    const dates = plannedDates('monthly', 2028)
    expect(dates).toHaveLength(12)
    expect(dates[0]).toBe('2028-01-31')
    expect(dates[1]).toBe('2028-02-29')
    expect(plannedDates('monthly', 2027)[1]).toBe('2027-02-28')
    expect(dates[11]).toBe('2028-12-31')
  })
})
