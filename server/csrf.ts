import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler } from 'express'
import { cookieOptions, sessionCookie } from './auth/session.js'
import type { Config } from './config.js'
import { ForbiddenError } from './errors.js'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

export const csrfCookie = (config: Config) => (config.production ? '__Host-ik_csrf' : 'ik_csrf')

const originOf = (url: string) => {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/**
 * Whether the browser says the post comes from elsewhere: another site (Sec-Fetch-Site), or an Origin that is
 * not the app's own. A post that names neither, as old browsers send, is judged by its token alone.
 */
function fromElsewhere(req: Request, https: boolean): boolean {
  const site = req.get('Sec-Fetch-Site')
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const origin = req.get('Origin')
  // "null" is what a page under a no-referrer policy sends; a browser that has said same-origin is believed.
  if (origin === undefined || (origin === 'null' && site !== undefined)) return false
  // Production is served over HTTPS (README), also where a proxy in front speaks plain HTTP to the app;
  // req.host and req.protocol follow the proxy's X-Forwarded- headers only under `trust proxy`.
  const own = originOf(`${https ? 'https' : req.protocol}://${req.host}`)
  return own === undefined || originOf(origin) !== own
}

/**
 * Signed double-submit: a random value in an HttpOnly cookie, and in every form an HMAC of it and of the
 * session cookie. A page on another site can make the browser send the cookies but cannot read them to
 * compute the field; a token is worth nothing in another session, and login and logout renew the value
 * (server/auth/routes.ts). Over HTTPS the cookie is `__Host-`, which no sibling subdomain can plant. The `exempt`
 * paths take posts from other sites, which prove themselves otherwise.
 */
export function csrfProtection(config: Config, { exempt = [] }: { exempt?: readonly string[] } = {}): RequestHandler {
  const name = csrfCookie(config)
  const sign = (value: string, session: string) =>
    createHmac('sha256', config.secret).update(`${value}.${session}`).digest('base64url')

  return (req, res, next) => {
    let value: unknown = req.cookies?.[name]
    if (typeof value !== 'string' || value.length < 32) {
      value = randomBytes(32).toString('base64url')
      res.cookie(name, value, cookieOptions(config))
    }
    // Bound to the signed-in session only: an ended one's cookie is cleared, and is not sent with the next post.
    const session: unknown = req.cookies?.[sessionCookie(config)]
    const signedIn = res.locals.viewer !== undefined && typeof session === 'string'
    const expected = sign(value as string, signedIn ? session : '')
    res.locals.csrfToken = expected

    if (safeMethods.has(req.method) || exempt.includes(req.path)) return next()
    const sent = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '')
    const wanted = Buffer.from(expected)
    if (fromElsewhere(req, config.production) || sent.length !== wanted.length || !timingSafeEqual(sent, wanted)) {
      // A form of a session that has since ended: nothing is done, and the person is asked to log in again.
      if (typeof session === 'string' && !signedIn) return res.redirect(303, '/logga-in')
      return next(
        new ForbiddenError(
          'Säkerhetskontrollen misslyckades, så ingenting sparades. Gå tillbaka, ladda om sidan och försök igen.',
          'Formuläret kunde inte skickas',
        ),
      )
    }
    next()
  }
}
