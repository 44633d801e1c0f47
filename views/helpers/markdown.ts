// {{markdown measure.progress}} — Markdown rendered to safe HTML (see server/markdown.ts).
import Handlebars from 'handlebars'
import { renderMarkdown } from '../../server/markdown.js'

export default function markdown(source: unknown): Handlebars.SafeString {
  return new Handlebars.SafeString(renderMarkdown(typeof source === 'string' ? source : ''))
}
