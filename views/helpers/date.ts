// {{date measure.due_date}} — an ISO date as shown in Sweden (2020-09-23), or "–" when there is none.
export default function date(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value.slice(0, 10) : '–'
}
