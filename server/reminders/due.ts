// When a reminder is due: pure date arithmetic on YYYY-MM-DD strings, so a pass on any day finds the same answer.
import { addDays } from '../dates.js'

/** The days before an inspection's report deadline that its committee's secretaries are reminded. */
export const deadlineDays: readonly number[] = [30, 7, 1]

/** Longest reminder lead a committee may set; a typo such as '140' is kept, anything beyond a year is junk. */
const maxLeadDays = 365
/** Most reminder days a committee may set: more would be a reminder every other day, not a reminder. */
const maxReminderDays = 5

export interface ReminderDays {
  /** The days the pass reminds on: whole days from 1 to a year, each once, largest first, at most five. */
  days: number[]
  /** Why the committee's form refuses the text: it holds more than those days. Undefined when it holds only them. */
  problem?: string
}

/**
 * A committee's reminder days as typed ("14, 3") or stored ('14,3'). The form stores only a text without problem;
 * the pass reads the days of any text, ignoring what the form would have refused, so a bad value never stops a pass.
 */
export function readReminderDays(text: string): ReminderDays {
  const parts = text.split(/[,;\s]+/).filter((part) => part !== '')
  const isWhole = (part: string) => /^\d+$/.test(part)
  const whole = [...new Set(parts.filter(isWhole).map(Number))]
  const inRange = whole.filter((n) => n >= 1 && n <= maxLeadDays).sort((a, b) => b - a)
  // Of too many days the nearest are kept: the last reminders before a due date matter most.
  const days = inRange.slice(-maxReminderDays)
  let problem: string | undefined
  if (!parts.every(isWhole)) problem = 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'
  else if (inRange.length < whole.length) problem = `Ange dagar från 1 till ${maxLeadDays}.`
  else if (inRange.length > maxReminderDays) problem = 'Ange högst fem dagar.'
  else if (days.length === 0) problem = 'Ange dagarna, till exempel 14, 3.'
  return problem === undefined ? { days } : { days, problem }
}

/** A committee's reminder days, '14,3' → [14, 3], as the pass reads them. */
export const parseReminderDays = (text: string): number[] => readReminderDays(text).days

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** The Monday of the week (Monday to Sunday) that holds `date`. */
export function mondayOf(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() // 0 Sunday … 6 Saturday
  return addDays(date, -((weekday + 6) % 7))
}

export type Occasion =
  /** `days` before the due date. */
  | { kind: 'before'; days: number; on: string }
  /** Overdue: week 1 starts the day after the due date, week 2 seven days later, and so on. */
  | { kind: 'overdue'; week: number; on: string }

/**
 * The occasion of a due date that is current on `today`: the latest trigger day on or before today that still
 * applies. A pass that did not run on a trigger day thus sends that reminder at the next pass instead of losing it,
 * but a "before" reminder whose due date has come is no longer sent, and of the overdue ones only the latest week's.
 * Undefined: nothing is current (the first lead day has not come, or today is the due date itself).
 */
export function currentOccasion(
  dueDate: string,
  today: string,
  leadDays: readonly number[],
  overdue: boolean,
): Occasion | undefined {
  const left = daysBetween(today, dueDate)
  if (left > 0) {
    // The smallest lead that has been reached is the latest trigger day.
    const reached = leadDays.filter((n) => n >= left)
    if (reached.length === 0) return undefined
    const days = Math.min(...reached)
    return { kind: 'before', days, on: addDays(dueDate, -days) }
  }
  if (left === 0 || !overdue) return undefined
  const week = Math.floor((-left - 1) / 7) + 1
  return { kind: 'overdue', week, on: addDays(dueDate, 1 + 7 * (week - 1)) }
}
