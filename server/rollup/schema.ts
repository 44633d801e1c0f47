import { z } from 'zod'
import { NotFoundError } from '../errors.js'
import { queryParam } from '../forms.js'

/**
 * The roll-up's filter, from the query string so that a filtered page can be shared as a link (and its export
 * keeps it): an administration of the municipality, or none for all.
 */
export const rollupFilter = (administrationIds: readonly number[]) =>
  z.object({
    forvaltning: queryParam(
      'Välj en förvaltning i listan.',
      (v) => v === '' || administrationIds.some((id) => String(id) === v),
      (v) => (v === '' ? null : Number(v)),
    ),
  })

/**
 * The year of the address: four digits, or the page does not exist. A plan year is a calendar year; anything else
 * (a typo, "2021a", a five-digit year) names no roll-up.
 */
export function yearFrom(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{4}$/.test(value) || value < '1900') {
    throw new NotFoundError('Sammanställningen för det året')
  }
  return Number(value)
}

/** A risk matrix cell of the address: likelihood and consequence each 1–4, or the page does not exist. */
export function cellFrom(params: { likelihood?: unknown; consequence?: unknown }) {
  const grade = (value: unknown) => (typeof value === 'string' && /^[1-4]$/.test(value) ? Number(value) : undefined)
  const likelihood = grade(params.likelihood)
  const consequence = grade(params.consequence)
  if (likelihood === undefined || consequence === undefined) throw new NotFoundError('Rutan i riskmatrisen')
  return { likelihood, consequence }
}
