import { type Db, migrateToLatest } from '../../db/connection.js'
import type { Config } from '../config.js'
import { auditKey, openAuditedDatabase } from './anchor.js'
import { auditedRecords } from './audited.js'
import { eventHash } from './chain.js'
import { type Actor, recordEvent } from './repository.js'
import { auditedEntities } from './verify.js'

/** Who wrote the rows that begin a log kept from before the key. */
export const upgradeActorName = 'Uppgradering (första start med AUDIT_KEY)'

const pageSize = 500

/**
 * A database from before the log was signed has records no audit row speaks of (the older seed and scripts, and
 * kinds of record audited only since) and a log of plain SHA-256 rows that anyone can rewrite. At the first start
 * with the key, each such record is logged as it stands, and a signed row records how many plain rows came before,
 * so from then on `audit:verify` finds a log without signed rows, or records changed after this moment, as the
 * findings they are. A log whose last row is signed has been through this, or never needed it; so has an empty one.
 */
export async function signLegacyLog(db: Db, at: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('audit_event').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst()
    // A new database: the first records are audited as they are made.
    const empty =
      !last &&
      !(await trx.selectFrom('municipality').select('id').limit(1).executeTakeFirst()) &&
      !(await trx.selectFrom('app_user').select('id').limit(1).executeTakeFirst())
    if (empty || (last && eventHash(last, auditKey()) === last.hash)) return 0
    const actor: Actor = { userId: null, userName: upgradeActorName, at: at.toISOString() }
    let logged = 0
    for (const entity of auditedEntities) {
      for (let after = 0; ; ) {
        const records = await auditedRecords(trx, entity, after, pageSize)
        if (records.length === 0) break
        const ids = records.map((r) => r.id as number)
        const seen = new Set(
          (
            await trx
              .selectFrom('audit_event')
              .select('entity_id')
              .where('entity', '=', entity)
              .where('entity_id', 'in', ids)
              .execute()
          ).map((e) => e.entity_id),
        )
        for (const record of records) {
          if (seen.has(record.id as number)) continue
          await recordEvent(trx, actor, {
            action: 'create',
            entity,
            entityId: record.id as number,
            planId: null,
            committeeId: null,
            before: null,
            after: record,
          })
          logged += 1
        }
        after = ids.at(-1) as number
      }
    }
    await recordEvent(trx, actor, {
      action: 'create',
      entity: 'audit_log',
      entityId: 1,
      planId: null,
      committeeId: null,
      before: null,
      after: { legacy_rows: last?.id ?? 0, baseline_rows: logged },
    })
    return logged
  })
}

/** The configured database, migrated, its log signed from its start: how the server and the writing scripts open it. */
export async function openCurrentDatabase(config: Config, at = new Date()): Promise<Db> {
  const db = openAuditedDatabase(config)
  await migrateToLatest(db)
  await signLegacyLog(db, at)
  return db
}
