import { describe, expect, it } from 'vitest'
import { passwordProblem } from './password-rules.js'

const email = 'sara.sekreterare@malmo.se'

describe('a new password', () => {
  it('is taken as typed when it keeps the rules, spaces inside and all', () => {
    expect(passwordProblem('ett långt lösenord', email)).toBeUndefined()
    expect(passwordProblem('åäöåäöåäöåäö', email)).toBeUndefined()
  })

  it('says in Swedish why it cannot be used', () => {
    expect(passwordProblem('kort', email)).toBe('Lösenordet ska vara minst 12 tecken långt.')
    // Twelve characters as a person counts them: "å" written as a + ring is still one.
    expect(passwordProblem('a\u030a'.repeat(6), email)).toBe('Lösenordet ska vara minst 12 tecken långt.')
    expect(passwordProblem('x'.repeat(201), email)).toBe('Lösenordet får vara högst 200 tecken långt.')
    expect(passwordProblem(' ett långt lösenord', email)).toMatch(
      /^Lösenordet får inte börja eller sluta med mellanslag/,
    )
    expect(passwordProblem('ett långt lösenord ', email)).toMatch(
      /^Lösenordet får inte börja eller sluta med mellanslag/,
    )
    // What the login form would drop, so that the password could never be typed in again.
    const control = 'Lösenordet får inte innehålla radbrytningar eller andra styrtecken.'
    expect(passwordProblem('ett långt\u0007lösenord', email)).toBe(control)
    expect(passwordProblem('ett långt\nlösenord', email)).toBe(control)
    expect(passwordProblem('ååååååååååååå', email)).toBe('Lösenordet får inte vara ett och samma tecken upprepat.')
    const common = 'Lösenordet är ett av de vanligaste lösenorden och gissas lätt. Välj ett annat.'
    expect(passwordProblem('Qwerty123456', email)).toBe(common)
    expect(passwordProblem('1qaz2wsx3edc', email)).toBe(common)
    expect(passwordProblem('internkontroll-demo', email)).toBe(common)
    const name = 'Lösenordet får inte vara eller innehålla namnet i e-postadressen (sara.sekreterare).'
    expect(passwordProblem('sara.sekreterare', email)).toBe(name)
    expect(passwordProblem('Sara.Sekreterare2024!', email)).toBe(name)
  })

  it('may hold a name of one or two letters, which is no guess', () => {
    expect(passwordProblem('ett långt lösenord', 'en@malmo.se')).toBeUndefined()
  })
})
