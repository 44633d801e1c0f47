import { describe, expect, it } from 'vitest'
import { diffWords } from './text-diff.js'

const shown = (before: string, after: string) =>
  diffWords(before, after)
    .map((s) => (s.added ? `[+${s.text}]` : s.removed ? `[-${s.text}]` : s.text))
    .join('')

describe('diffWords', () => {
  it('marks the words removed and added, keeping every word of both texts and their line breaks', () => {
    expect(
      shown('Utdrag ur belastningsregistret\nvid nyanställning', 'Utdrag ur registret\nvid varje nyanställning'),
    ).toBe('Utdrag ur [-belastningsregistret][+registret]\nvid[+ varje] nyanställning')
  })

  it('shows a text added to an empty one, or removed whole, as one run', () => {
    expect(shown('', 'Ny text här')).toBe('[+Ny text här]')
    expect(shown('Gammal text', '')).toBe('[-Gammal text]')
    expect(shown('Samma', 'Samma')).toBe('Samma')
  })

  it('keeps both texts whole when they are too long and too different to compare word by word', () => {
    const before = Array.from({ length: 2500 }, (_, i) => `a${i}`).join(' ')
    const after = Array.from({ length: 2500 }, (_, i) => `b${i}`).join(' ')
    const segments = diffWords(before, after)
    expect(
      segments
        .filter((s) => s.removed)
        .map((s) => s.text)
        .join(''),
    ).toBe(before)
    expect(
      segments
        .filter((s) => s.added)
        .map((s) => s.text)
        .join(''),
    ).toBe(after)
  })
})
