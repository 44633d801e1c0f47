// Sign-in with the municipality's OpenID provider (Entra ID, Keycloak, ADFS…): authorization code with PKCE, checked
// by openid-client, a certified relying-party library, and then the same ground as SAML (sign-in.ts).
import { createHmac, timingSafeEqual } from 'node:crypto'
import { type Request, type Response, Router } from 'express'
import * as client from 'openid-client'
import type { Services } from '../../app.js'
import type { Config, OidcSettings } from '../../config.js'
import { cookieOptions } from '../session.js'
import {
  type ExternalIdentity,
  groupsOverageMessage,
  refuseDeclined,
  refuseSignIn,
  refuseUnavailable,
  signInIdentity,
  signInReturnPath,
} from './sign-in.js'

/** The provider's configuration, found once it answers, and what is built from it. */
export interface OidcClient {
  configuration(): Promise<client.Configuration>
  /** Where the provider ends its own session and sends the browser back; undefined if it has no such endpoint. */
  logoutUrl(idToken: string): Promise<string | undefined>
}

export function oidcClient(settings: OidcSettings, publicUrl: string): OidcClient {
  let discovered: Promise<client.Configuration> | undefined
  const configuration = () => {
    discovered ??= client
      .discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
        execute: [
          // The library trusts an ID token from the token endpoint on TLS alone unless told (OIDC Core 3.1.3.7);
          // checked here against the provider's published keys, so a token endpoint answered by anyone else (a
          // hijacked name, a proxy) cannot sign anyone in.
          client.enableNonRepudiationChecks,
          // Plain HTTP only for a provider run by the tests on 127.0.0.1: production requires https (config.ts).
          ...(settings.issuer.startsWith('http://') ? [client.allowInsecureRequests] : []),
        ],
      })
      .catch((error) => {
        // A provider that was down at start, or now, is asked again at the next sign-in.
        discovered = undefined
        throw error
      })
    return discovered
  }
  return {
    configuration,
    async logoutUrl(idToken) {
      const found = await configuration().catch(() => undefined)
      if (!found?.serverMetadata().end_session_endpoint) return undefined
      return client
        .buildEndSessionUrl(found, { id_token_hint: idToken, post_logout_redirect_uri: `${publicUrl}/logga-in` })
        .toString()
    },
  }
}

/** How long a sign-in may take at the provider before its state is no longer accepted back. */
const pendingLifetimeMs = 10 * 60_000

interface Pending {
  state: string
  nonce: string
  verifier: string
  till: string
  expires: number
}

/**
 * What a sign-in started here must find when the browser comes back — state, nonce and PKCE verifier — is kept in a
 * short-lived cookie signed with SECRET rather than in the database: a stranger can start any number of sign-ins
 * without writing a row, every instance behind a load balancer can finish one another started, and the state is bound
 * to the browser that began, so a callback planted in someone else's browser (login CSRF) finds no match. HttpOnly;
 * SameSite=Lax, since the provider sends the browser back by a top-level navigation from its own site.
 */
function pendingCookie(config: Config) {
  const name = config.production ? '__Host-ik_oidc' : 'ik_oidc'
  const sign = (data: string) => createHmac('sha256', config.secret).update(`oidc.${data}`).digest('base64url')
  return {
    set(res: Response, pending: Pending) {
      const data = Buffer.from(JSON.stringify(pending)).toString('base64url')
      res.cookie(name, `${data}.${sign(data)}`, { ...cookieOptions(config), maxAge: pendingLifetimeMs })
    },
    /** The pending sign-in, if the cookie is ours and not too old; the cookie is cleared: it serves one callback. */
    take(req: Request, res: Response, now: Date): Pending | undefined {
      const value: unknown = req.cookies?.[name]
      res.clearCookie(name, cookieOptions(config))
      if (typeof value !== 'string') return undefined
      const [data = '', signature = ''] = value.split('.')
      const expected = Buffer.from(sign(data))
      const sent = Buffer.from(signature)
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) return undefined
      const pending = JSON.parse(Buffer.from(data, 'base64url').toString()) as Pending
      return pending.expires > now.getTime() ? pending : undefined
    },
  }
}

