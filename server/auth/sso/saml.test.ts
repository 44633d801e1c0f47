import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Db } from '../../../db/connection.js'
import { type SamlFlaw, TestSamlIdp } from '../../../test/helpers/saml-idp.js'
import { openTestDatabase } from '../../../test/helpers/test-database.js'
import { loadConfig, type SamlConfig } from '../../config.js'
import { parseIdpMetadata, requestLifetimeMs, SamlRefusal, SamlServiceProvider } from './saml.js'

const publicUrl = 'https://internkontroll.kommun.se'
const samlEnv = (idp: TestSamlIdp, env: Record<string, string> = {}) =>
  loadConfig({ PUBLIC_URL: publicUrl, SAML_METADATA_URL: idp.metadataUrl, ...env }).saml as SamlConfig

let idp: TestSamlIdp
let db: Db
let sp: SamlServiceProvider

beforeAll(async () => {
  idp = await TestSamlIdp.start()
})
afterAll(() => idp.stop())
beforeEach(async () => {
  db = await openTestDatabase()
  sp = new SamlServiceProvider(db, samlEnv(idp), publicUrl)
  idp.user = { nameId: 'anna-1', email: 'Anna@Kommun.se', name: 'Anna Andersson', groups: ['ik-sekreterare', 'alla'] }
})

/** Sends the browser to the provider and takes its answer, as the provider's page would post it. */
async function answered(flaw?: SamlFlaw, provider = sp) {
  const { url, requestId } = await provider.signInRedirect('/planer/1')
  idp.flaw = flaw
  return { ...(await idp.answer(url)), requestId, url }
}

