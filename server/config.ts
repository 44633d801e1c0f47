import { randomBytes } from 'node:crypto'
import { z } from 'zod'

/**
 * The audit key of development and test databases. It is published here, so such a log proves nothing to anyone
 * who reads the code; production requires AUDIT_KEY.
 */
export const developmentAuditKey = 'internkontroll-development-audit-key-not-secret'

const booleanFlag = z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v))

const environment = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  DATABASE_FILE: z.string().min(1).default('data/internkontroll.sqlite'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  DEMO_DATA: booleanFlag.optional(),
  VIEW_CACHE: booleanFlag.default(true),
  PUPPETEER_EXECUTABLE_PATH: z.string().min(1).default('/usr/bin/chromium'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(60),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).default(10),
  // Express reads a string as addresses: "1" would trust the address 0.0.0.1, and every client behind the proxy would
  // then be the proxy, one address for the login throttle. A number is how many proxies stand in front.
  TRUST_PROXY: z
    .string()
    .min(1)
    .refine((v) => !/^(true|false)$/i.test(v), {
      message: 'give the number of proxies in front of the app (e.g. 1) or their addresses (e.g. loopback, 10.0.0.0/8)',
    })
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v))
    .optional(),
  SECRET: z.string().min(32, 'SECRET must be at least 32 characters').optional(),
  AUDIT_KEY: z.string().min(32, 'AUDIT_KEY must be at least 32 characters').optional(),
  AUDIT_ANCHOR_FILE: z.string().min(1).optional(),
  OPERATOR_NAME: z.string().trim().min(1).optional(),
  CONTACT_EMAIL: z.email().optional(),
  CONTACT_PHONE: z.string().trim().min(1).optional(),
  PUBLIC_URL: z.url().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().trim().min(3).optional(),
  REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(6),
  REMINDERS: booleanFlag.default(true),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().trim().min(1).optional(),
  OIDC_GROUPS_CLAIM: z.string().trim().min(1).default('groups'),
  OIDC_SUBJECT_CLAIM: z.string().trim().min(1).default('sub'),
  OIDC_TRUST_EMAIL: booleanFlag.default(false),
  LOCAL_LOGIN: booleanFlag.default(true),
  BREAK_GLASS_EMAILS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter((e) => e !== ''),
    )
    .pipe(z.array(z.email('BREAK_GLASS_EMAILS must be e-mail addresses separated by commas')))
    .default([]),
  SAML_METADATA_URL: z.url().optional(),
  SAML_METADATA_FILE: z.string().min(1).optional(),
  SAML_NAME: z.string().trim().min(1).optional(),
  // Defaults: the claim names of Microsoft Entra ID and AD FS, the providers Swedish municipalities mostly run.
  SAML_EMAIL_ATTRIBUTE: z.string().min(1).default('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
  SAML_NAME_ATTRIBUTE: z.string().min(1).default('http://schemas.microsoft.com/identity/claims/displayname'),
  SAML_GROUPS_ATTRIBUTE: z.string().min(1).default('http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'),
  SAML_SUBJECT_ATTRIBUTE: z.string().min(1).optional(),
  SAML_TRUST_EMAIL: booleanFlag.default(false),
})

export interface Config {
  readonly production: boolean
  readonly port: number
  /** The address to listen on; undefined is every interface. */
  readonly host: string | undefined
  readonly databaseFile: string
  /** DATABASE_URL: a PostgreSQL database used instead of the SQLite file; undefined, the file. */
  readonly databaseUrl: string | undefined
  /** Where the data is: the PostgreSQL URL when there is one, else the SQLite file; what `openDatabase` takes. */
  readonly database: string
  /** Load Grundskolenämnden's 2020 plan into an empty database at start. */
  readonly demoData: boolean
  /** Compiled templates are kept; `npm run dev` turns this off to see template edits at once. */
  readonly viewCache: boolean
  /** A session ends after this long without a request, and in any case this long after login. */
  readonly sessionIdleMs: number
  readonly sessionMaxMs: number
  /** The Chromium that prints PDFs. */
  readonly chromiumPath: string
  /** Express's `trust proxy`, so that behind a TLS proxy each client's own address is limited at login. */
  readonly trustProxy: number | string | undefined
  /** Signs CSRF tokens. */
  readonly secret: string
  /** Signs the audit log's rows and its anchored heads; kept out of the database, so its file alone cannot forge them. */
  readonly auditKey: string
  /** Where the audit log's head is appended after each change; null for a database in memory. */
  readonly auditAnchorFile: string | null
  /** Who runs this installation and answers its users: named in the accessibility statement, help and login pages. */
  readonly operator: {
    /** The municipality, e.g. "Malmö stad". */
    readonly name: string
    /** Where users report problems, accessibility problems too. */
    readonly email: string
    readonly phone: string | undefined
  }
  /** Where users reach the app: the links in e-mails are absolute. */
  readonly publicUrl: string
  /**
   * The relay reminders go through (e.g. smtp://relay.kommun.se:25, smtps://… for TLS from the start; nodemailer's
   * URL options such as ?requireTLS=true&tls.rejectUnauthorized=false apply); undefined: nothing is sent.
   */
  readonly smtpUrl: string | undefined
  readonly mailFrom: string
  /** The hour, in Europe/Stockholm, at which the daily reminder pass runs. */
  readonly reminderHour: number
  /** Whether the server runs the reminder pass and sends mail itself; off, only `npm run reminders` does. */
  readonly remindersScheduled: boolean
  /** Sign-in with the municipality's OpenID provider (server/auth/sso/oidc.ts); undefined: not offered. */
  readonly oidc: OidcSettings | undefined
  /**
   * Whether everyone may log in with a password; off (LOCAL_LOGIN=off, only beside an identity provider), only the
   * break-glass administrators may, for when the provider is down or misconfigured.
   */
  readonly localLogin: boolean
  /** Lower case. */
  readonly breakGlassEmails: readonly string[]
  /** Sign-in with a SAML 2.0 identity provider; undefined when none is configured. */
  readonly saml: SamlConfig | undefined
}

