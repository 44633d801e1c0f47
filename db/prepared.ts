import type { Compilable, CompiledQuery } from 'kysely'
import type { Db } from './connection.js'

/** Stands in a query for the value of one argument while it is compiled; it is never sent. */
class Argument {
  constructor(readonly index: number) {}
}

/**
 * A query that a page runs on every request, built and compiled once per database and then run with each call's
 * values: building and compiling with Kysely took a fifth of a small page's time (bench:pages' profile of the demo
 * plan page), while its SQL is the same text every time. `build` must give the query one shape whatever the values:
 * each argument only ever a value compared or limited by (never `in` a list, never null, never deciding a
 * clause), so that its compiled SQL holds it as one parameter. The SQL is the engine's own, as compiled for this
 * database; each transaction (another executor) compiles its own copy.
 */
export function prepared<A extends (string | number)[], O>(build: (db: Db, ...args: A) => Compilable<O>) {
  const compiled = new WeakMap<Db, { query: CompiledQuery<O>; slots: (number | undefined)[] }>()
  return async (db: Db, ...args: A): Promise<O[]> => {
    let kept = compiled.get(db)
    if (!kept) {
      const query = build(db, ...(args.map((_, i) => new Argument(i)) as unknown as A)).compile()
      const slots = query.parameters.map((p) => (p instanceof Argument ? p.index : undefined))
      const used = slots.filter((s) => s !== undefined).sort((a, b) => a - b)
      if (used.length !== args.length || used.some((slot, i) => slot !== i))
        throw new Error(`A prepared query holds each argument once as a parameter:\n${query.sql}`)
      kept = { query, slots }
      compiled.set(db, kept)
    }
    const { query, slots } = kept
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i]
      return slot === undefined ? p : args[slot]
    })
    return (await db.executeQuery({ ...query, parameters } as CompiledQuery<O>)).rows
  }
}
