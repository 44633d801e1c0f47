import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { ForbiddenError } from './errors.js'

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Signed double-submit: a random value in an HttpOnly cookie, and its HMAC in every form.
 * A page on another site can make the browser send the cookie but cannot read it to compute the field.
 * Over HTTPS the cookie is `__Host-`, which no sibling subdomain can plant; and a browser that says the
 * post comes from another site (Sec-Fetch-Site) is refused whatever it sends.
 */
export function csrfProtection(secret: string, secureCookie: boolean): RequestHandler {
  const sign = (value: string) => createHmac('sha256', secret).update(value).digest('base64url')
  const cookieName = secureCookie ? '__Host-ik_csrf' : 'ik_csrf'

  return (req, res, next) => {
    let value: unknown = req.cookies?.[cookieName]
    if (typeof value !== 'string' || value.length < 32) {
      value = randomBytes(32).toString('base64url')
      res.cookie(cookieName, value, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/' })
    }
    const expected = sign(value as string)
    res.locals.csrfToken = expected

    if (safeMethods.has(req.method)) return next()
    const site = req.get('Sec-Fetch-Site')
    const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none'
    const sent = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '')
    const wanted = Buffer.from(expected)
    if (crossSite || sent.length !== wanted.length || !timingSafeEqual(sent, wanted)) {
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
