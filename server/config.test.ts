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
})
