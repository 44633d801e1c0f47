// Where every login ends, with a password or an identity provider, and where every logout begins.
import type { Request, Response } from 'express'
import type { SsoProvider } from '../../db/schema.js'
import type { Services } from '../app.js'
import { recordEvent } from '../audit/repository.js'
import type { Config } from '../config.js'
import { csrfCookie } from '../csrf.js'
import { localPath } from '../return-path.js'
import { createSession, deleteSession, findSession } from './repository.js'
import { sessionCookie, setSessionCookie } from './session.js'

export const loginEvent = { action: 'create', planId: null, committeeId: null, before: null } as const

/** The next page gets a fresh CSRF value (server/csrf.ts), so no token of before is of use after. */
const renewCsrf = (res: Response, config: Config) => res.clearCookie(csrfCookie(config), { path: '/' })

/**
 * Signs the user in: a new session (the one the browser held is ended), the login in the audit log with the address
 * (and the identity provider, if one vouched), a fresh CSRF value, and a redirect (303) to the local path `till`, or
 * to the start page. `singleLogout` is kept with the session for the provider's logout.
 */
export async function startSession(
  { db, config, clock }: Services,
  req: Request,
  res: Response,
  user: { id: number; name: string; email: string },
  { till, provider, singleLogout = null }: { till: unknown; provider?: SsoProvider; singleLogout?: string | null },
): Promise<void> {
  const now = clock()
  const old: unknown = req.cookies?.[sessionCookie(config)]
  const token = await db.transaction().execute(async (trx) => {
    // A new token at every login, so a session id planted before login is worth nothing.
    if (typeof old === 'string') await deleteSession(trx, old)
    await recordEvent(
      trx,
      { userId: user.id, userName: user.name, at: now.toISOString() },
      {
        ...loginEvent,
        entity: 'login',
        entityId: user.id,
        after: { email: user.email, address: req.ip ?? 'okänd', ...(provider ? { provider } : {}) },
      },
    )
    return createSession(trx, user.id, now, singleLogout)
  })
  setSessionCookie(res, config, token)
  renewCsrf(res, config)
  // Without a page to go back to, each person lands on their own start page.
  res.redirect(303, localPath(till, '/'))
}

/** Ends the browser's session, whatever signed it in; returns what the provider's single logout needs, if any. */
export async function endSession({ db, config }: Services, req: Request, res: Response): Promise<string | null> {
  const token: unknown = req.cookies?.[sessionCookie(config)]
  const session = typeof token === 'string' ? await findSession(db, token) : undefined
  if (typeof token === 'string') await deleteSession(db, token)
  res.clearCookie(sessionCookie(config), { path: '/' })
  renewCsrf(res, config)
  return session?.single_logout ?? null
}
