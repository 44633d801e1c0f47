// The ground both identity providers (OpenID Connect, SAML) stand on: from a verified identity to a session.
import type { Request, Response } from 'express'
import { z } from 'zod'
import type { Db } from '../../../db/connection.js'
import type { Services } from '../../app.js'
import { audited } from '../../audit/audited.js'
import type { Config } from '../../config.js'
import { localPath } from '../../return-path.js'
import { decoyHash } from '../passwords.js'
import { findUserByEmail, insertUser } from '../repository.js'
import { startSession } from '../start-session.js'
import { applyGroupRoles, findLinkedUser, hasLink, linkIdentity, updateNameAndEmail } from './repository.js'

export interface ExternalIdentity {
  provider: 'oidc' | 'saml'
  /** Stable id at the provider: OIDC `sub` (with issuer), SAML persistent NameID (with IdP entity id). */
  subject: string
  email: string
  /**
   * Whether the provider vouches that `email` belongs to this person: only then may the first sign-in take over an
   * account made here by hand with that address. OIDC: `email_verified`, or OIDC_TRUST_EMAIL=on; SAML: SAML_TRUST_EMAIL=on.
   */
  emailVerified: boolean
  name: string
  /** Group ids/names as the provider sends them. */
  groups: readonly string[]
  /**
   * What the provider's single logout will need, kept with the session and handed back at logout (OIDC: the ID
   * token, for id_token_hint; SAML: NameID and SessionIndex). None: logout ends the local session only.
   */
  singleLogout?: string
}

/** A refusal the user can act on; its message is shown as it is. */
class Refusal extends Error {}

const validEmail = z.email()

/**
 * Finds the user by (provider, subject) — never by e-mail alone once linked; creates one (JIT) if none; updates name
 * and e-mail; applies the administrator's group mapping (roles granted by groups are replaced at each sign-in, so a
 * role whose group is gone is lost; roles an administrator granted by hand stay); refuses a disabled user with a clear
 * Swedish 403 page, nothing created; otherwise starts the session exactly as the password login does (new token,
 * audit 'login' row, CSRF renewed) and redirects (303) to the local path `till` or '/'.
 */
export async function signInIdentity(
  services: Services,
  req: Request,
  res: Response,
  identity: ExternalIdentity,
  till: string,
): Promise<void> {
  const email = identity.email.trim().toLowerCase()
  const name = identity.name.trim() || email
  if (!validEmail.safeParse(email).success) {
    return refuseSignIn(
      res,
      403,
      'Ditt konto hos organisationen har ingen e-postadress som Internkontroll kan använda. Be den som administrerar ' +
        'organisationens konton att lägga in den.',
    )
  }
  // A password no one knows (the decoy's, a random one never kept): the account signs in through its provider, and
  // a password login to it fails in the same time as any other wrong guess.
  const unusablePassword = await decoyHash
  const { db, clock, config } = services
  try {
    // Two first sign-ins of one person at once (two tabs, a double click) make one account: every transaction holds
    // the writer lock from its start (db/connection.ts), so the second finds what the first made.
    const user = await db.transaction().execute(async (trx) => {
      const at = clock().toISOString()
      const linked = await findLinkedUser(trx, identity.provider, identity.subject)
      const byEmail = linked ? undefined : await findUserByEmail(trx, email)
      if (byEmail) await refuseTakeover(trx, byEmail, identity, config.breakGlassEmails)
      const existing = linked ?? byEmail
      if (existing?.disabled) {
        throw new Refusal(
          'Ditt konto i Internkontroll är spärrat. Be en administratör i din organisation att aktivera det.',
        )
      }
      if (existing && existing.email !== email && (await findUserByEmail(trx, email))) {
        throw new Refusal(
          `Din e-postadress hos organisationen, ${email}, hör till en annan användare i Internkontroll. Be en ` +
            'administratör att reda ut vilket konto som är ditt.',
        )
      }
      // The link is written inside the audited change: it is part of the account as the log keeps it
      // (audited.ts), so a link planted behind the app's back shows in audit:verify.
      if (!existing) {
        // Made by the sign-in itself: no one signed in is acting yet.
        const actor = { userId: null, userName: name, at }
        const id = await audited(trx, actor, 'create', { entity: 'app_user', planId: null }, async () => {
          const id = await insertUser(trx, {
            email,
            name,
            passwordHash: unusablePassword,
            isAdmin: false,
            createdAt: at,
          })
          await linkIdentity(trx, identity.provider, identity.subject, id, at)
          await applyGroupRoles(trx, id, identity.groups)
          return id
        })
        return { id, name, email }
      }
      const actor = { userId: existing.id, userName: name, at }
      await audited(trx, actor, 'update', { entity: 'app_user', id: existing.id, planId: null }, async () => {
        if (!linked) await linkIdentity(trx, identity.provider, identity.subject, existing.id, at)
        await updateNameAndEmail(trx, existing.id, name, email)
        await applyGroupRoles(trx, existing.id, identity.groups)
      })
      return { id: existing.id, name, email }
    })
    const singleLogout = identity.singleLogout
      ? JSON.stringify({ provider: identity.provider, hint: identity.singleLogout })
      : null
    await startSession(services, req, res, user, { till, provider: identity.provider, singleLogout })
  } catch (error) {
    if (error instanceof Refusal) return refuseSignIn(res, 403, error.message)
    throw error
  }
}

