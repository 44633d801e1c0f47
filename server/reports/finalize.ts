import { z } from 'zod'
import type { Db } from '../../db/connection.js'
import { ServiceUnavailableError } from '../errors.js'
import { type FormResult, parseForm, requiredText } from '../forms.js'

const incomplete = 'Sidan var inte hel när den skickades. Ladda om sidan och fastställ igen.'

/**
 * The *Fastställ* form: who makes the report final, and how many final versions the user saw (a second click, or a
 * colleague's, must not store a copy unseen). A missing or malformed count is refused as it is (400), not read as a
 * number that would tell the user someone else had just made a version; the message sits on the one visible field.
 */
export function parseFinalForm(
  createdByMessage: string,
  body: unknown,
): FormResult<{ createdBy: string; seenVersions: number }> {
  const parsed = parseForm(
    z.object({
      createdBy: requiredText(createdByMessage, 200),
      seenVersions: z.coerce.number({ error: incomplete }).int(incomplete).min(0, incomplete),
    }),
    body,
  )
  if (parsed.ok || parsed.errors.seenVersions === undefined) return parsed
  const { seenVersions, ...errors } = parsed.errors
  return { ok: false, errors: { ...errors, createdBy: errors.createdBy ?? seenVersions } }
}

/** How a *Fastställ* post ended; the route turns each into its page. */
export type Finalized =
  | { outcome: 'stored'; versionNumber: number }
  /** Someone stored a version after the user opened the page (or while this one was printed): `latest` is theirs. */
  | { outcome: 'alreadyFinal'; latest: number }
  /** What the report was made from changed while it was printed: storing it would keep a copy of no moment. */
  | { outcome: 'changed' }
  /** The printer could not make the PDF now; nothing is stored. */
  | { outcome: 'unavailable'; error: ServiceUnavailableError }

/**
 * Makes a report final, shared by the committee's follow-up report and kommunstyrelsen's roll-up: the user's count of
 * versions is checked before printing (a second click learns at once) and again in the write's transaction (of two
 * people finalizing at once, one version is stored), and `unchanged` is asked in the same transaction, so what is
 * stored is what was read before printing. `store` writes the version, audited, in that transaction.
 */
export async function finalizeVersion<Made>(
  db: Db,
  steps: {
    seenVersions: number
    count: (db: Db) => Promise<number>
    make: (versionNumber: number) => Promise<Made>
    unchanged?: (trx: Db, made: Made) => Promise<boolean>
    store: (trx: Db, versionNumber: number, made: Made) => Promise<unknown>
  },
): Promise<Finalized> {
  const { seenVersions } = steps
  const before = await steps.count(db)
  if (before !== seenVersions) return { outcome: 'alreadyFinal', latest: before }
  let made: Made
  try {
    made = await steps.make(seenVersions + 1)
  } catch (error) {
    if (error instanceof ServiceUnavailableError) return { outcome: 'unavailable', error }
    throw error
  }
  return db.transaction().execute(async (trx): Promise<Finalized> => {
    const latest = await steps.count(trx)
    if (latest !== seenVersions) return { outcome: 'alreadyFinal', latest }
    if (steps.unchanged && !(await steps.unchanged(trx, made))) return { outcome: 'changed' }
    await steps.store(trx, latest + 1, made)
    return { outcome: 'stored', versionNumber: latest + 1 }
  })
}
