// Sign-in with a SAML identity provider (the protocol: saml.ts), and the provider's single logout.
import { type Request, type Response, Router } from 'express'
import type { Services } from '../../app.js'
import type { Config, SamlConfig } from '../../config.js'
import { setNotice } from '../../notice.js'
import { findSession } from '../repository.js'
import { sessionCookie } from '../session.js'
import { endSession } from '../start-session.js'
import { requestLifetimeMs, SamlRefusal, type SamlServiceProvider, samlAcsPath, samlLogoutPath } from './saml.js'
import {
  groupsOverageMessage,
  keptSingleLogout,
  refuseDeclined,
  refuseSignIn,
  refuseUnavailable,
  signInIdentity,
  signInReturnPath,
} from './sign-in.js'

/**
 * The id of the AuthnRequest this browser sent, which the answer must name: an answer got by someone else, for their
 * own account, and posted from this browser (login CSRF) answers another request. The answer is posted from the
 * provider's site, and a browser sends a SameSite=Lax cookie with no post from another site: when the app is served
 * over HTTPS (PUBLIC_URL, whatever NODE_ENV says) the cookie is SameSite=None (and so Secure); over plain HTTP, where
 * browsers refuse that, Lax, which serves a provider on the same site (development and the tests, on 127.0.0.1).
 */
function requestCookie(config: Config) {
  const https = new URL(config.publicUrl).protocol === 'https:'
  const name = https ? '__Host-ik_saml' : 'ik_saml'
  const options = { path: '/', httpOnly: true, secure: https } as const
  return {
    set: (res: Response, requestId: string) =>
      res.cookie(name, requestId, { ...options, sameSite: https ? 'none' : 'lax', maxAge: requestLifetimeMs }),
    /** The request id, once: the cookie is cleared. */
    take(req: Request, res: Response): string | undefined {
      const value: unknown = req.cookies?.[name]
      res.clearCookie(name, options)
      return typeof value === 'string' ? value : undefined
    },
  }
}

export function samlRoutes(services: Services, saml: SamlServiceProvider): Router {
  const { config, db } = services
  const settings = config.saml as SamlConfig
  const pending = requestCookie(config)
  const router = Router()
  const unavailable = (res: Response, error: unknown) => {
    console.error(`SAML identity provider ${JSON.stringify(settings.metadata)} cannot be used:`, error)
    refuseUnavailable(res, settings.name, config.operator)
  }

  // For the provider's administrator: what to register there.
  router.get('/saml/metadata', (_req, res) => {
    res.type('application/samlmetadata+xml').send(saml.metadataXml())
  })

  router.get('/logga-in/saml', async (req, res) => {
    let redirect: Awaited<ReturnType<SamlServiceProvider['signInRedirect']>>
    try {
      // The provider hands RelayState back with its answer: where the person was going.
      redirect = await saml.signInRedirect(signInReturnPath(req.query.till, '/'))
    } catch (error) {
      return unavailable(res, error)
    }
    pending.set(res, redirect.requestId)
    res.redirect(303, redirect.url)
  })

  router.post(samlAcsPath, async (req, res) => {
    const requestId = pending.take(req, res)
    let identity: Awaited<ReturnType<SamlServiceProvider['readResponse']>>
    try {
      identity = await saml.readResponse(req.body?.SAMLResponse, requestId)
    } catch (error) {
      if (!(error instanceof SamlRefusal)) return unavailable(res, error)
      // The reason is for the operator's log; the page tells an attacker nothing.
      console.warn('SAML sign-in refused:', error.message)
      if (error.kind === 'groups overage') return refuseSignIn(res, 403, groupsOverageMessage)
      if (error.kind === 'declined') return refuseDeclined(res, settings.name)
      return refuseSignIn(
        res,
        400,
        'Inloggningen kunde inte bekräftas: svaret från inloggningstjänsten var ogiltigt, för gammalt, redan använt ' +
          'eller gällde en inloggning som började i en annan webbläsare. Börja om från inloggningssidan.',
      )
    }
    const verified = { provider: 'saml' as const, ...identity, emailVerified: settings.trustEmail }
    await signInIdentity(services, req, res, verified, signInReturnPath(req.body?.RelayState, '/'))
  })

  // The provider's messages to the logout address: its answer to the LogoutRequest sent at logout here (the session
  // already ended), or its own LogoutRequest when the person logged out of another service.
  router.get(samlLogoutPath, async (req, res) => {
    let message: Awaited<ReturnType<SamlServiceProvider['readLogoutMessage']>>
    try {
      message = await saml.readLogoutMessage(req.query, req.originalUrl.split('?')[1] ?? '')
    } catch (error) {
      console.warn('SAML logout message refused:', error instanceof Error ? error.message : error)
      return res.redirect(303, '/logga-in')
    }
    if (message.kind === 'response') {
      setNotice(res, `Du är utloggad, även från ${settings.name}.`)
      return res.redirect(303, '/logga-in')
    }
    const token: unknown = req.cookies?.[sessionCookie(config)]
    const session = typeof token === 'string' ? await findSession(db, token) : undefined
    const ends = message.ends(keptSingleLogout(session?.single_logout ?? null, 'saml'))
    if (ends) await endSession(services, req, res)
    res.redirect(303, await message.reply(ends))
  })

  return router
}
