import type { RequestHandler, Response } from 'express'

declare global {
  namespace Express {
    interface Locals {
      /** A message for this page from the request that redirected here. */
      notice?: string
      noticeCookie?: string
    }
  }
}

/** Keeps a message for the page a redirect leads to: a save says there what it did besides the obvious. */
export function setNotice(res: Response, text: string): void {
  const name = res.locals.noticeCookie
  if (!name) throw new Error('notices must run before this route')
  res.cookie(name, text, noticeCookieOptions(name))
}

// Cleared with the options it was set with: a browser accepts a `__Host-` cookie's clearing only with `Secure`.
const noticeCookieOptions = (name: string) =>
  ({ httpOnly: true, sameSite: 'lax', secure: name.startsWith('__Host-'), path: '/' }) as const

/** Shows a kept message once, on the next page shown. */
export function notices(secureCookie: boolean): RequestHandler {
  // Over HTTPS the cookie is `__Host-`, which no sibling subdomain can plant, so the text is the app's own.
  const name = secureCookie ? '__Host-ik_notice' : 'ik_notice'
  return (req, res, next) => {
    res.locals.noticeCookie = name
    const text: unknown = req.cookies?.[name]
    if (typeof text === 'string' && text !== '' && req.method === 'GET') {
      res.locals.notice = text
      res.clearCookie(name, noticeCookieOptions(name))
    }
    next()
  }
}
