// {{dateTime change.changed_at}} — a stored UTC timestamp in Swedish local time, 2020-09-23 14:05, in a <time> kept on
// one line (see date.ts); formatDateTime gives the text alone.
import Handlebars from 'handlebars'

const format = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
})

export function formatDateTime(value: unknown): string {
  if (typeof value !== 'string') return '–'
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? '–' : format.format(d)
}

export default function dateTime(value: unknown): Handlebars.SafeString | string {
  const text = formatDateTime(value)
  return text === '–'
    ? text
    : new Handlebars.SafeString(`<time datetime="${Handlebars.escapeExpression(String(value))}">${text}</time>`)
}
