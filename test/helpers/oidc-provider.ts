// A real OpenID provider (the certified oidc-provider library) on 127.0.0.1, inside the test process, with accounts
// whose groups a test sets, key rotation, and a hook that lets a test play the attacker on the token response.
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

export interface Account {
  email: string
  name: string
  groups: string[]
}

/** An RS256 signing key, private, as a JWK with its id. */
export function signingKey(kid: string): JsonWebKey & { kid: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** An ID token's claims, read without checking: what the attacker starts from. */
export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())

/** Signs claims as an ID token with this key, as a provider (or an attacker holding some key) would. */
export function signIdToken(claims: object, key: JsonWebKey & { kid: string }): string {
  const data = `${base64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${base64url(claims)}`
  const signature = sign('sha256', Buffer.from(data), createPrivateKey({ key, format: 'jwk' }))
  return `${data}.${signature.toString('base64url')}`
}

export interface TestProvider {
  issuer: string
  clientId: string
  clientSecret: string
  accounts: Map<string, Account>
  /** The keys it signs with, the first in use; `rotate` puts a new one first and publishes both. */
  keys: (JsonWebKey & { kid: string })[]
  rotate(): void
  /** Replaces the ID token of the next token response, as an attacker in the middle would. */
  tamperNextIdToken(change: (idToken: string) => string): void
  stop(): Promise<void>
}

/**
 * Starts the provider, listening before it knows the app: `register` is called with its issuer and returns the app's
 * redirect and post-logout URIs, so an app can be configured with the issuer first.
 */
export async function startOidcProvider(): Promise<TestProvider & { register(app: string): void }> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    if (handler) handler(req, res)
    else res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const accounts = new Map<string, Account>()
  let tamper: ((idToken: string) => string) | undefined
  let appUrl = ''

  const build = (keys: (JsonWebKey & { kid: string })[]) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'internkontroll',
          client_secret: 'internkontroll-test-secret',
          redirect_uris: [`${appUrl}/logga-in/oidc/callback`],
          post_logout_redirect_uris: [`${appUrl}/logga-in`],
          token_endpoint_auth_method: 'client_secret_post',
        },
        // Another application of the same organisation, whose ID tokens must not open this one.
        {
          client_id: 'another-app',
          client_secret: 'another-app-test-secret',
          redirect_uris: ['http://127.0.0.1/another-app/callback'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: keys as never },
      cookies: { keys: ['oidc-provider-test-cookie-key'] },
      pkce: { required: () => true },
      // The claims of the scopes asked for go into the ID token, as Entra ID's do, not only to the userinfo endpoint.
      conformIdTokenClaims: false,
      claims: { openid: ['sub'], email: ['email'], profile: ['name', 'groups'] },
      features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      // Consent is given for every client at once, as an organisation's administrator does for its own apps.
      async loadExistingGrant(ctx) {
        const grantId =
          ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '')
        if (grantId) return ctx.oidc.provider.Grant.find(grantId)
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client?.clientId,
          accountId: ctx.oidc.session?.accountId,
        })
        grant.addOIDCScope('openid profile email')
        await grant.save()
        return grant
      },
      async findAccount(_ctx, id) {
        const account = accounts.get(id)
        if (!account) return undefined
        return { accountId: id, claims: async () => ({ sub: id, ...account }) }
      },
    })
    provider.use(async (ctx, next) => {
      await next()
      const body = ctx.body as { id_token?: string } | undefined
      if (ctx.path === '/token' && tamper && body?.id_token) {
        ctx.body = { ...body, id_token: tamper(body.id_token) }
        tamper = undefined
      }
    })
    handler = provider.callback()
  }

  const keys = [signingKey('key-1')]
  const provider = {
    issuer,
    clientId: 'internkontroll',
    clientSecret: 'internkontroll-test-secret',
    accounts,
    keys,
    register(app: string) {
      appUrl = app
      build(keys)
    },
    rotate() {
      keys.unshift(signingKey(`key-${keys.length + 1}`))
      // A provider restarted with the new key first and the old one still published; sessions and codes live in
      // the library's memory store, which outlasts the instance.
      build(keys)
    },
    tamperNextIdToken(change: (idToken: string) => string) {
      tamper = change
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  return provider
}
