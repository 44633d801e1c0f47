import * as cheerio from 'cheerio'
import { describe, expect, it } from 'vitest'
import { trafficLight } from '../../server/controls/traffic-light.js'
import lightTag from './light-tag.js'

describe('lightTag', () => {
  it('says the light in words, with a coloured mark hidden from screen readers beside them', () => {
    const red = String(lightTag(trafficLight({ planned: 4, done: 1, withDeviations: 1, missed: 1 })))
    expect(red).toBe(
      '<span class="light light--red"><span class="light__name"><span class="light__mark" aria-hidden="true"></span>Röd</span> – tillfälle missat eller försenat</span>',
    )
    const text = (summary: Parameters<typeof trafficLight>[0]) =>
      cheerio
        .load(String(lightTag(trafficLight(summary))))('.light')
        .text()
    expect(text({ planned: 4, done: 1, withDeviations: 1, missed: 0 })).toBe('Gul – avvikelser')
    expect(text({ planned: 4, done: 0, withDeviations: 0, missed: 0 })).toBe('Grön – utan avvikelser')
  })

  it('escapes what it does not know, and shows a dash for no light', () => {
    expect(String(lightTag({ code: '<b>' as never, label: '<i>', explanation: 'x', text: 'x' }))).not.toMatch(/<[bi]>/)
    expect(lightTag(undefined)).toBe('–')
  })
})
