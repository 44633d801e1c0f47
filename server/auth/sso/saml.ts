// Sign-in with a SAML 2.0 identity provider: its metadata read, AuthnRequests sent by HTTP-Redirect, its answers
// (HTTP-POST to the ACS) checked by node-saml and then against the requests sent and the assertions already taken.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'
import {
  generateServiceProviderMetadata,
  type Profile,
  SAML,
  SamlStatusError,
  ValidateInResponseTo,
} from '@node-saml/node-saml'
import { DOMParser, type Element, onErrorStopParsing } from '@xmldom/xmldom'
import type { Db } from '../../../db/connection.js'
import type { SamlConfig } from '../../config.js'
import { samlRequests, takeAssertion } from './saml-repository.js'

const metadataNs = 'urn:oasis:names:tc:SAML:2.0:metadata'
const signatureNs = 'http://www.w3.org/2000/09/xmldsig#'
const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'
const persistentNameId = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const bearerMethod = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'

/** The ACS, where the provider's page posts its answer: exempt from the CSRF check (app.ts). */
export const samlAcsPath = '/logga-in/saml/acs'
/** Where the provider sends its logout messages, by HTTP-Redirect. */
export const samlLogoutPath = '/logga-ut/saml'

/** How long a person may take at the identity provider (a second factor, a forgotten password) before answering. */
export const requestLifetimeMs = 60 * 60_000
/** How long after it was issued a LogoutRequest is taken: the provider redirects the browser at once. */
const logoutRequestLifetimeMs = 5 * 60_000
/** How far the identity provider's clock may be from ours. */
const clockSkewMs = 60_000
/** Metadata read from a URL is read again after this long, so that a new signing certificate is taken up. */
const metadataLifetimeMs = 60 * 60_000
/** How soon metadata that could not be read again is tried once more. */
const retryMs = 5 * 60_000

export interface IdpMetadata {
  entityId: string
  /** Where AuthnRequests go (HTTP-Redirect binding). */
  signOnUrl: string
  /** Where LogoutRequests go (HTTP-Redirect binding); undefined: the provider has no single logout. */
  logoutUrl: string | undefined
  /** The certificates whose keys may sign assertions, base64 DER: two while the provider rolls its key over. */
  certificates: string[]
}

/**
 * A refused answer: `reason` in English, for the operator's log; the person is told no more than that it failed, or
 * (`kind`) that the provider itself answered that no one signed in (cancelled, or refused there), or that the groups
 * did not fit in the assertion.
 */
export class SamlRefusal extends Error {
  constructor(
    reason: string,
    readonly kind: 'invalid' | 'declined' | 'groups overage' = 'invalid',
  ) {
    super(reason)
    this.name = 'SamlRefusal'
  }
}

/** Who signed in, as the assertion says. */
export interface SamlIdentity {
  /** `<IdP entity id> <NameID or subject attribute>`: the same person at another provider is someone else. */
  subject: string
  email: string
  name: string
  groups: string[]
  /** What a LogoutRequest for this sign-in names (a SamlSession as JSON), kept with the session. */
  singleLogout: string
}

/** The provider's session that a sign-in began: what a LogoutRequest names. */
export interface SamlSession {
  nameId: string
  nameIdFormat: string
  sessionIndex: string | undefined
}

/** A message's query in the HTTP-Redirect binding, as Express parses it. */
type RedirectQuery = Parameters<SAML['validateRedirectAsync']>[0]

/** A message the provider sent to the logout address: its answer to ours, or its own request (logout elsewhere). */
export type SamlLogoutMessage =
  | { kind: 'response' }
  | {
      kind: 'request'
      /** Whether it ends the session that `singleLogout` (of SamlIdentity) was kept with. */
      ends(singleLogout: string | undefined): boolean
      /** The provider's address that takes the answer, success or not. */
      reply(success: boolean): Promise<string>
    }

const childrenOf = (parent: Element, ns: string, name: string) => Array.from(parent.getElementsByTagNameNS(ns, name))

/**
 * The service's HTTP-Redirect address, checked: the browser is sent there, and the pages' Content-Security-Policy
 * names its origin (logoutOrigin), so an address that is no web address would break every page.
 */
