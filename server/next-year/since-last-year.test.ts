import { describe, expect, it } from 'vitest'
import { controlSinceLastYear, sinceLastYear } from './since-last-year.js'

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

const control = {
  title: 'Kontroll av utdrag ur belastningsregistret',
  what_is_checked: 'Att utdrag har visats före anställning.',
  method: 'sample' as const,
  method_own: '',
  frequency: 'quarterly' as const,
  ownerName: 'HR-avdelningen',
  responsible_person: 'Anna Andersson',
  reported_to: 'committee' as const,
}
const controlLastYear = { ...control, year: 2020 }

describe('controlSinceLastYear', () => {
  it('calls an untouched copy unchanged, and one without an original new when there was a plan the year before', () => {
    expect(controlSinceLastYear(control, controlLastYear, plan2021)).toEqual({
      kind: 'unchanged',
      text: 'Oförändrat sedan 2020',
    })
    expect(controlSinceLastYear(control, undefined, plan2021)).toEqual({
      kind: 'new',
      text: 'Nytt kontrollmoment för 2021',
    })
    expect(controlSinceLastYear(control, undefined, { year: 2020, hasPlanYearBefore: false })).toBeUndefined()
  })

  it('names every changed field, with before and after for the method, frequency, unit and whom it reports to', () => {
    const edited = {
      title: 'Kontroll av utdrag',
      what_is_checked: 'Att utdrag har visats och arkiverats.',
      method: 'own' as const,
      method_own: 'Genomgång av personalakter',
      frequency: 'half_yearly' as const,
      ownerName: 'Ekonomiavdelningen',
      responsible_person: 'Bo Berg',
      reported_to: 'management' as const,
    }
    expect(controlSinceLastYear(edited, controlLastYear, plan2021)).toEqual({
      kind: 'changed',
      text:
        'Ändrat sedan 2020: rubrik, vad som kontrolleras, metod stickprov → Genomgång av personalakter, ' +
        'frekvens kvartalsvis → halvårsvis, ansvarig enhet HR-avdelningen → Ekonomiavdelningen, ansvarig person, ' +
        'rapporteras till nämnd → förvaltningsledning',
    })
  })

  it('sees only the words of an own method, and ignores words left from one no longer chosen', () => {
    const own = { ...control, method: 'own' as const, method_own: 'Egen genomgång' }
    expect(controlSinceLastYear({ ...own, method_own: 'Ny genomgång' }, { ...own, year: 2020 }, plan2021)?.text).toBe(
      'Ändrat sedan 2020: metod Egen genomgång → Ny genomgång',
    )
    expect(controlSinceLastYear({ ...control, method_own: 'Kvar' }, controlLastYear, plan2021)?.kind).toBe('unchanged')
  })
})
