import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from './passwords.js'

describe('password hashes', () => {
  it('are made with scrypt at the full cost, kept in the hash, and match only the password they were made of', async () => {
    const hash = await hashPassword('korrekt häst batteri häftklammer')
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/)
    expect(await verifyPassword('korrekt häst batteri häftklammer', hash)).toBe(true)
    expect(await verifyPassword('korrekt häst batteri häftklammer ', hash)).toBe(false)
    // The same password twice gives two hashes: each has a salt of its own.
    expect(await hashPassword('korrekt häst batteri häftklammer')).not.toBe(hash)
  })

  it('are checked at the cost each hash names, so one made cheaper (the tests’ demo accounts) still verifies', async () => {
    const cheap = await hashPassword('internkontroll-demo', { N: 2 ** 10, r: 8, p: 1 })
    expect(cheap).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(await verifyPassword('internkontroll-demo', cheap)).toBe(true)
    expect(await verifyPassword('internkontroll-dem0', cheap)).toBe(false)
  })
})
