import type { Control, Risk } from '../../db/schema.js'
import { methodText } from '../controls/control-line.js'
import { controlFrequencies, controlMethods, labelOf, reportedToOptions } from '../vocabulary.js'

type Compared = Pick<Risk, 'title' | 'description' | 'likelihood' | 'consequence'>

export interface SinceLastYear {
  kind: 'new' | 'changed' | 'unchanged'
  /**
   * "Ny risk för 2021", "Ändrad sedan 2020: sannolikhet 3 → 4", "Oförändrad sedan 2020"; for a control "Nytt
   * kontrollmoment för 2021", "Ändrat sedan 2020: …", "Oförändrat sedan 2020".
   */
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

type ComparedControl = Pick<
  Control,
  'title' | 'what_is_checked' | 'method' | 'method_own' | 'frequency' | 'responsible_person' | 'reported_to'
> & { ownerName: string }

/** A method as a sentence reads it: a label in lower case, the committee's own words as they wrote them. */
const methodOf = (control: ComparedControl) => {
  const text = methodText(control)
  return text === labelOf(controlMethods, control.method) ? text.toLocaleLowerCase('sv') : text
}

const changed = (name: string, from: string, to: string) => (from === to ? undefined : `${name} ${from} → ${to}`)

/**
 * How a control of a plan stands against the control it was copied from, as sinceLastYear does for risks: the
 * fields a reader plans by are named with their values before and after, the texts by name only. A control is a
 * kontrollmoment, as every page calls it, so the words agree with a neuter noun: nytt, ändrat, oförändrat.
 */
export function controlSinceLastYear(
  control: ComparedControl,
  previous: (ComparedControl & { year: number }) | undefined,
  plan: { year: number; hasPlanYearBefore: boolean },
): SinceLastYear | undefined {
  if (!previous) {
    return plan.hasPlanYearBefore ? { kind: 'new', text: `Nytt kontrollmoment för ${plan.year}` } : undefined
  }
  const lower = (list: readonly { code: string; label: string }[], code: string) =>
    labelOf(list, code).toLocaleLowerCase('sv')
  const changes = [
    control.title !== previous.title ? 'rubrik' : undefined,
    control.what_is_checked !== previous.what_is_checked ? 'vad som kontrolleras' : undefined,
    changed('metod', methodOf(previous), methodOf(control)),
    changed('frekvens', lower(controlFrequencies, previous.frequency), lower(controlFrequencies, control.frequency)),
    changed('ansvarig enhet', previous.ownerName, control.ownerName),
    control.responsible_person !== previous.responsible_person ? 'ansvarig person' : undefined,
    changed(
      'rapporteras till',
      lower(reportedToOptions, previous.reported_to),
      lower(reportedToOptions, control.reported_to),
    ),
  ].filter((change) => change !== undefined)
  if (changes.length === 0) return { kind: 'unchanged', text: `Oförändrat sedan ${previous.year}` }
  return { kind: 'changed', text: `Ändrat sedan ${previous.year}: ${changes.join(', ')}` }
}
