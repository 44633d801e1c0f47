import type { RequestHandler, Response } from 'express'
import type { Db } from '../../db/connection.js'
import { sendProblem } from './problem.js'
import { findUsableToken, recordUse } from './tokens.js'

declare global {
  namespace Express {
    interface Locals {
      /** The API token of this request: whose municipality it may read. */
      apiToken?: { id: number; municipalityId: number }
    }
  }
}

// RFC 6750: the scheme is case-insensitive, the token one run of token68 characters.
const bearer = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

function unauthorized(res: Response, detail: string, invalidToken: boolean) {
  res.set('WWW-Authenticate', `Bearer realm="Internkontroll API"${invalidToken ? ', error="invalid_token"' : ''}`)
  sendProblem(res, 401, detail)
}

/**
 * Lets a request through only with a token that is known and not revoked, and records the use (audited) before
 * anything is read, so every answer given is in the log. No session, no cookie: the token is the whole identity.
 */
export function requireToken(db: Db, clock: () => Date): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('Authorization')
    if (header === undefined || header === '') {
      return unauthorized(res, 'Ange en API-nyckel i huvudet Authorization: Bearer <nyckel>.', false)
    }
    const presented = bearer.exec(header)?.[1]
    const token = presented === undefined ? undefined : await findUsableToken(db, presented)
    const used =
      token !== undefined && (await recordUse(db, token, { at: clock().toISOString(), path: req.originalUrl }))
    if (!token || !used) {
      return unauthorized(
        res,
        'API-nyckeln är okänd eller återkallad. Be administratören om en ny nyckel.',
        presented !== undefined,
      )
    }
    res.locals.apiToken = { id: token.id, municipalityId: token.municipalityId }
    next()
  }
}