function redirectLocation(descriptor: Element, service: string, httpsOnly: boolean): string | undefined {
  const location = childrenOf(descriptor, metadataNs, service)
    .find((e) => e.getAttribute('Binding') === redirectBinding)
    ?.getAttribute('Location')
  if (!location) return undefined
  const protocol = URL.canParse(location) ? new URL(location).protocol : undefined
  if (protocol !== 'https:' && (httpsOnly || protocol !== 'http:'))
    throw new Error(
      `SAML metadata: the ${service} Location is not an ${httpsOnly ? 'https' : 'http(s)'} address: ${location}`,
    )
  return location
}

/**
 * Reads an identity provider's metadata; what is missing or not understood is said in English, for the operator.
 * `httpsOnly`: its addresses must be https (production).
 */
export function parseIdpMetadata(xml: string, httpsOnly = false): IdpMetadata {
  let document: ReturnType<DOMParser['parseFromString']>
  try {
    document = new DOMParser({ onError: onErrorStopParsing }).parseFromString(xml, 'text/xml')
  } catch (error) {
    throw new Error(`SAML metadata is not XML: ${(error as Error).message}`)
  }
  const entities = childrenOf(document.documentElement as Element, metadataNs, 'EntityDescriptor')
  if (document.documentElement?.localName === 'EntityDescriptor') entities.unshift(document.documentElement)
  const providers = entities.filter((e) => childrenOf(e, metadataNs, 'IDPSSODescriptor').length > 0)
  if (providers.length !== 1)
    throw new Error(
      `SAML metadata must describe one identity provider (an IDPSSODescriptor); it has ${providers.length}`,
    )
  const entity = providers[0] as Element
  const descriptor = childrenOf(entity, metadataNs, 'IDPSSODescriptor')[0] as Element
  const entityId = entity.getAttribute('entityID')
  if (!entityId) throw new Error('SAML metadata: the EntityDescriptor has no entityID')
  const signOnUrl = redirectLocation(descriptor, 'SingleSignOnService', httpsOnly)
  if (!signOnUrl) throw new Error('SAML metadata: no SingleSignOnService with the HTTP-Redirect binding')
  const certificates = childrenOf(descriptor, metadataNs, 'KeyDescriptor')
    // A key without `use` is for both signing and encryption.
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => childrenOf(k, signatureNs, 'X509Certificate'))
    .map((c) => (c.textContent ?? '').replace(/\s+/g, ''))
    .filter((c) => c !== '')
  if (certificates.length === 0) throw new Error('SAML metadata: no signing certificate (KeyDescriptor use="signing")')
  const logoutUrl = redirectLocation(descriptor, 'SingleLogoutService', httpsOnly)
  return { entityId, signOnUrl, logoutUrl, certificates }
}

async function readMetadata(source: SamlConfig['metadata']): Promise<string> {
  if ('file' in source) return readFile(source.file, 'utf8')
  // Not followed: a redirect could lead from https to http, where anyone on the way could name another certificate.
  const response = await fetch(source.url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) })
  if (response.status >= 300 && response.status < 400)
    throw new Error(
      `SAML metadata: ${source.url} redirects to ${response.headers.get('location')}; set SAML_METADATA_URL to the address it leads to`,
    )
  if (!response.ok) throw new Error(`SAML metadata: ${source.url} answered ${response.status}`)
  return response.text()
}

/** An AuthnRequest id: xs:ID must not begin with a digit. */
const newRequestId = () => `_${randomBytes(20).toString('hex')}`

/**
 * The service provider this app is to the identity provider: entity id `<PUBLIC_URL>/saml`, its answers posted to
 * `<PUBLIC_URL>/logga-in/saml/acs`. Times are the real clock's, not the app's: the identity provider stamps its
 * assertions with its own.
 */
export class SamlServiceProvider {
  readonly entityId: string
  readonly acsUrl: string
  readonly logoutReturnUrl: string
  private metadata: { value: Promise<IdpMetadata>; readAt: number } | undefined
  /** The metadata last read, for what must be known at once (logoutOrigin). */
  private read: IdpMetadata | undefined

  constructor(
    private readonly db: Db,
    private readonly config: SamlConfig,
    publicUrl: string,
  ) {
    this.entityId = `${publicUrl}/saml`
    this.acsUrl = `${publicUrl}${samlAcsPath}`
    this.logoutReturnUrl = `${publicUrl}${samlLogoutPath}`
    // Read at once, so that the first pages already know where logout leads (logoutOrigin).
    this.idp().catch(() => {})
  }

