import Handlebars from 'handlebars'
import { describe, expect, it } from 'vitest'
import date from './date.js'
import dateTime, { formatDateTime } from './date-time.js'
import decision from './decision.js'
import fieldAria from './field-aria.js'
import includes from './includes.js'
import keepWithMarkdown from './keep-with-markdown.js'
import plural from './plural.js'
import statusTag from './status-tag.js'

describe('statusTag', () => {
  it('shows the Swedish label, and Försenad beside it when overdue', () => {
    expect(String(statusTag('done_with_follow_up', false))).toBe(
      '<strong class="tag tag--done_with_follow_up">Genomförd – fortsatt arbete</strong>',
    )
    expect(String(statusTag('in_progress', true))).toContain('<strong class="tag tag--overdue">Försenad</strong>')
  })

  it('escapes a code it does not know', () => {
    expect(String(statusTag('<b>' as never, false))).not.toContain('<b>')
  })
})

describe('includes', () => {
  it('finds a value in a list as text, a form’s id among stored numbers too', () => {
    expect(includes(['1', '3'], 3)).toBe(true)
    expect(includes(['1', '3'], 2)).toBe(false)
    expect(includes(undefined, 'a')).toBe(false)
  })
})

describe('date and dateTime', () => {
  it('shows ISO dates in a <time> kept on one line, and a dash for none', () => {
    expect(String(date('2020-09-23'))).toBe('<time datetime="2020-09-23">2020-09-23</time>')
    expect(String(date('2020-09-23T12:05:00.000Z'))).toBe('<time datetime="2020-09-23">2020-09-23</time>')
    expect(date(null)).toBe('–')
  })

  it('shows a UTC timestamp in Swedish time, summer and winter', () => {
    expect(formatDateTime('2020-09-23T12:05:00.000Z')).toBe('2020-09-23 14:05')
    expect(formatDateTime('2020-12-18T23:30:00.000Z')).toBe('2020-12-19 00:30')
    expect(String(dateTime('2020-12-18T23:30:00.000Z'))).toBe(
      '<time datetime="2020-12-18T23:30:00.000Z">2020-12-19 00:30</time>',
    )
    expect(dateTime('not a time')).toBe('–')
  })
})

describe('fieldAria', () => {
  it('ties a field to its hint and error', () => {
    expect(String(fieldAria('title', 'tips', 'Ange rubrik.', true))).toBe(
      'aria-required="true" aria-invalid="true" aria-describedby="field-title-hint field-title-error"',
    )
    expect(String(fieldAria('title', undefined, undefined, undefined))).toBe('')
  })
})

describe('plural', () => {
  it('chooses singular only for exactly one', () => {
    expect([0, 1, 2].map((n) => plural(n, 'risk', 'risker'))).toEqual(['0 risker', '1 risk', '2 risker'])
  })
})

describe('decision', () => {
  it('says what is known of a committee decision', () => {
    expect(decision('2020-09-23', 137)).toBe('Sammanträde 2020-09-23, protokoll §137')
    expect(decision(null, 5)).toBe('Protokoll §5')
    expect(decision('2020-09-23', null)).toBe('Sammanträde 2020-09-23')
    expect(decision(null, null)).toBe('')
  })
})

describe('keepWithMarkdown', () => {
  const template = Handlebars.create()
  template.registerHelper('keepWithMarkdown', keepWithMarkdown)
  const render = template.compile('{{#keepWithMarkdown text 5 empty=empty}}<h4>{{title}}</h4>{{/keepWithMarkdown}}')

  it('keeps the block with the text’s first paragraph and leaves the rest after it', () => {
    expect(render({ text: 'Ett.\n\nTvå.', title: 'Åtgärd: <A>' })).toBe(
      '<div class="report-keep"><h4>Åtgärd: &lt;A&gt;</h4><p>Ett.</p>\n</div><p>Två.</p>\n',
    )
  })

  it('shows the placeholder, escaped, when there is no text', () => {
    expect(render({ text: '', title: 'T', empty: 'Inte <b>beskrivet</b>.' })).toBe(
      '<div class="report-keep"><h4>T</h4><p>Inte &lt;b&gt;beskrivet&lt;/b&gt;.</p></div>',
    )
  })
})
