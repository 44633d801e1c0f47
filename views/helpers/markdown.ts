// {{markdown measure.progress}} or {{markdown measure.progress 5}} — Markdown as safe HTML, its headings
// kept at or below the given level (3 unless told; see server/markdown.ts).
import Handlebars from 'handlebars'
import { renderMarkdown } from '../../server/markdown.js'

export default function markdown(source: unknown, ...rest: unknown[]): Handlebars.SafeString {
  const level = typeof rest[0] === 'number' ? rest[0] : undefined
  return new Handlebars.SafeString(renderMarkdown(typeof source === 'string' ? source : '', level))
}