  /**
   * Where the provider's single logout is, as the metadata read last says (none read yet: reads it), for the pages'
   * Content-Security-Policy: logging out is a form whose answer sends the browser there, and a browser holds a form's
   * redirects to its form-action.
   */
  logoutOrigin(): string | undefined {
    if (!this.read) this.idp().catch(() => {})
    // Every page's header is built with it: what cannot be read is left out rather than thrown.
    const logoutUrl = this.read?.logoutUrl
    return logoutUrl && URL.canParse(logoutUrl) ? new URL(logoutUrl).origin : undefined
  }

  /**
   * The identity provider's metadata, read once (a file) or once an hour (a URL). A first read that fails is tried
   * again at the next sign-in; a later one, after a few minutes, the metadata read before serving meanwhile.
   */
  idp(): Promise<IdpMetadata> {
    const kept = this.metadata
    const now = Date.now()
    if (kept && ('file' in this.config.metadata || now - kept.readAt < metadataLifetimeMs)) return kept.value
    const value = readMetadata(this.config.metadata)
      .then((xml) => parseIdpMetadata(xml, this.config.httpsOnly))
      .then((metadata) => {
        this.read = metadata
        return metadata
      })
    const read = { value, readAt: now }
    this.metadata = read
    value.catch((error) => {
      if (this.metadata !== read) return
      this.metadata = kept && { value: kept.value, readAt: now - metadataLifetimeMs + retryMs }
      // A first read that fails is the sign-in's to report.
      if (kept) console.error('SAML metadata could not be read again; the copy read before serves meanwhile:', error)
    })
    return kept ? value.catch(() => kept.value) : value
  }

  private async saml(requestId = newRequestId()): Promise<{ saml: SAML; idp: IdpMetadata }> {
    const idp = await this.idp()
    const saml = new SAML({
      issuer: this.entityId,
      callbackUrl: this.acsUrl,
      entryPoint: idp.signOnUrl,
      logoutUrl: idp.logoutUrl,
      idpIssuer: idp.entityId,
      idpCert: idp.certificates,
      audience: this.entityId,
      identifierFormat: persistentNameId,
      // What the provider asserts is what is trusted; a signature on the Response alone does not cover it.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      // No unsolicited (IdP-initiated) answers: each must answer a request this app sent.
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: requestLifetimeMs,
      cacheProvider: samlRequests(this.db, requestLifetimeMs),
      acceptedClockSkewMs: clockSkewMs,
      // How a person proves who they are (password, smart card, second factor) is the provider's to decide.
      disableRequestedAuthnContext: true,
      generateUniqueId: () => requestId,
    })
    return { saml, idp }
  }

  /** Where to send the browser to sign in, and the request's id, which the answer must name (InResponseTo). */
  async signInRedirect(relayState: string): Promise<{ url: string; requestId: string }> {
    const requestId = newRequestId()
    const { saml } = await this.saml(requestId)
    return { url: await saml.getAuthorizeUrlAsync(relayState, undefined, {}), requestId }
  }

