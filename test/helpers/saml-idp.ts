// A SAML 2.0 identity provider in the test process on 127.0.0.1: its metadata, AuthnRequests taken by HTTP-Redirect,
// answered by a signed Response posted to the ACS by an auto-submitting form (HTTP-POST), and single logout. The
// XML is built with @xmldom/xmldom and signed with xml-crypto, under a key generated for the test; `flaw` makes the
// next answer one a service provider must refuse.
import { createSign, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom'
import { generate } from 'selfsigned'
import { SignedXml } from 'xml-crypto'

const ns = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
}
const bindings = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
}
const persistent = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
const rsaSha256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'

/** What makes an answer one to refuse. */
export type SamlFlaw =
  | 'expired'
  | 'unsigned'
  /** An attribute changed after signing. */
  | 'tampered'
  | 'wrongAudience'
  /** Meant to be posted to another address than the ACS it is posted to. */
  | 'wrongRecipient'
  /** The subject's confirmation names no Recipient. */
  | 'noRecipient'
  /** The assertion names no request (InResponseTo), the Response around it the right one. */
  | 'unboundAssertion'
  /** Signed with a key that is not the one in the metadata. */
  | 'otherKey'
  /** The answer given before, posted again. */
  | 'replay'
  /** No one signed in: the person cancelled, or the provider refused them. */
  | 'denied'
  /** The Response signed, the assertion in it not. */
  | 'responseSignedOnly'
  /** Entra ID's answer for a person in too many groups: a link to fetch them, and no groups. */
  | 'overage'

export interface SamlUser {
  nameId: string
  email: string
  name: string
  groups: string[]
}

/** An AuthnRequest as the provider read it. */
export interface ReceivedRequest {
  id: string
  issuer: string
  acsUrl: string
  relayState: string | undefined
}

/** The form the provider's answer page posts to the service provider. */
export interface PostedAnswer {
  action: string
  SAMLResponse: string
  RelayState: string | undefined
}

interface KeyPair {
  key: string
  cert: string
}

const newId = () => `_${randomBytes(16).toString('hex')}`
const instant = (ms: number) => new Date(ms).toISOString()
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const certificateBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')

async function keyPair(): Promise<KeyPair> {
  const generated = await generate([{ name: 'commonName', value: 'test-idp.internkontroll' }], {
    keySize: 2048,
    algorithm: 'sha256',
  })
  return { key: generated.private, cert: generated.cert }
}

export class TestSamlIdp {
  /** Who signs in at the provider next. */
  user: SamlUser = { nameId: 'anna-1', email: 'anna@kommun.se', name: 'Anna Andersson', groups: [] }
  /** What is wrong with the next answer; undefined: nothing. Cleared once used. */
  flaw: SamlFlaw | undefined
  /** Every AuthnRequest received, the last one last. */
  readonly requests: ReceivedRequest[] = []
  /** Every LogoutRequest received: its NameID and SessionIndex. */
  readonly logoutRequests: { nameId: string; sessionIndex: string | undefined }[] = []
  /** The status of each answer to a LogoutRequest sent from here. */
  readonly logoutAnswers: string[] = []
  /** The service providers' logout addresses by entity id; one not here is read from `<entity id>/metadata`. */
  readonly logoutUrls = new Map<string, string>()
  private readonly answers: PostedAnswer[] = []
  private server: Server | undefined
  private port = 0

  private constructor(
    private signing: KeyPair,
    private readonly other: KeyPair,
    /** Where the metadata says single logout is; false, the provider has none. */
    private readonly singleLogout: boolean,
  ) {}

