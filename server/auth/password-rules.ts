import { storable } from '../forms.js'
import { commonPasswords } from './common-passwords.js'

export const minimumLength = 12
const maximumLength = 200

/**
 * Why a password chosen for the account with this e-mail cannot be used, in Swedish; undefined when it can.
 * The password is judged exactly as typed: one that begins or ends with a space is refused rather than trimmed,
 * so what the person typed is what later logs them in.
 */
export function passwordProblem(password: string, email: string): string | undefined {
  // Characters as a person counts them, not UTF-16 units: "å" is one, and so is an emoji.
  const length = [...password.normalize('NFC')].length
  if (length < minimumLength) return `Lösenordet ska vara minst ${minimumLength} tecken långt.`
  // What scrypt is given is bounded.
  if (length > maximumLength) return `Lösenordet får vara högst ${maximumLength} tecken långt.`
  if (password.trim() !== password) {
    return 'Lösenordet får inte börja eller sluta med mellanslag. Ta bort dem, eller lägg mellanslagen inne i lösenordet.'
  }
  // The login form reads its fields as storable text (server/forms.ts), without control characters and line breaks:
  // a password holding one could be set but never typed in again.
  if (storable(password) !== password || /[\r\n]/.test(password)) {
    return 'Lösenordet får inte innehålla radbrytningar eller andra styrtecken.'
  }
  if (/^(.)\1*$/su.test(password)) return 'Lösenordet får inte vara ett och samma tecken upprepat.'
  const lower = password.normalize('NFC').toLowerCase()
  if (commonPasswords.has(lower)) {
    return 'Lösenordet är ett av de vanligaste lösenorden och gissas lätt. Välj ett annat.'
  }
  // The name before the @ is the first thing someone who knows the address tries; a name of one or two letters
  // would refuse half of all passwords, and is no guess worth guarding against inside a longer one.
  const name = email.trim().toLowerCase().split('@')[0] ?? ''
  if (name.length >= 3 && lower.includes(name)) {
    return `Lösenordet får inte vara eller innehålla namnet i e-postadressen (${name}).`
  }
  return undefined
}
