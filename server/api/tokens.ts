// API tokens: made here, shown once, kept only as their SHA-256; each use is an audited update of the token's row.
import { createHash, randomBytes } from 'node:crypto'
import type { Db } from '../../db/connection.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'

/** What every token begins with, so a secret scanner or a person recognises one pasted where it should not be. */
export const tokenPrefix = 'ik_'
// "ik_" and six characters of the random part: enough to tell a municipality's few tokens apart, far too little to
// guess the rest (the 32 random bytes are 43 characters).
const shownLength = tokenPrefix.length + 6
// An address is at most this long in the token's row: a long query string would otherwise grow every audit row.
const pathLength = 300

export const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex')

/** A new token: 32 random bytes as base64url after the prefix. */
export function newToken(): { token: string; prefix: string; sha256: string } {
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`
  return { token, prefix: token.slice(0, shownLength), sha256: tokenSha256(token) }
}

/** Every token, newest first, with its municipality: the administrator's list. */
export async function listTokens(db: Db) {
  return db
    .selectFrom('api_token')
    .innerJoin('municipality', 'municipality.id', 'api_token.municipality_id')
    .select([
      'api_token.id',
      'api_token.name',
      'municipality.name as municipalityName',
      'api_token.prefix',
      'api_token.created_at as createdAt',
      'api_token.created_by as createdBy',
      'api_token.revoked_at as revokedAt',
      'api_token.use_count as useCount',
      'api_token.last_used_at as lastUsedAt',
      'api_token.last_used_path as lastUsedPath',
    ])
    .orderBy('api_token.id', 'desc')
    .execute()
}

export async function findToken(db: Db, id: number) {
  return db
    .selectFrom('api_token')
    .innerJoin('municipality', 'municipality.id', 'api_token.municipality_id')
    .select([
      'api_token.id',
      'api_token.name',
      'api_token.prefix',
      'api_token.revoked_at as revokedAt',
      'municipality.name as municipalityName',
    ])
    .where('api_token.id', '=', id)
    .executeTakeFirst()
}

/** Creates a token for a municipality, audited, and returns the token itself: the only time it exists in full. */
export async function createToken(db: Db, actor: Actor, of: { municipalityId: number; name: string }) {
  const made = newToken()
  const id = await audited(db, actor, 'create', { entity: 'api_token', planId: null }, async () => {
    const row = await db
      .insertInto('api_token')
      .values({
        municipality_id: of.municipalityId,
        name: of.name,
        token_sha256: made.sha256,
        prefix: made.prefix,
        created_at: actor.at,
        created_by: actor.userName,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  })
  return { id, token: made.token, prefix: made.prefix }
}

/** Revokes a token, audited; a token already revoked keeps the time it was first revoked. */
export async function revokeToken(db: Db, actor: Actor, id: number): Promise<void> {
  await audited(db, actor, 'update', { entity: 'api_token', id, planId: null }, async () => {
    await db
      .updateTable('api_token')
      .set({ revoked_at: actor.at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
  })
}

/** The token a request presents, if it is known and not revoked. */
export async function findUsableToken(db: Db, token: string) {
  return db
    .selectFrom('api_token')
    .select(['id', 'name', 'prefix', 'municipality_id as municipalityId'])
    .where('token_sha256', '=', tokenSha256(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
}

/** Who the audit log names for a token's use: the token, by its name and prefix, never a person. */
export const tokenActor = (token: { name: string; prefix: string }, at: string): Actor => ({
  userId: null,
  userName: `API-nyckel ${token.name} (${token.prefix}…)`,
  at,
})

/**
 * Records one use: the count raised, the time and the address, as an audited update in its own transaction, so the
 * log holds every use before the answer leaves. A token revoked since it was found is not used: false.
 */
export async function recordUse(
  db: Db,
  token: { id: number; name: string; prefix: string },
  use: { at: string; path: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let used = false
    await audited(
      trx,
      tokenActor(token, use.at),
      'update',
      { entity: 'api_token', id: token.id, planId: null },
      async () => {
        const result = await trx
          .updateTable('api_token')
          .set((eb) => ({
            use_count: eb('use_count', '+', 1),
            last_used_at: use.at,
            last_used_path: use.path.slice(0, pathLength),
          }))
          .where('id', '=', token.id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        used = Number(result.numUpdatedRows) === 1
      },
    )
    return used
  })
}
