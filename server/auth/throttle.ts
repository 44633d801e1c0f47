// How fast logins may be tried: failures slow the next attempt down, and never lock anyone out.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Request, Response } from 'express'
import type { Db } from '../../db/connection.js'
import type { Config } from '../config.js'
import { recentLoginFailures } from './repository.js'

/** Failures older than this no longer slow anyone down. */
export const failureMemoryMs = 60 * 60_000
const longestWaitSeconds = 60

/**
 * How many failures each kind of subject has free before waits begin. One person mistypes a few times; a
 * municipality's whole office shares one address, so that has more.
 */
const freeFailures = { email: 3, address: 10, device: 3 } as const

/** The wait after a subject's failures: none for the free ones, then 1, 2, 4 … seconds, at most a minute. */
function waitSeconds(kind: keyof typeof freeFailures, failures: number): number {
  const over = failures - freeFailures[kind]
  return over <= 0 ? 0 : Math.min(longestWaitSeconds, 2 ** (over - 1))
}

/**
 * The subjects whose failures decide whether this attempt must wait: the account and the address, or for a
 * browser that has logged in to this account before, that browser alone. So an attacker elsewhere, or a
 * colleague behind the same address, can slow down guesses at an account but not its owner's own browser.
 */
export function throttledBy(email: string, address: string, device: string | undefined): string[] {
  return device ? [`device:${device}`] : [`email:${email}`, `address:${address}`]
}

/** What a failure counts against: the account and the address always, and the browser when it is known. */
export function failureSubjects(email: string, address: string, device: string | undefined): string[] {
  return [`email:${email}`, `address:${address}`, ...(device ? [`device:${device}`] : [])]
}

/** Seconds until an attempt by these subjects may be checked; 0: now. */
export async function secondsToWait(db: Db, subjects: string[], now: Date): Promise<number> {
  const recent = await recentLoginFailures(db, subjects, new Date(now.getTime() - failureMemoryMs))
  const waits = recent.map(({ subject, failures, last }) => {
    const kind = subject.slice(0, subject.indexOf(':')) as keyof typeof freeFailures
    const until = last.getTime() + waitSeconds(kind, failures) * 1000
    return Math.ceil((until - now.getTime()) / 1000)
  })
  return Math.max(0, ...waits)
}

/**
 * Lets attempts of the same subjects take turns in this process. An attempt holds its subjects from its throttle
 * check until its failure is recorded, so guesses sent side by side cannot all pass one check: one at a time per
 * account and per browser (correct logins side by side simply take turns), and per address as many as scrypt
 * runs at once anyway (libuv's four threads), so an office's logins lose no speed and a burst of guesses at many
 * accounts gains at most three. With several instances, each takes its own turns.
 */
export function takingTurns() {
  const queues = new Map<string, { active: number; waiting: (() => void)[] }>()
  const room = (key: string) => (key.startsWith('address:') ? 4 : 1)
  const take = async (key: string): Promise<() => void> => {
    const queue = queues.get(key) ?? { active: 0, waiting: [] }
    queues.set(key, queue)
    if (queue.active < room(key)) queue.active += 1
    else await new Promise<void>((resolve) => queue.waiting.push(resolve))
    return () => {
      // A place given up goes to the next in line, if any.
      const next = queue.waiting.shift()
      if (next) return next()
      queue.active -= 1
      if (queue.active === 0) queues.delete(key)
    }
  }
  return async <T>(keys: string[], task: () => Promise<T>): Promise<T> => {
    // Always taken in the same order, so two attempts sharing two subjects cannot wait for each other.
    const releases: (() => void)[] = []
    try {
      for (const key of [...keys].sort()) releases.push(await take(key))
      return await task()
    } finally {
      for (const release of releases.reverse()) release()
    }
  }
}

// A browser that has logged in to an account carries that account's proof: a random id and an HMAC under the
// app's secret of the id and the e-mail, so it cannot be made up, nor used for another account.
export const deviceCookie = (config: Config) => (config.production ? '__Host-ik_device' : 'ik_device')
const deviceLifetimeMs = 365 * 24 * 3_600_000

const sign = (config: Config, id: string, email: string) =>
  createHmac('sha256', config.secret).update(`login-device:${id}:${email}`).digest('base64url')

/** The id of this browser when it has logged in to the account of `email` before; undefined otherwise. */
export function knownDevice(req: Request, config: Config, email: string): string | undefined {
  const value: unknown = req.cookies?.[deviceCookie(config)]
  if (typeof value !== 'string') return undefined
  const [id, tag] = value.split('.')
  if (!id || !tag || !/^[\w-]{22}$/.test(id)) return undefined
  const expected = Buffer.from(sign(config, id, email))
  const actual = Buffer.from(tag)
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : undefined
}

/** Gives the browser that just logged in the proof for this account, a new id each time. */
export function rememberDevice(res: Response, config: Config, email: string): void {
  const id = randomBytes(16).toString('base64url')
  res.cookie(deviceCookie(config), `${id}.${sign(config, id, email)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.production,
    path: '/',
    maxAge: deviceLifetimeMs,
  })
}
