import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
// Installs the forms' Swedish messages, as the app does, which the operator's messages must not take.
import './forms.js'

describe('the configuration', () => {
  it('listens on this computer only outside production, unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1')
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1')
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0')
    // Production: every interface, as Node does when given no host.
    const production = {
      NODE_ENV: 'production',
      SECRET: 'a-production-secret-of-32-characters',
      AUDIT_KEY: 'a-production-audit-key-of-32-chars',
    }
    expect(loadConfig(production).host).toBeUndefined()
    expect(loadConfig({ ...production, HOST: '10.0.0.5' }).host).toBe('10.0.0.5')
  })

  it('tells the operator in English what is wrong', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(
      'Invalid configuration: PORT: Too big: expected number to be <=65535',
    )
  })

  it('reads TRUST_PROXY as a number of proxies or their addresses, never as true', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1)
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8')
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(
      'Invalid configuration: TRUST_PROXY: give the number of proxies in front of the app (e.g. 1)',
    )
  })

  it('uses PostgreSQL when DATABASE_URL names it, keeping no anchor file unless told where', () => {
    const url = 'postgres://ik:secret@db.kommun.se/internkontroll'
    expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, database: 'data/internkontroll.sqlite' })
    expect(loadConfig({ DATABASE_URL: url })).toMatchObject({ databaseUrl: url, database: url, auditAnchorFile: null })
    expect(loadConfig({ DATABASE_URL: url, AUDIT_ANCHOR_FILE: '/var/lib/ik/anchor' }).auditAnchorFile).toBe(
      '/var/lib/ik/anchor',
    )
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/ik' })).toThrow(
      'DATABASE_URL must start with postgres:// or postgresql://',
    )
  })

  it('reads the OpenID provider, whose redirect URI is under PUBLIC_URL, and refuses half a configuration', () => {
    const oidc = {
      OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
      OIDC_CLIENT_ID: 'client',
      OIDC_CLIENT_SECRET: 'secret',
      PUBLIC_URL: 'https://ik.kommun.se/',
    }
    expect(loadConfig(oidc).oidc).toEqual({
      issuer: oidc.OIDC_ISSUER,
      clientId: 'client',
      clientSecret: 'secret',
      name: 'organisationens konto',
      groupsClaim: 'groups',
      subjectClaim: 'sub',
      trustEmail: false,
      redirectUri: 'https://ik.kommun.se/logga-in/oidc/callback',
    })
    expect(loadConfig({}).oidc).toBeUndefined()
    expect(() => loadConfig({ ...oidc, OIDC_CLIENT_SECRET: undefined })).toThrow(
      'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set together or not at all',
    )
    expect(() => loadConfig({ ...oidc, PUBLIC_URL: undefined })).toThrow('PUBLIC_URL is required when OIDC_ISSUER')
  })

  it('turns password login off only beside an identity provider, for all but the break-glass administrators', () => {
    expect(() => loadConfig({ LOCAL_LOGIN: 'off' })).toThrow('LOCAL_LOGIN=off needs an identity provider')
    const config = loadConfig({
      OIDC_ISSUER: 'https://idp.kommun.se',
      OIDC_CLIENT_ID: 'client',
      OIDC_CLIENT_SECRET: 'secret',
      PUBLIC_URL: 'https://ik.kommun.se',
      LOCAL_LOGIN: 'off',
      BREAK_GLASS_EMAILS: ' Admin@Kommun.se,it-jour@kommun.se ',
    })
    expect(config).toMatchObject({ localLogin: false, breakGlassEmails: ['admin@kommun.se', 'it-jour@kommun.se'] })
    expect(() => loadConfig({ BREAK_GLASS_EMAILS: 'admin' })).toThrow('BREAK_GLASS_EMAILS must be e-mail addresses')
  })
})