export interface OidcSettings {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Shown on the login page's button: "Logga in med <name>". */
  readonly name: string
  /** The ID token's claim that lists the user's groups. */
  readonly groupsClaim: string
  /** The ID token's claim that names the person for good: `sub`, or Entra ID's `oid`, the same in every app. */
  readonly subjectClaim: string
  /**
   * Whether every e-mail address the provider sends is the organisation's to vouch for (Entra ID, which sends no
   * `email_verified`); otherwise only one with `email_verified: true` may link an account made here by hand.
   */
  readonly trustEmail: boolean
  /** `<PUBLIC_URL>/logga-in/oidc/callback`, registered at the provider. */
  readonly redirectUri: string
}

export interface SamlConfig {
  /** Where the identity provider's metadata is: its entity id, sign-in and logout addresses, signing certificates. */
  readonly metadata: { readonly url: string } | { readonly file: string }
  /** Shown on the login page as "Logga in med <name>". */
  readonly name: string
  /** The attributes read from the assertion; `subject` undefined: the persistent NameID is the stable id. */
  readonly attributes: {
    readonly email: string
    readonly name: string
    readonly groups: string
    readonly subject: string | undefined
  }
  /**
   * Whether the e-mail attribute is the organisation's to vouch for (users cannot set it themselves): only then may it
   * link an account made here by hand (sign-in.ts). An assertion carries no `email_verified` of its own.
   */
  readonly trustEmail: boolean
  /** Whether the provider's addresses in its metadata must be https (in production), as its metadata URL must. */
  readonly httpsOnly: boolean
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // For the operator, in English: the forms' Swedish messages (server/forms.ts) are for the people using the app.
  const parsed = environment.safeParse(env, { error: z.locales.en().localeError })
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Invalid configuration: ${problems}`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'
  // A production server must keep its secret across restarts and instances; elsewhere a fresh one is fine.
  if (production && !e.SECRET) throw new Error('Invalid configuration: SECRET is required when NODE_ENV=production')
  // Demo accounts have published passwords: never in production.
  // The key is what an attacker holding the database file lacks; a published one proves nothing.
  if (production && !e.AUDIT_KEY)
    throw new Error('Invalid configuration: AUDIT_KEY is required when NODE_ENV=production')
  if (production && e.SMTP_URL && !e.PUBLIC_URL)
    throw new Error('Invalid configuration: PUBLIC_URL is required when SMTP_URL is set, for the links in e-mails')
  const oidcSet = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length
  if (oidcSet !== 0 && oidcSet !== 3)
    throw new Error(
      'Invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set together or not at all',
    )
  // The provider sends the browser back to this address, which it compares with the one registered there.
  if (e.OIDC_ISSUER && !e.PUBLIC_URL)
    throw new Error('Invalid configuration: PUBLIC_URL is required when OIDC_ISSUER is set, for the redirect URI')
  // Tokens and the client secret would cross the network in the clear.
  if (production && e.OIDC_ISSUER && !e.OIDC_ISSUER.startsWith('https://'))
    throw new Error('Invalid configuration: OIDC_ISSUER must be an https:// URL when NODE_ENV=production')
  if (!e.LOCAL_LOGIN && !e.OIDC_ISSUER && !e.SAML_METADATA_URL && !e.SAML_METADATA_FILE)
    throw new Error(
      'Invalid configuration: LOCAL_LOGIN=off needs an identity provider (OIDC_ISSUER, SAML_METADATA_URL or SAML_METADATA_FILE), or no one could log in',
    )
  if (production && e.DEMO_DATA)
    throw new Error('Invalid configuration: DEMO_DATA cannot be used when NODE_ENV=production')
  const saml = samlConfig(e, production)
  return Object.freeze({
    production,
    port: e.PORT,
    // Outside production the server has the demo accounts and shows stack traces: this computer only, unless told.
    host: e.HOST ?? (production ? undefined : '127.0.0.1'),
    databaseFile: e.DATABASE_FILE,
    databaseUrl: e.DATABASE_URL,
    database: e.DATABASE_URL ?? e.DATABASE_FILE,
    demoData: e.DEMO_DATA ?? !production,
    viewCache: e.VIEW_CACHE,
    chromiumPath: e.PUPPETEER_EXECUTABLE_PATH,
    trustProxy: e.TRUST_PROXY,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    secret: e.SECRET ?? randomBytes(32).toString('hex'),
    auditKey: e.AUDIT_KEY ?? developmentAuditKey,
    // A PostgreSQL database has no file beside which the anchor could live; AUDIT_ANCHOR_FILE names one if wanted.
    auditAnchorFile:
      e.AUDIT_ANCHOR_FILE ??
      (e.DATABASE_URL || e.DATABASE_FILE === ':memory:'
        ? null
        : `${e.DATABASE_FILE.replace(/\.sqlite$/, '')}.audit-anchor`),
    operator: Object.freeze({
      name: e.OPERATOR_NAME ?? 'Demokommunen',
      email: e.CONTACT_EMAIL ?? 'kontakt@demo.internkontroll.se',
      phone: e.CONTACT_PHONE,
    }),
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? `Internkontroll <noreply@${new URL(e.PUBLIC_URL ?? 'http://localhost').hostname}>`,
    reminderHour: e.REMINDER_HOUR,
    remindersScheduled: e.REMINDERS,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? Object.freeze({
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            name: e.OIDC_NAME ?? 'organisationens konto',
            groupsClaim: e.OIDC_GROUPS_CLAIM,
            subjectClaim: e.OIDC_SUBJECT_CLAIM,
            trustEmail: e.OIDC_TRUST_EMAIL,
            redirectUri: `${(e.PUBLIC_URL as string).replace(/\/+$/, '')}/logga-in/oidc/callback`,
          })
        : undefined,
    localLogin: e.LOCAL_LOGIN,
    breakGlassEmails: Object.freeze(e.BREAK_GLASS_EMAILS),
    saml,
  })
}

function samlConfig(e: z.infer<typeof environment>, production: boolean): SamlConfig | undefined {
  if (e.SAML_METADATA_URL && e.SAML_METADATA_FILE)
    throw new Error('Invalid configuration: give SAML_METADATA_URL or SAML_METADATA_FILE, not both')
  const metadata = e.SAML_METADATA_URL
    ? { url: e.SAML_METADATA_URL }
    : e.SAML_METADATA_FILE && { file: e.SAML_METADATA_FILE }
  if (!metadata) {
    if (e.SAML_NAME || e.SAML_SUBJECT_ATTRIBUTE)
      throw new Error(
        'Invalid configuration: SAML_NAME and SAML_SUBJECT_ATTRIBUTE need SAML_METADATA_URL or SAML_METADATA_FILE',
      )
    return undefined
  }
  // The identity provider knows the app by addresses under it, and posts its answers to one of them.
  if (!e.PUBLIC_URL)
    throw new Error(
      'Invalid configuration: PUBLIC_URL is required when SAML_METADATA_URL or SAML_METADATA_FILE is set, for the entity id and the ACS URL',
    )
  // Whoever can change the metadata on its way names the certificate that assertions are checked with.
  if (production && e.SAML_METADATA_URL && new URL(e.SAML_METADATA_URL).protocol !== 'https:')
    throw new Error('Invalid configuration: SAML_METADATA_URL must be an https:// address when NODE_ENV=production')
  return Object.freeze({
    metadata: Object.freeze(metadata),
    name: e.SAML_NAME ?? 'organisationens konto',
    attributes: Object.freeze({
      email: e.SAML_EMAIL_ATTRIBUTE,
      name: e.SAML_NAME_ATTRIBUTE,
      groups: e.SAML_GROUPS_ATTRIBUTE,
      subject: e.SAML_SUBJECT_ATTRIBUTE,
    }),
    trustEmail: e.SAML_TRUST_EMAIL,
    httpsOnly: production,
  })
}
