import { describe, expect, it } from 'vitest'
import { ForbiddenError } from '../errors.js'
import { lockedNote, refuseLockedChange } from './locked.js'
import { copiesHoldWorkMessage } from './push-down.js'
import type { Copy } from './repository.js'
import { workInCopy } from './work-in-copy.js'

describe('a copy’s locked words', () => {
  const stored = { title: 'Hantering av bisysslor', description: 'Rad ett\nRad två', riskId: 7 }

  it('lets through a post that leaves them out or sends them unchanged, as a browser would', () => {
    expect(() => refuseLockedChange({ likelihood: '3' }, stored, 'Risken')).not.toThrow()
    expect(() =>
      refuseLockedChange(
        { title: ' Hantering av bisysslor ', description: 'Rad ett\r\nRad två', riskId: '7' },
        stored,
        'Risken',
      ),
    ).not.toThrow()
  })

  it('refuses, with the 403 page, a post that changes any of them, an emptied one too', () => {
    for (const body of [{ title: 'Egen rubrik' }, { description: '' }, { riskId: '' }, { riskId: '8' }]) {
      expect(() => refuseLockedChange(body, stored, 'Risken')).toThrow(ForbiddenError)
    }
  })

  it('names kommunstyrelsen’s decision, with its diary number when there is one', () => {
    expect(lockedNote('KS 2026/0412')).toBe('Kommungemensam – beslutad av kommunstyrelsen (KS 2026/0412)')
    expect(lockedNote('')).toBe('Kommungemensam – beslutad av kommunstyrelsen')
  })
})

describe('the committee’s own work in a copy', () => {
  const copy = {
    measureCount: 0,
    controlCount: 0,
    ownReviewCount: 0,
    areaCount: 0,
    laterRiskCount: 0,
    result: '',
    meetingDate: null,
    minutesParagraph: null,
  } as unknown as Copy

  it('is nothing in a fresh copy, and named kind by kind otherwise', () => {
    expect(workInCopy(copy)).toEqual([])
    expect(workInCopy({ ...copy, measureCount: 2, controlCount: 1, result: 'Fynd', minutesParagraph: 12 })).toEqual([
      '2 åtgärder',
      '1 kontrollmoment',
      'resultat',
      'beslut',
    ])
    // What points at the copy's risk from the committee's own records, which deleting the copy would unlink.
    expect(workInCopy({ ...copy, ownReviewCount: 1, areaCount: 2, laterRiskCount: 1 })).toEqual([
      '1 egen granskning',
      'kopplad till 2 utvecklingsområden',
      'förd vidare till nästa års plan',
    ])
  })

  it('is named, committee by committee, in the refusal', () => {
    expect(copiesHoldWorkMessage(['Grundskolenämnden (1 åtgärd)', 'Förskolenämnden (resultat)'], false)).toBe(
      'Det går inte att välja bort: Grundskolenämnden (1 åtgärd) och Förskolenämnden (resultat) har redan eget arbete i sin plan under den kommungemensamma posten. Ta bort det arbetet i planen först, eller behåll valet.',
    )
  })
})