/**
 * Refuses to link an account found by e-mail alone, when that could hand it to someone else: it is linked to another
 * subject of this provider already, the provider does not vouch for the address (anyone may type any address into
 * their profile at many providers), or it is an administrator's, whose takeover would be the whole app's.
 */
async function refuseTakeover(
  db: Db,
  account: { id: number; is_admin: number },
  identity: ExternalIdentity,
  breakGlassEmails: readonly string[],
): Promise<void> {
  const email = identity.email.trim().toLowerCase()
  if (await hasLink(db, account.id, identity.provider)) {
    throw new Refusal(
      `Det finns redan en annan användare med e-postadressen ${email} i Internkontroll. Be en administratör ` +
        'att reda ut vilket konto som är ditt.',
    )
  }
  if (account.is_admin === 1 || breakGlassEmails.includes(email)) {
    throw new Refusal(
      `Det finns redan ett administratörskonto med e-postadressen ${email} i Internkontroll. Ett sådant konto ` +
        'kopplas inte till organisationens inloggning av sig självt. Logga in med lösenord, eller be en annan ' +
        'administratör om hjälp.',
    )
  }
  if (!identity.emailVerified) {
    throw new Refusal(
      `Det finns redan ett konto med e-postadressen ${email} i Internkontroll, men organisationens inloggning ` +
        'intygar inte att adressen är din. Be en administratör att reda ut vilket konto som är ditt.',
    )
  }
}

/**
 * Why a sign-in is refused when the provider sent a link to the person's groups instead of the groups (Entra ID's
 * "overage", past 150 groups in SAML and 200 in OpenID): signing in without them would take away every role they give.
 * Mended at the provider, by sending only the groups assigned to the application.
 */
export const groupsOverageMessage =
  'Du är med i fler grupper än organisationens inloggning skickar med, så Internkontroll kan inte se vilka roller ' +
  'du ska ha. Be den som administrerar organisationens konton att bara skicka de grupper som tilldelats ' +
  'Internkontroll.'

/** The longest page address kept to return to after the sign-in; a longer one leads to the start page. */
const maxTillLength = 1000

/**
 * Where to go after the sign-in (`till`, or SAML's RelayState): a path on this site, short enough that what carries it
 * through the provider (a cookie, RelayState) keeps it; else `fallback`.
 */
export function signInReturnPath(value: unknown, fallback: string): string {
  const path = localPath(value, fallback)
  return path.length <= maxTillLength ? path : fallback
}

/** The page shown when a sign-in is refused (bad state, bad token, bad assertion…): status 400/403, no detail leaked. */
export function refuseSignIn(res: Response, status: number, message: string): void {
  res.status(status).render('auth/sign-in-refused', { title: 'Inloggningen gick inte igenom', message })
}

/** The provider cannot be reached, or its configuration not used: try later, or tell the operator. */
export function refuseUnavailable(res: Response, providerName: string, operator: Config['operator']): void {
  refuseSignIn(
    res,
    503,
    `Inloggningen med ${providerName} svarar inte just nu. Försök igen om en stund. Fortsätter det, kontakta ` +
      `${operator.name}: ${operator.email}.`,
  )
}

/** The provider answered that no one signed in: the person cancelled, or was refused there. */
export function refuseDeclined(res: Response, providerName: string): void {
  refuseSignIn(res, 403, `Inloggningen med ${providerName} avbröts eller nekades. Börja om från inloggningssidan.`)
}

/** Per provider: the address that ends the user's session there, from what the session kept; undefined for none. */
export type ProviderLogouts = Partial<
  Record<ExternalIdentity['provider'], (hint: string) => Promise<string | undefined>>
>

const keptOf = (kept: string) => JSON.parse(kept) as { provider: ExternalIdentity['provider']; hint: string }

/** The provider's logout address for what a session kept (`singleLogout` of signInIdentity), if it has one. */
export async function providerLogoutUrl(kept: string, logouts: ProviderLogouts): Promise<string | undefined> {
  const { provider, hint } = keptOf(kept)
  return logouts[provider]?.(hint)
}

/** What a session kept for this provider's single logout (`singleLogout` of signInIdentity); undefined for none. */
export function keptSingleLogout(kept: string | null, provider: ExternalIdentity['provider']): string | undefined {
  const found = kept === null ? undefined : keptOf(kept)
  return found?.provider === provider ? found.hint : undefined
}
