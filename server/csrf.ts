import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { ForbiddenError } from './errors.js'

const cookieName = 'ik_csrf'
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Signed double-submit: a random value in an HttpOnly cookie, and its HMAC in every form.
 * A page on another site can make the browser send the cookie but cannot read it to compute the field.
 */
export function csrfProtection(secret: string, secureCookie: boolean): RequestHandler {
  const sign = (value: string) => createHmac('sha256', secret).update(value).digest('base64url')

  return (req, res, next) => {
    let value: unknown = req.cookies?.[cookieName]
    if (typeof value !== 'string' || value.length < 32) {
      value = randomBytes(32).toString('base64url')
      res.cookie(cookieName, value, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/' })
    }
    const expected = sign(value as string)
    res.locals.csrfToken = expected

    if (safeMethods.has(req.method)) return next()
    const sent = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '')
    const wanted = Buffer.from(expected)
    if (sent.length !== wanted.length || !timingSafeEqual(sent, wanted)) {
      return next(
        new ForbiddenError(
          'Formuläret kunde inte skickas eftersom säkerhetskontrollen misslyckades. Gå tillbaka, ladda om sidan och försök igen.',
        ),
      )
    }
    next()
  }
}
