import { NotFoundError } from './errors.js'

/** An id given in a link or a hidden field (?risk=6), or undefined when the value is no whole number. */
export function optionalId(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : undefined
}

/** Route ids that are not whole numbers name nothing, so they get the same 404 as an unknown id. */
export function idFrom(value: unknown, what: string): number {
  const id = optionalId(value)
  if (id === undefined) throw new NotFoundError(what)
  return id
}
