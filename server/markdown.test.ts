import { describe, expect, it } from 'vitest'
import { renderMarkdown, renderMarkdownLead } from './markdown.js'

describe('renderMarkdown', () => {
  it('keeps the headings and lists of a progress text', () => {
    const out = renderMarkdown('### Kartläggning\n\n- Ja, mer utbildning 12\n- Nej 1\n\n1. Första frågan')
    expect(out).toContain('<h3>Kartläggning</h3>')
    expect(out).toContain('<li>Ja, mer utbildning 12</li>')
    expect(out).toContain('<ol>')
  })

  it('shows raw HTML as text instead of running it', () => {
    const out = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>')
    expect(out).not.toContain('<script')
    expect(out).not.toContain('<img')
    expect(out).toContain('&lt;script&gt;')
  })

  it('keeps web and mail links and drops every other scheme', () => {
    expect(renderMarkdown('[Malmö](https://malmo.se)')).toContain('<a href="https://malmo.se">Malmö</a>')
    expect(renderMarkdown('[Skriv](mailto:ik@malmo.se)')).toContain('href="mailto:ik@malmo.se"')
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '/relative']) {
      expect(renderMarkdown(`[klick](${url})`)).not.toContain('<a')
    }
  })

  it('does not load images, which a printed report could not fetch', () => {
    expect(renderMarkdown('![diagram](https://example.org/chart.png)')).not.toContain('<img')
  })
})

describe('heading levels', () => {
  it('keeps headings below the level of the page around them', () => {
    expect(renderMarkdown('# Stor\n\n### Liten', 5)).toBe('<h5>Stor</h5>\n<h5>Liten</h5>\n')
    expect(renderMarkdown('### Kartläggning')).toBe('<h3>Kartläggning</h3>\n')
  })
})

describe('renderMarkdownLead', () => {
  it('splits off the first block with the headings before it', () => {
    expect(renderMarkdownLead('### Kartläggning\n\nFörsta stycket.\n\nAndra stycket.', 5)).toEqual({
      lead: '<h5>Kartläggning</h5>\n<p>Första stycket.</p>\n',
      rest: '<p>Andra stycket.</p>\n',
    })
  })

  it('splits a list after its first item, numbering the rest on', () => {
    expect(renderMarkdownLead('3. Tre\n4. Fyra\n5. Fem')).toEqual({
      lead: '<ol start="3" class="list-lead">\n<li>Tre</li>\n</ol>\n',
      rest: '<ol start="4">\n<li>Fyra</li>\n<li>Fem</li>\n</ol>\n',
    })
    expect(renderMarkdownLead('- Ett\n\nSlut.').lead).toBe('<ul>\n<li>Ett</li>\n</ul>\n')
    // A list within the first item stays in it.
    expect(renderMarkdownLead('- Ett\n  - a\n  - b\n- Två').rest).toBe('<ul>\n<li>Två</li>\n</ul>\n')
  })

  it('holds only the headings when the first block is too long to keep with them', () => {
    const long = 'Ord '.repeat(400).trim()
    expect(renderMarkdownLead(`### Rubrik\n\n${long}`, 5)).toEqual({
      lead: '<h5>Rubrik</h5>\n',
      rest: `<p>${long}</p>\n`,
    })
  })

  it('is empty for an empty text and renders the same as a whole', () => {
    expect(renderMarkdownLead('')).toEqual({ lead: '', rest: '' })
    const text = '### A\n\nB\n\n- C\n- D\n\nE'
    const { lead, rest } = renderMarkdownLead(text)
    expect((lead + rest).replace(' class="list-lead"', '').replace('</ul>\n<ul>\n', '')).toBe(renderMarkdown(text))
  })
})
