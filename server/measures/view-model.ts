import type { MeasureStatus } from '../../db/schema.js'
import { isOverdue } from '../vocabulary.js'
import type { MeasureFilter } from './schema.js'

type Dated = { due_date: string | null }
type MeasureRow = Dated & {
  title: string
  what_to_do: string
  progress: string
  owner_unit_id: number
  status: MeasureStatus
}

/** Soonest (or latest) due first; a measure without a due date has no deadline to keep, so it comes last either way. */
export function byDueDate(direction: 'asc' | 'desc') {
  return (a: Dated, b: Dated): number => {
    if (a.due_date === b.due_date) return 0
    if (a.due_date === null) return 1
    if (b.due_date === null) return -1
    return direction === 'asc' ? a.due_date.localeCompare(b.due_date) : b.due_date.localeCompare(a.due_date)
  }
}

/** Case-insensitive for Swedish letters too (Å, Ä, Ö), and the same whether å was typed as one character or two. */
const fold = (text: string) => text.normalize('NFC').toLocaleLowerCase('sv-SE')

/**
 * The measure list: the measures that match every part of the filter, each marked when overdue. Every word
 * searched for must occur in the title, what is to be done or what has been done. Ties keep the plan's order.
 */
export function filterMeasures<M extends MeasureRow>(measures: readonly M[], filter: MeasureFilter, today: string) {
  const words = fold(filter.sok).split(/\s+/).filter(Boolean)
  const shown = measures
    .map((m) => ({ ...m, overdue: isOverdue(m, today) }))
    .filter(
      (m) =>
        (filter.status === null || m.status === filter.status) &&
        (filter.enhet === null || m.owner_unit_id === filter.enhet) &&
        (!filter.forsenade || m.overdue) &&
        words.every((word) => fold(`${m.title}\n${m.what_to_do}\n${m.progress}`).includes(word)),
    )
  if (filter.sortering === 'plan') return shown
  return shown.sort(byDueDate(filter.sortering === 'klart-senast' ? 'asc' : 'desc'))
}
