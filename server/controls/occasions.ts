import type { ControlFrequency } from '../../db/schema.js'
import { controlFrequencies } from '../vocabulary.js'

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10)

/**
 * The planned dates of a control's occasions in its plan year: the last day of each period the frequency divides
 * the year into (kvartalsvis: 31 March, 30 June, 30 September, 31 December). A control done once or yearly is
 * planned for the year's end. The secretary may move any of them afterwards.
 */
export function plannedDates(frequency: ControlFrequency, year: number): string[] {
  const count = controlFrequencies.find((f) => f.code === frequency)?.occasions ?? 1
  const months = 12 / count
  return Array.from({ length: count }, (_, i) => lastDayOfMonth(year, (i + 1) * months))
}
