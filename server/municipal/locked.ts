import { ForbiddenError } from '../errors.js'
import { storable } from '../forms.js'

// A plan's copy of a municipality-wide item holds kommunstyrelsen's words: the committee follows it up (scores,
// decision, result, measures, controls) but cannot reword or delete it. The forms leave those fields out; these
// rules make the server refuse a post that tries anyway.

/** "Kommungemensam – beslutad av kommunstyrelsen (KS 2026/0412)", as a copy in a plan is marked. */
export const lockedNote = (diaryNumber: string) =>
  `Kommungemensam – beslutad av kommunstyrelsen${diaryNumber ? ` (${diaryNumber})` : ''}`

const asPosted = (value: unknown) => (typeof value === 'string' ? storable(value).replace(/\r\n/g, '\n').trim() : '')

/**
 * Throws the 403 page when the post sends any of the locked form fields with a value other than the stored one;
 * a field left out, or sent unchanged, is no change.
 */
export function refuseLockedChange(
  body: Record<string, unknown>,
  stored: Record<string, string | number | null>,
  what: string,
): void {
  const changed = Object.entries(stored).some(
    ([field, value]) => field in body && asPosted(body[field]) !== String(value ?? ''),
  )
  if (changed) throw new ForbiddenError(lockedMessage(what))
}

const lockedMessage = (what: string) =>
  `${what} är kommungemensam och beslutad av kommunstyrelsen: rubriken och det kommunstyrelsen beslutat ändras bara av kommunens samordnare. Nämnden fyller i sin egen bedömning, sitt beslut, sitt resultat och sina åtgärder.`

/** The 403 for deleting a copy: it goes only when the item is changed. */
export const refuseDeletingCopy = (what: string) => {
  throw new ForbiddenError(
    `${what} är kommungemensam och beslutad av kommunstyrelsen och kan inte tas bort ur planen. Kommunens samordnare kan välja bort nämnden.`,
  )
}
