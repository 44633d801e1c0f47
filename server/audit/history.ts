import type { Db } from '../../db/connection.js'
import type { AuditEventTable } from '../../db/schema.js'
import { eventsOf } from './repository.js'
import { loadNames } from './values.js'
import { changedFieldsOf, describeEvent } from './view-model.js'

/** Audit rows as people read them, the records their fields point to named with one query per kind of record. */
export async function describeEvents<E extends Pick<AuditEventTable, 'action' | 'entity' | 'before' | 'after'>>(
  db: Db,
  events: E[],
) {
  const parsed = events.map(changedFieldsOf)
  const values = parsed.flatMap(({ before, after, fields }) =>
    fields.flatMap((f) => [[f, before[f]] as [string, unknown], [f, after[f]] as [string, unknown]]),
  )
  const names = await loadNames(db, values)
  return events.map((e, i) => ({ ...e, ...describeEvent(e, names, parsed[i]) }))
}

/** A record's own history, latest first, for its page. */
export async function historyOf(db: Db, entity: string, id: number) {
  return describeEvents(db, await eventsOf(db, entity, id))
}
