import { sql } from 'kysely'
import type { Db } from '../../db/connection.js'
import { audited } from '../audit/audited.js'
import type { Actor } from '../audit/repository.js'
import { deleteArea, listOriginatingMeasures } from './repository.js'
import { auditTarget } from './require-inspection.js'

/**
 * Deletes a development area with its audit rows: the measures that originated from it lose their origin (ON
 * DELETE SET NULL) and its links go with it, each change recorded.
 */
export async function deleteAreaAudited(
  db: Db,
  actor: Actor,
  inspection: { committee_id: number },
  areaId: number,
): Promise<void> {
  for (const measure of await listOriginatingMeasures(db, areaId)) {
    await audited(db, actor, 'update', { entity: 'measure', id: measure.id, planId: measure.planId }, async () => {
      // Raising the version sends a measure form open meanwhile to the 409 page instead of a puzzling refusal.
      await db
        .updateTable('measure')
        .set({ origin_area_id: null, version: sql<number>`version + 1` })
        .where('id', '=', measure.id)
        .execute()
    })
  }
  await audited(db, actor, 'delete', auditTarget('development_area', inspection, areaId), () => deleteArea(db, areaId))
}
