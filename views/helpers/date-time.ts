// {{dateTime change.changed_at}} — a stored UTC timestamp in Swedish local time: 2020-09-23 14:05.
const format = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
})

export default function dateTime(value: unknown): string {
  if (typeof value !== 'string') return '–'
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? '–' : format.format(d)
}
