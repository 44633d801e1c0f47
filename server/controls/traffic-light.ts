/** What a control's runs so far add up to; the light is derived from it and never stored. */
export interface RunSummary {
  /** Occasions in the plan year. */
  planned: number
  /** Reported as performed, with or without deviations. */
  done: number
  /** Reported as performed with deviations. */
  withDeviations: number
  /** Reported as not performed, or not reported by their planned date. */
  missed: number
}

export type Light = { code: 'green' | 'yellow' | 'red'; label: string; explanation: string }

/**
 * Red when a run was missed or is overdue, yellow when a run found deviations, green when the runs so far were
 * done without any (also before the first occasion is due).
 */
export function trafficLight(summary: RunSummary): Light {
  if (summary.missed > 0) return { code: 'red', label: 'Röd', explanation: 'Tillfälle missat eller försenat' }
  if (summary.withDeviations > 0) return { code: 'yellow', label: 'Gul', explanation: 'Avvikelser' }
  return { code: 'green', label: 'Grön', explanation: 'Utan avvikelser' }
}
