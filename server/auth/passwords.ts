import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

// scrypt from Node's own crypto: memory-hard, no native add-on. Parameters are stored with each hash.
type Cost = { N: number; r: number; p: number }
const cost: Cost = { N: 2 ** 15, r: 8, p: 1 }
const maxmem = 64 * 1024 * 1024
const keyLength = 32

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/** `options` other than the default only for accounts whose password is public anyway (the tests' demo accounts). */
export async function hashPassword(password: string, options: Cost = cost): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, { ...options, maxmem })
  return `scrypt$${options.N}$${options.r}$${options.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem,
  })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A hash of a random password, compared against when the e-mail is unknown so both cases take as long. */
export const decoyHash = hashPassword(randomBytes(16).toString('hex'))