describe('SAML sign-in against an identity provider', () => {
  it('sends an AuthnRequest naming the app, and takes the signed answer: subject, e-mail, name and groups', async () => {
    const { url, requestId, SAMLResponse, RelayState, action } = await answered()
    const sent = inflateRawSync(Buffer.from(new URL(url).searchParams.get('SAMLRequest') ?? '', 'base64')).toString()
    expect(sent).toContain(`ID="${requestId}"`)
    expect(sent).toContain(`AssertionConsumerServiceURL="${publicUrl}/logga-in/saml/acs"`)
    expect(sent).toContain(`>${publicUrl}/saml</saml:Issuer>`)
    expect(action).toBe(`${publicUrl}/logga-in/saml/acs`)
    expect(RelayState).toBe('/planer/1')

    const identity = await sp.readResponse(SAMLResponse, requestId)
    expect(identity).toMatchObject({
      subject: `${idp.entityId} anna-1`,
      email: 'anna@kommun.se',
      name: 'Anna Andersson',
      groups: ['ik-sekreterare', 'alla'],
    })
    expect(JSON.parse(identity.singleLogout)).toMatchObject({
      nameId: 'anna-1',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    })
    // Answered: the request is not kept.
    expect(await db.selectFrom('saml_request').selectAll().execute()).toEqual([])
  })

  it('takes the answer at another instance than the one that sent the request: the requests are in the database', async () => {
    const { SAMLResponse, requestId } = await answered()
    const other = new SamlServiceProvider(db, samlEnv(idp), publicUrl)
    expect((await other.readResponse(SAMLResponse, requestId)).email).toBe('anna@kommun.se')
  })

  const refused = async (answer: Promise<unknown>, reason: RegExp) => {
    const error = await answer.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SamlRefusal)
    expect((error as Error).message).toMatch(reason)
  }

  it.each([
    // Out of its time the subject's confirmation is no longer valid either, and is checked first.
    ['expired', /No valid subject confirmation/],
    ['unsigned', /Invalid signature/],
    // What the provider asserts must be signed itself: a signature on the Response around it is not enough.
    ['responseSignedOnly', /Invalid signature/],
    ['tampered', /Invalid signature/],
    ['otherKey', /Invalid signature/],
    ['wrongAudience', /audience mismatch/],
    ['wrongRecipient', /another recipient/],
    ['noRecipient', /another recipient/],
    // Signed, but for any request: the Response's own InResponseTo is not signed.
    ['unboundAssertion', /another browser/],
  ] as const)('refuses an answer that is %s', async (flaw, reason) => {
    const { SAMLResponse, requestId } = await answered(flaw)
    await refused(sp.readResponse(SAMLResponse, requestId), reason)
  })

  it('says so when the provider answers that no one signed in', async () => {
    const { SAMLResponse, requestId } = await answered('denied')
    const error = await sp.readResponse(SAMLResponse, requestId).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'declined', message: expect.stringMatching(/AuthnFailed/) })
  })

  it("refuses an answer whose groups did not fit (Entra ID's overage: a link to them in their place)", async () => {
    const { SAMLResponse, requestId } = await answered('overage')
    const error = await sp.readResponse(SAMLResponse, requestId).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'groups overage', message: expect.stringMatching(/groups\.link/) })
  })

  it('refuses the same answer posted again, also if its request were somehow still known', async () => {
    const { SAMLResponse, requestId } = await answered()
    await sp.readResponse(SAMLResponse, requestId)
    await refused(sp.readResponse(SAMLResponse, requestId), /InResponseTo is not valid/)
    // The assertion's id alone refuses it.
    await db.insertInto('saml_request').values({ id: requestId, sent_at: new Date().toISOString() }).execute()
    await refused(sp.readResponse(SAMLResponse, requestId), /was used before/)
  })

  it('refuses an answer replayed by the provider to a new request', async () => {
    const first = await answered()
    await sp.readResponse(first.SAMLResponse, first.requestId)
    const { SAMLResponse, requestId } = await answered('replay')
    await refused(sp.readResponse(SAMLResponse, requestId), /InResponseTo is not valid/)
  })

  it('refuses an answer to a request another browser started (login CSRF)', async () => {
    const mine = await sp.signInRedirect('/')
    for (const browsersRequest of [mine.requestId, undefined]) {
      const theirs = await answered()
      await refused(sp.readResponse(theirs.SAMLResponse, browsersRequest), /another browser/)
    }
  })

  it('refuses an answer to no request of its own: unsolicited, or to a request too old', async () => {
    const unsolicited = idp.response({ id: '', issuer: sp.entityId, acsUrl: sp.acsUrl, relayState: undefined })
    await refused(sp.readResponse(unsolicited, undefined), /InResponseTo is missing/)

    const { SAMLResponse, requestId } = await answered()
    const long = new Date(Date.now() - requestLifetimeMs - 60_000).toISOString()
    await db.updateTable('saml_request').set({ sent_at: long }).where('id', '=', requestId).execute()
    await refused(sp.readResponse(SAMLResponse, requestId), /InResponseTo is not valid/)
  })

  it('refuses a post without a SAMLResponse', async () => {
    await refused(sp.readResponse(undefined, undefined), /no SAMLResponse/)
    await refused(sp.readResponse('not base64 XML', undefined), /refused/)
  })

  it('reads the subject from an attribute when told, and refuses an assertion without it', async () => {
    const byEmail = new SamlServiceProvider(
      db,
      samlEnv(idp, { SAML_SUBJECT_ATTRIBUTE: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' }),
      publicUrl,
    )
    const first = await answered(undefined, byEmail)
    expect((await byEmail.readResponse(first.SAMLResponse, first.requestId)).subject).toBe(
      `${idp.entityId} Anna@Kommun.se`,
    )
    const byMissing = new SamlServiceProvider(db, samlEnv(idp, { SAML_SUBJECT_ATTRIBUTE: 'objectid' }), publicUrl)
    const second = await answered(undefined, byMissing)
    await refused(byMissing.readResponse(second.SAMLResponse, second.requestId), /no objectid attribute/)
  })

  it('refuses an assertion without an e-mail address', async () => {
    const elsewhere = new SamlServiceProvider(db, samlEnv(idp, { SAML_EMAIL_ATTRIBUTE: 'mail' }), publicUrl)
    const { SAMLResponse, requestId } = await answered(undefined, elsewhere)
    await refused(elsewhere.readResponse(SAMLResponse, requestId), /no e-mail address \(mail, SAML_EMAIL_ATTRIBUTE\)/)
  })

  it('describes the app in its metadata: entity id, ACS, single logout, signed assertions wanted', () => {
    const xml = sp.metadataXml()
    expect(xml).toContain(`entityID="${publicUrl}/saml"`)
    expect(xml).toContain(`Location="${publicUrl}/logga-in/saml/acs"`)
    expect(xml).toContain(`Location="${publicUrl}/logga-ut/saml"`)
    expect(xml).toContain('WantAssertionsSigned="true"')
  })
})

