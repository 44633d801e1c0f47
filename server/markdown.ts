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

export function renderMarkdown(source: string, minHeadingLevel = 3): string {
  return md.render(source, { minHeadingLevel })
}
