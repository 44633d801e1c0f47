const swedishDay = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' })

/** The calendar date in Sweden at that instant, as YYYY-MM-DD: what "today" means for a due date. */
export function swedishDate(instant: Date): string {
  return swedishDay.format(instant)
}
