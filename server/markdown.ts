import MarkdownIt from 'markdown-it'

// Progress texts are written by many people and printed in public records: raw HTML is shown as text,
// images are off (a printed report must not fetch anything), and only web and mail links survive.
const md = new MarkdownIt({ html: false, linkify: true, breaks: false })
md.disable('image')
md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim())

// A text's own headings sit below the page's: `###` under a measure heading must not outrank it.
md.renderer.rules.heading_open = (tokens, idx, _options, env) => {
  const token = tokens[idx] as (typeof tokens)[number]
  const level = Math.min(6, Math.max(Number(token.tag.slice(1)), Number(env?.minHeadingLevel ?? 1)))
  token.tag = `h${level}`
  ;(tokens[idx + 2] as typeof token).tag = token.tag // heading_close follows the inline token
  return `<${token.tag}>`
}

/** How many rendered texts are kept: a start page shows 50, a plan page's report a few hundred. */
const keptRenderings = 2000
/** Longer texts (a field holds up to 20,000 characters) are rendered each time, so the cache stays a few MB. */
const keptLength = 2000
const rendered = new Map<string, string>()

/**
 * The text as HTML. The same texts are rendered on every view of a page (an owner's 50 progress texts on each start
 * page), and parsing them was a tenth of that page's time: each rendering is kept for the next, the least recently
 * used going first. The HTML depends on nothing but the text and the level.
 */
export function renderMarkdown(source: string, minHeadingLevel = 3): string {
  if (source.length > keptLength) return md.render(source, { minHeadingLevel })
  const key = `${minHeadingLevel}:${source}`
  const kept = rendered.get(key)
  // Map keeps insertion order: taken out and put back, a rendering becomes the most recently used.
  if (kept !== undefined) rendered.delete(key)
  const html = kept ?? md.render(source, { minHeadingLevel })
  rendered.set(key, html)
  if (rendered.size > keptRenderings) rendered.delete(rendered.keys().next().value as string)
  return html
}

type Token = ReturnType<typeof md.parse>[number]

// A first block longer than this (about 15 printed lines) is not held together with its heading: moved to the
// next page whole, it would leave too much of a page empty.
const longestLead = 1200

/**
 * The text's first block (with the headings before it; of a list, its first item) and the rest, rendered apart,
 * so that a report can keep a text's first lines on the page of the heading above it and let the rest break
 * across pages. `lead` is empty when the text is, and holds only the headings when its first block is long.
 */
export function renderMarkdownLead(source: string, minHeadingLevel = 3): { lead: string; rest: string } {
  const env = { minHeadingLevel }
  const tokens = md.parse(source, env)
  const render = (part: Token[]) => md.renderer.render(part, md.options, env)
  const start = tokens.findIndex((t) => t.level === 0 && !t.type.startsWith('heading_'))
  if (start === -1) return { lead: render(tokens), rest: '' }
  // A top-level block ends with a token at level 0 that opens nothing (a closing tag, a fence, a rule).
  const end = tokens.findIndex((t, i) => i >= start && t.level === 0 && t.nesting !== 1) + 1
  const open = tokens[start] as Token
  const firstItemEnd = tokens.findIndex((t, i) => i > start && t.type === 'list_item_close' && t.level === 1)
  const split = open.type.endsWith('_list_open') && firstItemEnd < end - 2
  const leadEnd = split ? firstItemEnd + 1 : end
  const length = tokens.slice(start, leadEnd).reduce((n, t) => n + t.content.length, 0)
  if (length > longestLead) return { lead: render(tokens.slice(0, start)), rest: render(tokens.slice(start)) }
  if (!split) return { lead: render(tokens.slice(0, end)), rest: render(tokens.slice(end)) }
  // The list goes on in a second list of the same kind, numbered on from the first item.
  const more = Object.assign(Object.create(Object.getPrototypeOf(open)), open, { attrs: null }) as Token
  if (open.type === 'ordered_list_open') more.attrSet('start', String(Number(open.attrGet('start') ?? 1) + 1))
  open.attrJoin('class', 'list-lead') // without its bottom margin, so that the two read as one list
  return {
    lead: render([...tokens.slice(0, leadEnd), tokens[end - 1] as Token]),
    rest: render([more, ...tokens.slice(leadEnd)]),
  }
}