  static async start(options: { singleLogout?: boolean } = {}): Promise<TestSamlIdp> {
    const [signing, other] = await Promise.all([keyPair(), keyPair()])
    const idp = new TestSamlIdp(signing, other, options.singleLogout ?? true)
    const server = createServer((req, res) => {
      idp.handle(req, res).catch((error: Error) => {
        res.statusCode = 500
        res.end(error.stack)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    idp.server = server
    idp.port = (server.address() as AddressInfo).port
    return idp
  }

  /** Signs from now on with a new key, the only one its metadata then names, as at a certificate's renewal. */
  async rollKey(): Promise<void> {
    this.signing = await keyPair()
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get entityId(): string {
    return `${this.url}/idp`
  }

  get metadataUrl(): string {
    return `${this.url}/metadata`
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    server?.closeAllConnections()
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  metadataXml(): string {
    const doc = newDocument(ns.md, 'md:EntityDescriptor')
    const root = doc.documentElement as Element
    root.setAttribute('entityID', this.entityId)
    const descriptor = append(root, ns.md, 'md:IDPSSODescriptor', {
      protocolSupportEnumeration: ns.samlp,
      WantAuthnRequestsSigned: 'false',
    })
    const keyInfo = append(append(descriptor, ns.md, 'md:KeyDescriptor', { use: 'signing' }), ns.ds, 'ds:KeyInfo')
    append(append(keyInfo, ns.ds, 'ds:X509Data'), ns.ds, 'ds:X509Certificate', {}, certificateBody(this.signing.cert))
    if (this.singleLogout)
      append(descriptor, ns.md, 'md:SingleLogoutService', { Binding: bindings.redirect, Location: `${this.url}/slo` })
    append(descriptor, ns.md, 'md:NameIDFormat', {}, persistent)
    append(descriptor, ns.md, 'md:SingleSignOnService', { Binding: bindings.redirect, Location: `${this.url}/sso` })
    return new XMLSerializer().serializeToString(doc)
  }

  /**
   * The answer to an AuthnRequest sent by HTTP-Redirect (the URL the service provider redirects to), as the
   * provider's page would post it: for tests without a browser.
   */
  async answer(signInUrl: string): Promise<PostedAnswer> {
    const response = await fetch(signInUrl, { redirect: 'manual' })
    const page = await response.text()
    if (response.status !== 200) throw new Error(`The identity provider answered ${response.status}: ${page}`)
    const field = (name: string) => page.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]
    const action = page.match(/action="([^"]*)"/)?.[1]
    const samlResponse = field('SAMLResponse')
    if (!action || !samlResponse) throw new Error(`No answer form in ${page}`)
    const relayState = field('RelayState')
    return {
      action,
      SAMLResponse: samlResponse,
      RelayState: relayState === undefined ? undefined : relayState.replace(/&amp;/g, '&'),
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    if (url.pathname === '/metadata') {
      res.setHeader('Content-Type', 'application/samlmetadata+xml')
      res.end(this.metadataXml())
    } else if (url.pathname === '/sso') {
      this.signIn(url, res)
    } else if (url.pathname === '/slo') {
      await this.logOut(url, res)
    } else {
      res.statusCode = 404
      res.end()
    }
  }

  private signIn(url: URL, res: ServerResponse): void {
    const request = parseRedirected(url, 'SAMLRequest')
    const root = request.documentElement as Element
    const received = {
      id: root.getAttribute('ID') ?? '',
      issuer: request.getElementsByTagNameNS(ns.saml, 'Issuer')[0]?.textContent ?? '',
      acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
      relayState: url.searchParams.get('RelayState') ?? undefined,
    }
    this.requests.push(received)
    const flaw = this.flaw
    this.flaw = undefined
    const answer =
      flaw === 'replay'
        ? { ...(this.answers.at(-1) as PostedAnswer), RelayState: received.relayState }
        : { action: received.acsUrl, SAMLResponse: this.response(received, flaw), RelayState: received.relayState }
    this.answers.push(answer)
    const relay = answer.RelayState === undefined ? '' : hidden('RelayState', answer.RelayState)
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end(
      `<!DOCTYPE html><html lang="en"><head><title>Test IdP</title></head><body onload="document.forms[0].submit()">` +
        `<form method="post" action="${escapeHtml(answer.action)}">${hidden('SAMLResponse', answer.SAMLResponse)}${relay}` +
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>',
    )
  }

  /** A Response to the request, base64 as posted; signed (the assertion) by the provider's key unless `flaw`. */
  response(request: ReceivedRequest, flaw?: Exclude<SamlFlaw, 'replay'>): string {
    const now = Date.now()
    // Expired: issued twenty minutes ago, for ten minutes.
    const issued = flaw === 'expired' ? now - 20 * 60_000 : now
    const until = instant(issued + 10 * 60_000)
    const doc = newDocument(ns.samlp, 'samlp:Response')
    const response = doc.documentElement as Element
    response.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:saml', ns.saml)
    setAttributes(response, {
      ID: newId(),
      Version: '2.0',
      IssueInstant: instant(issued),
      Destination: request.acsUrl,
      InResponseTo: request.id,
    })
    append(response, ns.saml, 'saml:Issuer', {}, this.entityId)
    const status = append(response, ns.samlp, 'samlp:Status')
    if (flaw === 'denied') {
      const code = append(status, ns.samlp, 'samlp:StatusCode', {
        Value: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
      })
      append(code, ns.samlp, 'samlp:StatusCode', { Value: 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed' })
      return Buffer.from(new XMLSerializer().serializeToString(doc)).toString('base64')
    }
    append(status, ns.samlp, 'samlp:StatusCode', { Value: 'urn:oasis:names:tc:SAML:2.0:status:Success' })

    const assertion = append(response, ns.saml, 'saml:Assertion', {
      ID: newId(),
      Version: '2.0',
      IssueInstant: instant(issued),
    })
    append(assertion, ns.saml, 'saml:Issuer', {}, this.entityId)
    const subject = append(assertion, ns.saml, 'saml:Subject')
    append(subject, ns.saml, 'saml:NameID', { Format: persistent }, this.user.nameId)
    const confirmation = append(subject, ns.saml, 'saml:SubjectConfirmation', {
      Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer',
    })
    const confirmationData = append(confirmation, ns.saml, 'saml:SubjectConfirmationData', {
      InResponseTo: request.id,
      NotOnOrAfter: until,
      Recipient: flaw === 'wrongRecipient' ? 'https://another-app.example/acs' : request.acsUrl,
    })
    if (flaw === 'unboundAssertion') confirmationData.removeAttribute('InResponseTo')
    if (flaw === 'noRecipient') confirmationData.removeAttribute('Recipient')
    const conditions = append(assertion, ns.saml, 'saml:Conditions', {
      NotBefore: instant(issued - 60_000),
      NotOnOrAfter: until,
    })
    const audience = flaw === 'wrongAudience' ? 'https://another-app.example/saml' : request.issuer
    append(append(conditions, ns.saml, 'saml:AudienceRestriction'), ns.saml, 'saml:Audience', {}, audience)
    const authn = append(assertion, ns.saml, 'saml:AuthnStatement', {
      AuthnInstant: instant(issued),
      SessionIndex: newId(),
    })
    append(
      append(authn, ns.saml, 'saml:AuthnContext'),
      ns.saml,
      'saml:AuthnContextClassRef',
      {},
      'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
    )
    const attributes = append(assertion, ns.saml, 'saml:AttributeStatement')
    const attribute = (name: string, values: string[]) => {
      const element = append(attributes, ns.saml, 'saml:Attribute', { Name: name })
      for (const value of values) append(element, ns.saml, 'saml:AttributeValue', {}, value)
    }
    attribute('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', [this.user.email])
    attribute('http://schemas.microsoft.com/identity/claims/displayname', [this.user.name])
    if (flaw === 'overage')
      attribute('http://schemas.microsoft.com/claims/groups.link', [
        'https://graph.windows.net/kommun.se/users/anna-1/getMemberObjects',
      ])
    else attribute('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', this.user.groups)

    let xml = new XMLSerializer().serializeToString(doc)
    if (flaw === 'responseSignedOnly') xml = sign(xml, this.signing, 'Response')
    else if (flaw !== 'unsigned') xml = sign(xml, flaw === 'otherKey' ? this.other : this.signing, 'Assertion')
    // After signing: the e-mail address of someone else, with the signature of the original.
    if (flaw === 'tampered') xml = xml.replace(`>${this.user.email}<`, '>chefen@kommun.se<')
    return Buffer.from(xml).toString('base64')
  }

  /**
   * Single logout started by the service provider: the LogoutRequest noted (an answer to one of the provider's own,
   * too), and a LogoutResponse, signed as the
   * HTTP-Redirect binding signs, sent back to where the service provider's metadata says.
   */
  private async logOut(url: URL, res: ServerResponse): Promise<void> {
    if (url.searchParams.has('SAMLResponse')) {
      // The service provider's answer to a logout started here.
      const answer = parseRedirected(url, 'SAMLResponse')
      this.logoutAnswers.push(answer.getElementsByTagNameNS(ns.samlp, 'StatusCode')[0]?.getAttribute('Value') ?? '')
      res.setHeader('Content-Type', 'text/html; charset=utf-8')
      res.end('<!DOCTYPE html><html lang="en"><head><title>Test IdP</title></head><body>Logged out</body></html>')
      return
    }
    const request = parseRedirected(url, 'SAMLRequest')
    const root = request.documentElement as Element
    const issuer = request.getElementsByTagNameNS(ns.saml, 'Issuer')[0]?.textContent ?? ''
    this.logoutRequests.push({
      nameId: request.getElementsByTagNameNS(ns.saml, 'NameID')[0]?.textContent ?? '',
      sessionIndex: request.getElementsByTagNameNS(ns.samlp, 'SessionIndex')[0]?.textContent ?? undefined,
    })
    const destination = await this.logoutUrlOf(issuer)
    const doc = newDocument(ns.samlp, 'samlp:LogoutResponse')
    const response = doc.documentElement as Element
    setAttributes(response, {
      ID: newId(),
      Version: '2.0',
      IssueInstant: instant(Date.now()),
      Destination: destination,
      InResponseTo: root.getAttribute('ID') ?? '',
    })
    append(response, ns.saml, 'saml:Issuer', {}, this.entityId)
    append(append(response, ns.samlp, 'samlp:Status'), ns.samlp, 'samlp:StatusCode', {
      Value: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    })
    const message = new XMLSerializer().serializeToString(doc)
    const relayState = url.searchParams.get('RelayState')
    res.statusCode = 302
    res.setHeader('Location', `${destination}?${this.signedQuery('SAMLResponse', message, relayState)}`)
    res.end()
  }

  /**
   * Single logout started here, as when the person logs out of another service: a signed LogoutRequest for the
   * NameID, at the service provider's logout address.
   */
  async logoutRequestUrl(serviceProvider: string, nameId: string, issuedAt = Date.now()): Promise<string> {
    const destination = await this.logoutUrlOf(serviceProvider)
    const doc = newDocument(ns.samlp, 'samlp:LogoutRequest')
    const request = doc.documentElement as Element
    setAttributes(request, { ID: newId(), Version: '2.0', IssueInstant: instant(issuedAt), Destination: destination })
    append(request, ns.saml, 'saml:Issuer', {}, this.entityId)
    append(request, ns.saml, 'saml:NameID', { Format: persistent }, nameId)
    return `${destination}?${this.signedQuery('SAMLRequest', new XMLSerializer().serializeToString(doc), null)}`
  }

  private async logoutUrlOf(serviceProvider: string): Promise<string> {
    const known = this.logoutUrls.get(serviceProvider)
    if (known) return known
    // Entity id `<PUBLIC_URL>/saml`, its metadata at `<PUBLIC_URL>/saml/metadata`.
    const metadata = new DOMParser().parseFromString(
      await (await fetch(`${serviceProvider}/metadata`)).text(),
      'text/xml',
    )
    // This provider sends logout messages by HTTP-Redirect only: a service provider that takes them otherwise gets none.
    const location = Array.from(metadata.getElementsByTagNameNS(ns.md, 'SingleLogoutService'))
      .find((s) => s.getAttribute('Binding') === bindings.redirect)
      ?.getAttribute('Location')
    if (!location)
      throw new Error(`No SingleLogoutService with the HTTP-Redirect binding in ${serviceProvider}/metadata`)
    return location
  }

  /** A message in the HTTP-Redirect binding: deflated, base64, and the query signed with the provider's key. */
  signedQuery(parameter: 'SAMLRequest' | 'SAMLResponse', message: string, relayState: string | null): string {
    const query = new URLSearchParams({ [parameter]: deflateRawSync(message).toString('base64') })
    if (relayState !== null) query.set('RelayState', relayState)
    query.set('SigAlg', rsaSha256)
    const signer = createSign('RSA-SHA256')
    signer.update(query.toString())
    query.set('Signature', signer.sign(this.signing.key, 'base64'))
    return query.toString()
  }
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`

function newDocument(namespace: string, qualifiedName: string): Document {
  return new DOMParser().parseFromString(
    `<${qualifiedName} xmlns:${qualifiedName.split(':')[0]}="${namespace}"/>`,
    'text/xml',
  )
}

function setAttributes(element: Element, attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
}

function append(
  parent: Element,
  namespace: string,
  qualifiedName: string,
  attributes: Record<string, string> = {},
  text?: string,
): Element {
  const element = (parent.ownerDocument as Document).createElementNS(namespace, qualifiedName)
  setAttributes(element, attributes)
  if (text !== undefined) element.appendChild((parent.ownerDocument as Document).createTextNode(text))
  parent.appendChild(element)
  return element
}

/**
 * Signs the assertion, or the Response (enveloped, exclusive c14n, RSA-SHA256), the signature right after its Issuer
 * as the schema has it.
 */
function sign(xml: string, keys: KeyPair, element: 'Assertion' | 'Response'): string {
  const signed = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: rsaSha256,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  })
  const path = element === 'Assertion' ? "//*[local-name(.)='Assertion']" : "/*[local-name(.)='Response']"
  signed.addReference({
    xpath: path,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  })
  signed.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${path}/*[local-name(.)='Issuer']`, action: 'after' },
  })
  return signed.getSignedXml()
}

/** A message sent by HTTP-Redirect: base64 of the deflated XML in the query. */
function parseRedirected(url: URL, parameter: string): Document {
  const encoded = url.searchParams.get(parameter)
  if (!encoded) throw new Error(`No ${parameter} in ${url}`)
  return new DOMParser().parseFromString(inflateRawSync(Buffer.from(encoded, 'base64')).toString(), 'text/xml')
}
