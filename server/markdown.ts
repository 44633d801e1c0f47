import MarkdownIt from 'markdown-it'

// Progress texts are written by many people and printed in public records: raw HTML is shown as text,
// images are off (a printed report must not fetch anything), and only web and mail links survive.
const md = new MarkdownIt({ html: false, linkify: true, breaks: false })
md.disable('image')
md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim())

export function renderMarkdown(source: string): string {
  return md.render(source)
}
