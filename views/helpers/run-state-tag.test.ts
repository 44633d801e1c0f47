import { describe, expect, it } from 'vitest'
import { runStateOf } from '../../server/controls/control-line.js'
import runStateTag from './run-state-tag.js'

describe('runStateTag', () => {
  it('shows where an occasion stands in its own words, with a class of its own per state', () => {
    const today = '2020-05-15'
    const tag = (result: Parameters<typeof runStateOf>[0]['result'], planned_date = '2020-03-31') =>
      String(runStateTag(runStateOf({ result, planned_date }, today)))
    expect(tag(null)).toBe('<strong class="tag run-state--overdue">Försenat</strong>')
    expect(tag(null, '2020-06-30')).toBe('<strong class="tag run-state--not_reported">Ej rapporterat</strong>')
    expect(tag('no_remarks')).toBe('<strong class="tag run-state--no_remarks">Utan anmärkning</strong>')
    expect(tag('deviations')).toBe('<strong class="tag run-state--deviations">Med avvikelser</strong>')
    expect(tag('not_performed')).toBe('<strong class="tag run-state--not_performed">Ej genomförd</strong>')
  })

  it('escapes what it does not know, and shows a dash for no state', () => {
    expect(String(runStateTag({ code: '<b>' as never, label: '<i>' }))).not.toMatch(/<[bi]>/)
    expect(runStateTag(undefined)).toBe('–')
  })
})
