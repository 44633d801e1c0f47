import { describe, expect, it } from 'vitest'
import { sinceLastYear } from './since-last-year.js'

const copy = {
  title: 'Röjande av sekretess',
  description: 'Risk för att sekretessbelagda uppgifter lämnas ut.',
  likelihood: 3,
  consequence: 4,
}
const lastYear = { ...copy, year: 2020 }
const plan2021 = { year: 2021, hasPlanYearBefore: true }

describe('sinceLastYear', () => {
  it('calls a copy nobody has edited unchanged since the year it came from', () => {
    expect(sinceLastYear(copy, lastYear, plan2021)).toEqual({ kind: 'unchanged', text: 'Oförändrad sedan 2020' })
  })

  it('names each change, with the scores before and after', () => {
    expect(sinceLastYear({ ...copy, likelihood: 4 }, lastYear, plan2021)).toEqual({
      kind: 'changed',
      text: 'Ändrad sedan 2020: sannolikhet 3 → 4',
    })
    expect(
      sinceLastYear(
        { ...copy, title: 'Röjande av sekretess i e-post', description: 'Ny.', consequence: null },
        lastYear,
        plan2021,
      )?.text,
    ).toBe('Ändrad sedan 2020: rubrik, beskrivning, konsekvens 4 → ej bedömd')
    expect(sinceLastYear(copy, { ...lastYear, likelihood: null }, plan2021)?.text).toBe(
      'Ändrad sedan 2020: sannolikhet ej bedömd → 3',
    )
  })

  it('counts the year of the risk it came from, even when a year was skipped', () => {
    expect(sinceLastYear(copy, { ...lastYear, year: 2019 }, plan2021)?.text).toBe('Oförändrad sedan 2019')
  })

  it('calls a risk without a previous one new, but only when there was a plan the year before', () => {
    expect(sinceLastYear(copy, undefined, plan2021)).toEqual({ kind: 'new', text: 'Ny risk för 2021' })
    expect(sinceLastYear(copy, undefined, { year: 2020, hasPlanYearBefore: false })).toBeUndefined()
  })
})
