import type { Risk } from '../../db/schema.js'

type Compared = Pick<Risk, 'title' | 'description' | 'likelihood' | 'consequence'>

export interface SinceLastYear {
  kind: 'new' | 'changed' | 'unchanged'
  /** "Ny risk för 2021", "Ändrad sedan 2020: sannolikhet 3 → 4", "Oförändrad sedan 2020" */
  text: string
}

const step = (value: number | null) => (value === null ? 'ej bedömd' : String(value))

/**
 * How a risk of a plan stands against the risk it was copied from (the secretary may have edited the copy).
 * Without such a risk it is new, but only when the committee has a plan for the year before: in a committee's
 * first plan every risk would be "new", which tells the reader nothing.
 */
export function sinceLastYear(
  risk: Compared,
  previous: (Compared & { year: number }) | undefined,
  plan: { year: number; hasPlanYearBefore: boolean },
): SinceLastYear | undefined {
  if (!previous) return plan.hasPlanYearBefore ? { kind: 'new', text: `Ny risk för ${plan.year}` } : undefined
  const changes = [
    risk.title !== previous.title ? 'rubrik' : undefined,
    risk.description !== previous.description ? 'beskrivning' : undefined,
    risk.likelihood !== previous.likelihood
      ? `sannolikhet ${step(previous.likelihood)} → ${step(risk.likelihood)}`
      : undefined,
    risk.consequence !== previous.consequence
      ? `konsekvens ${step(previous.consequence)} → ${step(risk.consequence)}`
      : undefined,
  ].filter((change) => change !== undefined)
  if (changes.length === 0) return { kind: 'unchanged', text: `Oförändrad sedan ${previous.year}` }
  return { kind: 'changed', text: `Ändrad sedan ${previous.year}: ${changes.join(', ')}` }
}