describe("the identity provider's metadata", () => {
  it('is read from a file too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'saml-metadata-'))
    try {
      const file = join(dir, 'idp.xml')
      await writeFile(file, idp.metadataXml())
      const config = loadConfig({ PUBLIC_URL: publicUrl, SAML_METADATA_FILE: file }).saml as SamlConfig
      const fromFile = new SamlServiceProvider(db, config, publicUrl)
      expect(await fromFile.idp()).toMatchObject({ entityId: idp.entityId, signOnUrl: `${idp.url}/sso` })
      const { SAMLResponse, requestId } = await answered(undefined, fromFile)
      expect((await fromFile.readResponse(SAMLResponse, requestId)).name).toBe('Anna Andersson')
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  it("gives the entity id, the addresses and the signing certificates, within a federation's list too", () => {
    const metadata = parseIdpMetadata(idp.metadataXml())
    expect(metadata).toMatchObject({
      entityId: idp.entityId,
      signOnUrl: `${idp.url}/sso`,
      logoutUrl: `${idp.url}/slo`,
    })
    expect(metadata.certificates).toHaveLength(1)
    const federation = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><EntityDescriptor entityID="https://sp.example"><SPSSODescriptor/></EntityDescriptor>${idp.metadataXml().replace('<?xml version="1.0"?>', '')}</EntitiesDescriptor>`
    expect(parseIdpMetadata(federation).entityId).toBe(idp.entityId)
  })

  it('is read again after an hour, so that a new signing key is taken up', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const first = await answered()
      await sp.readResponse(first.SAMLResponse, first.requestId)
      await idp.rollKey()
      const early = await answered()
      await expect(sp.readResponse(early.SAMLResponse, early.requestId)).rejects.toThrow('Invalid signature')
      vi.setSystemTime(Date.now() + 61 * 60_000)
      const later = await answered()
      expect((await sp.readResponse(later.SAMLResponse, later.requestId)).email).toBe('anna@kommun.se')
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps serving the copy read before while the address does not answer', async () => {
    // The metadata at an address of its own, which goes away.
    const server = createServer((_req, res) => res.end(idp.metadataXml()))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`
    const provider = new SamlServiceProvider(db, samlEnv(idp, { SAML_METADATA_URL: url }), publicUrl)
    await provider.idp()
    await new Promise((resolve) => server.close(resolve))
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 61 * 60_000)
      const { SAMLResponse, requestId } = await answered(undefined, provider)
      expect((await provider.readResponse(SAMLResponse, requestId)).email).toBe('anna@kommun.se')
    } finally {
      vi.useRealTimers()
    }
  })

  it('is not read through a redirect, which could lead to plain http', async () => {
    const server = createServer((_req, res) => res.writeHead(302, { Location: idp.metadataUrl }).end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`
      const provider = new SamlServiceProvider(db, samlEnv(idp, { SAML_METADATA_URL: url }), publicUrl)
      await expect(provider.idp()).rejects.toThrow(`${url} redirects to ${idp.metadataUrl}`)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('says in English what it lacks', () => {
    expect(() => parseIdpMetadata('<nope')).toThrow('SAML metadata is not XML')
    expect(() => parseIdpMetadata('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>')).toThrow(
      'SAML metadata must describe one identity provider (an IDPSSODescriptor); it has 0',
    )
    const withoutKey = idp.metadataXml().replace(/<md:KeyDescriptor.*<\/md:KeyDescriptor>/, '')
    expect(() => parseIdpMetadata(withoutKey)).toThrow('no signing certificate')
    const postOnly = idp.metadataXml().replaceAll('bindings:HTTP-Redirect', 'bindings:HTTP-POST')
    expect(() => parseIdpMetadata(postOnly)).toThrow('no SingleSignOnService with the HTTP-Redirect binding')
  })

  it('refuses a sign-on or logout address that is no web address, or is not https in production', async () => {
    const metadata = idp.metadataXml()
    for (const bad of ['javascript:alert(1)', 'not a url', '/slo']) {
      const xml = metadata.replace(`Location="${idp.url}/slo"`, `Location="${bad}"`)
      expect(() => parseIdpMetadata(xml)).toThrow(`the SingleLogoutService Location is not an http(s) address: ${bad}`)
    }
    expect(() => parseIdpMetadata(metadata, true)).toThrow(
      `the SingleSignOnService Location is not an https address: ${idp.url}/sso`,
    )
    const https = metadata.replaceAll(idp.url, 'HTTPS://adfs.kommun.se')
    expect(parseIdpMetadata(https, true).logoutUrl).toBe('HTTPS://adfs.kommun.se/slo')

    // Metadata with a bad address is not taken: no page breaks on the logout origin, sign-in says it cannot be used.
    const server = createServer((_req, res) => res.end(metadata.replace(`Location="${idp.url}/slo"`, 'Location="::"')))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`
      const provider = new SamlServiceProvider(db, samlEnv(idp, { SAML_METADATA_URL: url }), publicUrl)
      await expect(provider.idp()).rejects.toThrow('SingleLogoutService Location')
      expect(provider.logoutOrigin()).toBeUndefined()
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('is configured with one source, beside PUBLIC_URL, and over HTTPS in production', () => {
    expect(loadConfig({}).saml).toBeUndefined()
    expect(() =>
      loadConfig({ PUBLIC_URL: publicUrl, SAML_METADATA_URL: idp.metadataUrl, SAML_METADATA_FILE: '/etc/idp.xml' }),
    ).toThrow('Invalid configuration: give SAML_METADATA_URL or SAML_METADATA_FILE, not both')
    expect(() => loadConfig({ SAML_METADATA_FILE: '/etc/idp.xml' })).toThrow('PUBLIC_URL is required')
    expect(() => loadConfig({ SAML_NAME: 'Malmö stad' })).toThrow('need SAML_METADATA_URL or SAML_METADATA_FILE')
    // The provider is one that can stand in for the passwords.
    expect(
      loadConfig({ LOCAL_LOGIN: 'off', PUBLIC_URL: publicUrl, SAML_METADATA_FILE: '/etc/idp.xml' }).localLogin,
    ).toBe(false)
    const production = {
      NODE_ENV: 'production',
      SECRET: 'a-production-secret-of-32-characters',
      AUDIT_KEY: 'a-production-audit-key-of-32-chars',
      PUBLIC_URL: publicUrl,
    }
    for (const url of [
      'http://adfs.kommun.se/metadata.xml',
      'HTTP://adfs.kommun.se/metadata.xml',
      'ftp://adfs.kommun.se/m',
    ])
      expect(() => loadConfig({ ...production, SAML_METADATA_URL: url })).toThrow(
        'SAML_METADATA_URL must be an https:// address',
      )
    expect(loadConfig({ ...production, SAML_METADATA_URL: 'HTTPS://adfs.kommun.se/metadata.xml' }).saml).toBeDefined()
    expect(loadConfig({ ...production, SAML_METADATA_FILE: '/etc/idp.xml', SAML_NAME: 'Malmö stad' }).saml).toEqual({
      metadata: { file: '/etc/idp.xml' },
      name: 'Malmö stad',
      attributes: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        name: 'http://schemas.microsoft.com/identity/claims/displayname',
        groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
        subject: undefined,
      },
      trustEmail: false,
      httpsOnly: true,
    })
  })
})

describe('single logout', () => {
  const queryOf = (url: string) => {
    const parsed = new URL(url)
    return { query: Object.fromEntries(parsed.searchParams), raw: parsed.search.slice(1) }
  }

  async function signedIn() {
    idp.logoutUrls.set(sp.entityId, sp.logoutReturnUrl)
    const { SAMLResponse, requestId } = await answered()
    return sp.readResponse(SAMLResponse, requestId)
  }

  it("ends the provider's session too, and takes its signed answer", async () => {
    const identity = await signedIn()
    const url = (await sp.logoutUrl(identity.singleLogout)) as string
    expect(url.startsWith(`${idp.url}/slo?SAMLRequest=`)).toBe(true)
    const atProvider = await fetch(url, { redirect: 'manual' })
    expect(idp.logoutRequests).toContainEqual({ nameId: 'anna-1', sessionIndex: expect.stringMatching(/^_/) })
    const back = atProvider.headers.get('location') as string
    expect(back.startsWith(`${sp.logoutReturnUrl}?SAMLResponse=`)).toBe(true)
    const { query, raw } = queryOf(back)
    expect(await sp.readLogoutMessage(query, raw)).toEqual({ kind: 'response' })

    const refusedAs = async (q: Record<string, string>, r: string, reason: RegExp) =>
      expect(sp.readLogoutMessage(q, r)).rejects.toThrow(reason)
    const { Signature: _, ...unsigned } = query
    await refusedAs(unsigned, raw.replace(/&Signature=[^&]*/, ''), /not signed/)
    const forged = { ...query, Signature: Buffer.alloc(256).toString('base64') }
    await refusedAs(
      forged,
      raw.replace(/Signature=[^&]*/, `Signature=${encodeURIComponent(forged.Signature)}`),
      /Invalid query signature/,
    )
  })

  it('ends the session here when the person logs out elsewhere, and answers the provider', async () => {
    const identity = await signedIn()
    const { query, raw } = queryOf(await idp.logoutRequestUrl(sp.entityId, 'anna-1'))
    const message = await sp.readLogoutMessage(query, raw)
    if (message.kind !== 'request') throw new Error('a LogoutRequest was expected')
    expect(message.ends(identity.singleLogout)).toBe(true)
    expect(message.ends(JSON.stringify({ nameId: 'bertil-2', nameIdFormat: 'x' }))).toBe(false)
    expect(message.ends(undefined)).toBe(false)
    await fetch(await message.reply(true))
    expect(idp.logoutAnswers).toEqual(['urn:oasis:names:tc:SAML:2.0:status:Success'])
  })

  it('is offered in the metadata by HTTP-Redirect, the binding the logout address takes', async () => {
    // The app's metadata where the provider looks for it: `<entity id>/metadata`.
    let provider: SamlServiceProvider | undefined
    const server = createServer((_req, res) => res.end(provider?.metadataXml()))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      provider = new SamlServiceProvider(db, samlEnv(idp), url)
      expect(provider.metadataXml()).toContain(
        `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${url}/logga-ut/saml"/>`,
      )
      const sent = await idp.logoutRequestUrl(provider.entityId, 'anna-1')
      expect(sent.startsWith(`${url}/logga-ut/saml?SAMLRequest=`)).toBe(true)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('refuses a LogoutRequest read before, or not issued now', async () => {
    await signedIn()
    const { query, raw } = queryOf(await idp.logoutRequestUrl(sp.entityId, 'anna-1'))
    expect(await sp.readLogoutMessage(query, raw)).toMatchObject({ kind: 'request' })
    await expect(sp.readLogoutMessage(query, raw)).rejects.toThrow(/LogoutRequest _\w+ was used before/)
    for (const issuedAt of [Date.now() - 7 * 60_000, Date.now() + 7 * 60_000]) {
      const old = queryOf(await idp.logoutRequestUrl(sp.entityId, 'anna-1', issuedAt))
      await expect(sp.readLogoutMessage(old.query, old.raw)).rejects.toThrow(/was issued at .*, not now/)
    }
  })

  it("names the provider's logout origin, for the pages' form-action", async () => {
    await sp.idp()
    expect(sp.logoutOrigin()).toBe(idp.url)
  })

  it('is not offered when the metadata names no logout address', async () => {
    const withoutLogout = await TestSamlIdp.start({ singleLogout: false })
    try {
      const provider = new SamlServiceProvider(db, samlEnv(withoutLogout), publicUrl)
      expect(await provider.logoutUrl(JSON.stringify({ nameId: 'anna-1', nameIdFormat: 'x' }))).toBeUndefined()
      expect(provider.logoutOrigin()).toBeUndefined()
    } finally {
      await withoutLogout.stop()
    }
  })
})
