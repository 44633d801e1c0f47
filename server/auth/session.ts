import type { RequestHandler, Response } from 'express'
import type { Db } from '../../db/connection.js'
import type { Config } from '../config.js'
import { authorize, can, type Viewer } from './permissions.js'
import { deleteSession, findSession, loadViewer, touchSession } from './repository.js'

declare global {
  namespace Express {
    interface Locals {
      viewer?: Viewer
    }
  }
}

export const sessionCookie = (config: Config) => (config.production ? '__Host-ik_session' : 'ik_session')

/**
 * How the app's own cookies are set, and cleared: a browser keeps a `__Host-` cookie, and so accepts its clearing,
 * only with `Secure` and path /.
 */
export const cookieOptions = (config: Config) =>
  ({ httpOnly: true, sameSite: 'lax', secure: config.production, path: '/' }) as const

export function setSessionCookie(res: Response, config: Config, token: string): void {
  res.cookie(sessionCookie(config), token, cookieOptions(config))
}

/** Finds the signed-in person from the session cookie; an idle or too old session is ended. */
export function sessions(db: Db, config: Config, clock: () => Date): RequestHandler {
  return async (req, res, next) => {
    const token: unknown = req.cookies?.[sessionCookie(config)]
    if (typeof token !== 'string' || token === '') return next()
    const session = await findSession(db, token)
    const now = clock()
    const expired =
      !session ||
      now.getTime() - Date.parse(session.last_seen_at) > config.sessionIdleMs ||
      now.getTime() - Date.parse(session.created_at) > config.sessionMaxMs
    const viewer = session && !expired ? await loadViewer(db, session.user_id) : undefined
    if (!session || !viewer) {
      if (session) await deleteSession(db, token)
      res.clearCookie(sessionCookie(config), cookieOptions(config))
      return next()
    }
    // Writing on every request would serialise readers; a minute's precision is enough for the idle limit.
    if (now.getTime() - Date.parse(session.last_seen_at) > 60_000) await touchSession(db, token, now)
    res.locals.viewer = viewer
    res.locals.mayReadLog = can.readLog(viewer)
    res.locals.mayManageUsers = can.manageUsers(viewer)
    next()
  }
}

/** Everything but the login page needs a signed-in person; the others are sent to log in and brought back. */
export const requireViewer: RequestHandler = (req, res, next) => {
  if (res.locals.viewer) return next()
  const back = req.method === 'GET' ? `?till=${encodeURIComponent(req.originalUrl)}` : ''
  res.redirect(303, `/logga-in${back}`)
}

/**
 * The 403 page unless the signed-in person may read a committee's record (a plan, an inspection), or for
 * `edit` change it as the committee's secretary; the page then offers changes only to those who may make them.
 */
export function requireCommitteeAccess(res: Response, record: { committee_id: number }, access: 'read' | 'edit') {
  const viewer = viewerOf(res)
  authorize(access === 'edit' ? can.editCommittee(viewer, record) : can.readCommittee(viewer, record))
  res.locals.mayEdit = can.editCommittee(viewer, record)
}

export function viewerOf(res: Response): Viewer {
  const viewer = res.locals.viewer
  if (!viewer) throw new Error('requireViewer must run before this route')
  return viewer
}
