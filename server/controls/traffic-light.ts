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

export type LightCode = 'green' | 'yellow' | 'red'
/** `text` is how every page and the report name a light: its colour and what the colour means. */
export type Light = { code: LightCode; label: string; explanation: string; text: string }

const light = (code: LightCode, label: string, explanation: string): Light => ({
  code,
  label,
  explanation,
  text: `${label} – ${explanation}`,
})

/** The three lights, in the order tables show them. */
export const lights: Record<LightCode, Light> = {
  green: light('green', 'Grön', 'utan avvikelser'),
  yellow: light('yellow', 'Gul', 'avvikelser'),
  red: light('red', 'Röd', 'tillfälle missat eller försenat'),
}

/**
 * Red when a run was missed or is overdue, yellow when a run found deviations, green when the runs so far were
 * done without any (also before the first occasion is due). server/controls/overview.ts counts the same rule in SQL.
 */
export function trafficLight(summary: RunSummary): Light {
  if (summary.missed > 0) return lights.red
  if (summary.withDeviations > 0) return lights.yellow
  return lights.green
}