  /**
   * Checks the identity provider's answer (the SAMLResponse posted to the ACS): the assertion signed by the
   * provider's key, for this app (audience), within its validity, answering `requestId` (a request this app sent
   * and that browser started), and not taken before. Throws SamlRefusal otherwise.
   */
  async readResponse(samlResponse: unknown, requestId: string | undefined): Promise<SamlIdentity> {
    if (typeof samlResponse !== 'string' || samlResponse === '') throw new SamlRefusal('no SAMLResponse was posted')
    const { saml, idp } = await this.saml()
    let profile: Profile | null
    try {
      ;({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }))
    } catch (error) {
      throw new SamlRefusal(
        `the SAML response was refused: ${(error as Error).message}`,
        error instanceof SamlStatusError ? 'declined' : 'invalid',
      )
    }
    if (!profile) throw new SamlRefusal('the identity provider signed no one in')
    if (profile.issuer !== idp.entityId) throw new SamlRefusal(`the assertion was issued by ${String(profile.issuer)}`)
    const assertion = (profile.getAssertion?.() as { Assertion?: AssertionXml } | undefined)?.Assertion
    this.checkBearer(assertion, requestId)
    await this.takeOnce(assertion)
    return this.identityOf(profile, idp)
  }

  /**
   * Refuses an assertion unless a bearer confirmation in it, under the provider's signature, answers this browser's
   * request, is meant for the ACS and is still in time. node-saml checks the Response's InResponseTo, outside the
   * signature, and takes a confirmation without InResponseTo or Recipient: an assertion for another request (another
   * browser's, for their own account: login CSRF) or another app could then be wrapped in a Response made to fit.
   */
  private checkBearer(assertion: AssertionXml | undefined, requestId: string | undefined): void {
    const bearer = (assertion?.Subject ?? [])
      .flatMap((s) => s.SubjectConfirmation ?? [])
      .filter((c) => c.$?.Method === bearerMethod)
      .flatMap((c) => c.SubjectConfirmationData ?? [])
    const answering = bearer.filter((d) => requestId !== undefined && d.$?.InResponseTo === requestId)
    if (answering.length === 0)
      throw new SamlRefusal(
        `the assertion answers a request of another browser (${bearer.map((d) => d.$?.InResponseTo).join(', ')})`,
      )
    const here = answering.filter((d) => d.$?.Recipient === this.acsUrl)
    if (here.length === 0)
      throw new SamlRefusal(
        `the assertion is for another recipient: ${answering.map((d) => d.$?.Recipient).join(', ')}`,
      )
    if (!here.some((d) => Date.parse(d.$?.NotOnOrAfter ?? '') + clockSkewMs > Date.now()))
      throw new SamlRefusal('the subject confirmation has expired, or states no NotOnOrAfter')
  }

  /** Refuses an assertion taken before, even one whose request is somehow still known. */
  private async takeOnce(assertion: AssertionXml | undefined): Promise<void> {
    const id = assertion?.$?.ID
    if (!id) throw new SamlRefusal('the assertion has no ID')
    const now = Date.now()
    // Until it expires, and at least as long as the request it answers could still be known.
    const expiries = [now + requestLifetimeMs, ...notOnOrAfter(assertion)]
    const expiresAt = new Date(Math.max(...expiries) + clockSkewMs)
    if (!(await takeAssertion(this.db, id, expiresAt, new Date(now))))
      throw new SamlRefusal(`the assertion ${id} was used before`)
  }

  private identityOf(profile: Profile, idp: IdpMetadata): SamlIdentity {
    const names = this.config.attributes
    // Entra ID past 150 groups: a link to fetch them (from Microsoft Graph) in place of the groups attribute.
    const overage = Object.keys(profile.attributes ?? {}).find((name) => name.endsWith('/claims/groups.link'))
    if (overage) throw new SamlRefusal(`the groups did not fit in the assertion (${overage})`, 'groups overage')
    const values = (name: string) => {
      const value = (profile.attributes as Record<string, unknown> | undefined)?.[name]
      return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '')
    }
    let id: string | undefined
    if (names.subject) id = values(names.subject)[0]
    // A transient or e-mail NameID is not the same person for good: a new one each time, or a reused address.
    else if (profile.nameIDFormat === persistentNameId) id = profile.nameID
    if (!id)
      throw new SamlRefusal(
        names.subject
          ? `the assertion has no ${names.subject} attribute (SAML_SUBJECT_ATTRIBUTE)`
          : `the NameID is not persistent (${profile.nameIDFormat}): have the identity provider send a persistent NameID, or name a stable attribute in SAML_SUBJECT_ATTRIBUTE`,
      )
    const email = values(names.email)[0] ?? (typeof profile.email === 'string' ? profile.email : undefined)
    if (!email) throw new SamlRefusal(`the assertion has no e-mail address (${names.email}, SAML_EMAIL_ATTRIBUTE)`)
    return {
      subject: `${idp.entityId} ${id}`,
      email: email.toLowerCase(),
      name: values(names.name)[0] ?? email,
      groups: values(names.groups),
      singleLogout: JSON.stringify({
        nameId: profile.nameID,
        nameIdFormat: profile.nameIDFormat,
        sessionIndex: profile.sessionIndex,
      } satisfies SamlSession),
    }
  }

  /**
   * Where to send the browser to end its session at the provider too (a LogoutRequest for what the sign-in kept);
   * undefined when the provider has no single logout, or cannot be reached: the local session is ended regardless.
   */
  async logoutUrl(singleLogout: string): Promise<string | undefined> {
    const idp = await this.idp().catch(() => undefined)
    if (!idp?.logoutUrl) return undefined
    const session = JSON.parse(singleLogout) as SamlSession
    const { saml } = await this.saml()
    return saml.getLogoutUrlAsync(
      {
        issuer: idp.entityId,
        nameID: session.nameId,
        nameIDFormat: session.nameIdFormat,
        sessionIndex: session.sessionIndex,
      },
      '',
      {},
    )
  }

  /**
   * Reads what the provider sent to the logout address by HTTP-Redirect (`query` parsed, `rawQuery` as sent, which
   * the signature covers): signed by the provider's key, from the provider, an answer to a request of ours. Throws
   * SamlRefusal otherwise.
   */
  async readLogoutMessage(query: RedirectQuery, rawQuery: string): Promise<SamlLogoutMessage> {
    // node-saml takes an unsigned message: a link on any page could then end anyone's session here.
    if (typeof query.Signature !== 'string' || typeof query.SigAlg !== 'string')
      throw new SamlRefusal('the logout message is not signed')
    const { saml } = await this.saml()
    let read: Awaited<ReturnType<SAML['validateRedirectAsync']>>
    try {
      read = await saml.validateRedirectAsync(query, rawQuery)
    } catch (error) {
      throw new SamlRefusal(`the logout message was refused: ${(error as Error).message}`)
    }
    const request = read.profile
    if (!request) return { kind: 'response' }
    // node-saml refuses a LogoutRequest without an ID.
    await this.takeLogoutRequestOnce(request.ID as string, String(query.SAMLRequest))
    const relayState = typeof query.RelayState === 'string' ? query.RelayState : ''
    return {
      kind: 'request',
      ends: (singleLogout) =>
        singleLogout !== undefined && (JSON.parse(singleLogout) as SamlSession).nameId === request.nameID,
      reply: (success) => saml.getLogoutResponseUrlAsync(request, relayState, {}, success),
    }
  }

  /**
   * Refuses a LogoutRequest not fresh, or read before: one that ended a session once, sent again (it is a plain
   * link) would end the next session of the same person. node-saml checks neither.
   */
  private async takeLogoutRequestOnce(id: string, samlRequest: string): Promise<void> {
    const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString()
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement
    const issued = Date.parse(root?.getAttribute('IssueInstant') ?? '')
    const now = Date.now()
    if (!(Math.abs(now - issued) <= logoutRequestLifetimeMs + clockSkewMs))
      throw new SamlRefusal(`the LogoutRequest ${id} was issued at ${root?.getAttribute('IssueInstant')}, not now`)
    const expiresAt = new Date(issued + logoutRequestLifetimeMs + 2 * clockSkewMs)
    if (!(await takeAssertion(this.db, `LogoutRequest ${id}`, expiresAt, new Date(now))))
      throw new SamlRefusal(`the LogoutRequest ${id} was used before`)
  }

  /** This app's metadata, for the identity provider's administrator: entity id, ACS, logout, signed assertions. */
  metadataXml(): string {
    const xml = generateServiceProviderMetadata({
      issuer: this.entityId,
      callbackUrl: this.acsUrl,
      logoutCallbackUrl: this.logoutReturnUrl,
      identifierFormat: persistentNameId,
      wantAssertionsSigned: true,
    })
    // node-saml names the HTTP-POST binding for logout; the logout address takes HTTP-Redirect (a GET) only.
    return xml.replace(/(<SingleLogoutService Binding=")[^"]*"/, `$1${redirectBinding}"`)
  }
}

interface SubjectConfirmationData {
  $?: { InResponseTo?: string; NotOnOrAfter?: string; Recipient?: string }
}

/** The signed assertion as node-saml parsed it (xml2js): the parts read here. */
interface AssertionXml {
  $?: { ID?: string }
  Conditions?: { $?: { NotOnOrAfter?: string } }[]
  Subject?: {
    SubjectConfirmation?: { $?: { Method?: string }; SubjectConfirmationData?: SubjectConfirmationData[] }[]
  }[]
}

const confirmations = (assertion: AssertionXml | undefined): SubjectConfirmationData[] =>
  (assertion?.Subject ?? []).flatMap((s) =>
    (s.SubjectConfirmation ?? []).flatMap((c) => c.SubjectConfirmationData ?? []),
  )

/** Every NotOnOrAfter the assertion states, in milliseconds. */
function notOnOrAfter(assertion: AssertionXml | undefined): number[] {
  const stated = [
    ...(assertion?.Conditions ?? []).map((c) => c.$?.NotOnOrAfter),
    ...confirmations(assertion).map((d) => d.$?.NotOnOrAfter),
  ]
  return stated.map((t) => Date.parse(t ?? '')).filter((t) => Number.isFinite(t))
}