/** What went wrong, with what openid-client gives as its cause (the claim, the provider's error), for the log. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)
  return cause === undefined ? error.message : `${error.message}: ${cause}`
}

const groupsIn = (claim: unknown): string[] =>
  (Array.isArray(claim) ? claim : typeof claim === 'string' ? [claim] : []).filter(
    (g): g is string => typeof g === 'string',
  )

export function oidcRoutes(services: Services, oidc: OidcClient): Router {
  const { config, clock } = services
  const settings = config.oidc as OidcSettings
  const pending = pendingCookie(config)
  const router = Router()
  const unavailable = (res: Response) => refuseUnavailable(res, settings.name, config.operator)

  router.get('/logga-in/oidc', async (req, res) => {
    const found = await oidc.configuration().catch((error) => {
      console.error(`OpenID provider ${settings.issuer} cannot be reached:`, error)
      return undefined
    })
    if (!found) return unavailable(res)
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    // Checked before it goes into the cookie, and short enough that the cookie stays within what browsers keep.
    const till = signInReturnPath(req.query.till, '')
    pending.set(res, { state, nonce, verifier, till, expires: clock().getTime() + pendingLifetimeMs })
    const url = client.buildAuthorizationUrl(found, {
      redirect_uri: settings.redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    res.redirect(303, url.toString())
  })

  router.get('/logga-in/oidc/callback', async (req, res) => {
    const started = pending.take(req, res, clock())
    if (!started) {
      return refuseSignIn(
        res,
        400,
        'Inloggningen kunde inte slutföras: den tog för lång tid, eller började i en annan webbläsare eller flik. ' +
          'Börja om från inloggningssidan.',
      )
    }
    if (typeof req.query.error === 'string') {
      return refuseDeclined(res, settings.name)
    }
    const found = await oidc.configuration().catch(() => undefined)
    if (!found) return unavailable(res)
    // The address the provider sent the browser to, as registered there, whatever a proxy in front made of it.
    const current = new URL(settings.redirectUri)
    current.search = new URL(req.originalUrl, current).search
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>
    try {
      // Checks the state, exchanges the code with the PKCE verifier, and validates the ID token: its signature by the
      // provider's keys (fetched again for a key not seen before), issuer, audience, expiry and nonce.
      tokens = await client.authorizationCodeGrant(found, current, {
        pkceCodeVerifier: started.verifier,
        expectedState: started.state,
        expectedNonce: started.nonce,
        idTokenExpected: true,
      })
    } catch (error) {
      // The reason is for the operator's log; the page tells an attacker nothing.
      console.warn(`OpenID sign-in refused: ${reason(error)}`)
      return refuseSignIn(res, 400, 'Inloggningen kunde inte bekräftas. Börja om från inloggningssidan.')
    }
    const claims = tokens.claims() as client.IDToken
    const identity = identityOf(claims, settings)
    if (typeof identity === 'string') {
      // For the operator: overage is mended at the provider, by sending only the groups assigned to the application.
      console.warn(`OpenID sign-in of ${claims.iss} ${claims.sub} refused: ${identity}`)
      return refuseSignIn(res, 403, refusals[identity])
    }
    await signInIdentity(services, req, res, { ...identity, singleLogout: tokens.id_token }, started.till)
  })

  return router
}

const refusals = {
  'no subject': 'Inloggningen kunde inte bekräftas. Börja om från inloggningssidan.',
  'groups overage': groupsOverageMessage,
} as const

/**
 * The person an ID token names, or why it cannot be used: the subject claim is missing, or the groups did not fit
 * (Entra ID's "overage": past 200 groups it sends a link to fetch them instead, `_claim_names`, or `hasgroups`).
 * Signing in without the groups would take away every role they give, so the sign-in is refused instead.
 */
export function identityOf(
  claims: client.IDToken,
  settings: Pick<OidcSettings, 'groupsClaim' | 'subjectClaim' | 'trustEmail'>,
): Omit<ExternalIdentity, 'singleLogout'> | keyof typeof refusals {
  const subject = claims[settings.subjectClaim]
  if (typeof subject !== 'string' || subject === '') return 'no subject'
  const claimNames = claims._claim_names
  const overage =
    claims.hasgroups === true ||
    claims.hasgroups === 'true' ||
    (typeof claimNames === 'object' && claimNames !== null && settings.groupsClaim in claimNames)
  if (overage) return 'groups overage'
  return {
    provider: 'oidc',
    // A subject is unique at its issuer only.
    subject: `${claims.iss} ${subject}`,
    // The e-mail claim alone: preferred_username is a login name, which at many providers the user may choose.
    email: typeof claims.email === 'string' ? claims.email : '',
    emailVerified: settings.trustEmail || claims.email_verified === true,
    name: typeof claims.name === 'string' ? claims.name : '',
    groups: groupsIn(claims[settings.groupsClaim]),
  }
}
