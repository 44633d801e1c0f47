// {{date measure.due_date}} — an ISO date as shown in Sweden, <time datetime="2020-09-23">2020-09-23</time>, or "–"
// when there is none. A <time>, so the stylesheet keeps it on one line: a date broken at its hyphens reads wrong.
import Handlebars from 'handlebars'

export default function date(value: unknown): Handlebars.SafeString | string {
  if (typeof value !== 'string' || value === '') return '–'
  const day = Handlebars.escapeExpression(value.slice(0, 10))
  return new Handlebars.SafeString(`<time datetime="${day}">${day}</time>`)
}
