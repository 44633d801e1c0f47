/** Where the app's days and hours are: the municipalities' own. */
export const timeZone = 'Europe/Stockholm'

const swedishDay = new Intl.DateTimeFormat('sv-SE', { timeZone })

/** The calendar date in Sweden at that instant, as YYYY-MM-DD: what "today" means for a due date. */
export function swedishDate(instant: Date): string {
  return swedishDay.format(instant)
}

/** The calendar date `days` after `date`, both YYYY-MM-DD (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}
