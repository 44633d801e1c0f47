import { NotFoundError } from './errors.js'

/** Route ids that are not whole numbers name nothing, so they get the same 404 as an unknown id. */
export function idFrom(value: unknown, what: string): number {
  if (typeof value === 'string' && /^\d{1,10}$/.test(value)) return Number(value)
  throw new NotFoundError(what)
}
