import type { CacheProvider } from '@node-saml/node-saml'
import type { Db } from '../../../db/connection.js'

/**
 * The AuthnRequests sent and not yet answered, as node-saml keeps them to check InResponseTo: in the database, so
 * that the instance an answer reaches knows the request another instance sent. A request older than `lifetimeMs` is
 * not known any more.
 */
export function samlRequests(db: Db, lifetimeMs: number, now = () => new Date()): CacheProvider {
  const oldest = () => new Date(now().getTime() - lifetimeMs).toISOString()
  return {
    async saveAsync(id, sentAt) {
      // Requests nobody answered would otherwise stay for ever: each new one clears those too old to be answered.
      await db.deleteFrom('saml_request').where('sent_at', '<', oldest()).execute()
      await db.insertInto('saml_request').values({ id, sent_at: sentAt }).execute()
      return { value: sentAt, createdAt: Date.parse(sentAt) }
    },
    async getAsync(id) {
      const row = await db
        .selectFrom('saml_request')
        .select('sent_at')
        .where('id', '=', id)
        .where('sent_at', '>=', oldest())
        .executeTakeFirst()
      return row?.sent_at ?? null
    },
    async removeAsync(id) {
      if (id === null) return null
      const deleted = await db.deleteFrom('saml_request').where('id', '=', id).executeTakeFirst()
      return deleted.numDeletedRows > 0n ? id : null
    },
  }
}

/**
 * Takes an assertion id, kept until `expiresAt`; false when it was taken before and has not expired: the same
 * assertion posted again. The insert decides, so two instances given the same assertion at once take it once.
 */
export async function takeAssertion(db: Db, id: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.deleteFrom('saml_assertion').where('expires_at', '<', now.toISOString()).execute()
  const inserted = await db
    .insertInto('saml_assertion')
    .values({ id, expires_at: expiresAt.toISOString() })
    .onConflict((c) => c.column('id').doNothing())
    .executeTakeFirst()
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1
}
