import type { Db } from '../../db/connection.js'
import { listCommitteeAreas, listLinkedRisks } from './repository.js'
import { areaLink, areaState, offeredFromYear } from './view-model.js'

/**
 * The development areas a plan is offered: those the authority left with further measures needed and the
 * committee has not closed, from the year after the authority's last word, until a risk of the plan takes one up.
 */
export async function offeredAreas(db: Db, plan: { id: number; committee_id: number; year: number }) {
  const open = (await listCommitteeAreas(db, plan.committee_id)).filter(
    (area) => areaState(area, area) === 'open' && offeredFromYear(area) <= plan.year,
  )
  const takenUp = new Set(
    (
      await listLinkedRisks(
        db,
        open.map((a) => a.id),
      )
    )
      .filter((risk) => risk.planId === plan.id)
      .map((risk) => risk.areaId),
  )
  return open.filter((area) => !takenUp.has(area.id)).map((area) => ({ ...area, link: areaLink(area) }))
}
