import type { Db } from '../../db/connection.js'
import { committeeKinds, labelOf, swedishOrder } from '../vocabulary.js'
import { isPublic } from './document.js'
import { listFrozenCopies, type listPublishedPlans } from './repository.js'

type Published = Awaited<ReturnType<typeof listPublishedPlans>>

/** Links to a published plan's copies: the index and the plan page show them. */
export const openDataLinks = (planId: number) => ({
  json: `/oppna-data/planer/${planId}.json`,
  csv: `/oppna-data/planer/${planId}.csv`,
})
export const frozenCopyLinks = (planId: number, versionNumber: number) => ({
  json: `/oppna-data/planer/${planId}/rapporter/${versionNumber}.json`,
  csv: `/oppna-data/planer/${planId}/rapporter/${versionNumber}.csv`,
})

/** The published plans by municipality, then committee or company (sv-SE order), newest year first. */
export function publishedIndex(plans: Published['plans'], reports: Published['reports']) {
  const municipalities = [...new Set(plans.map((p) => p.municipalityId))].map((municipalityId) => {
    const own = plans.filter((p) => p.municipalityId === municipalityId)
    // By the committee itself: two committees may share a name (a renamed one, another administration's).
    const committees = [...new Set(own.map((p) => p.committeeId))]
      .map((id) => own.filter((p) => p.committeeId === id).sort((a, b) => b.year - a.year))
      .sort((a, b) => swedishOrder.compare(a[0]?.committeeName ?? '', b[0]?.committeeName ?? ''))
    return {
      name: own[0]?.municipalityName,
      committees: committees.map((committeePlans) => ({
        name: committeePlans[0]?.committeeName,
        kindLabel: labelOf(committeeKinds, committeePlans[0]?.committeeKind ?? 'committee'),
        plans: committeePlans.map((p) => ({
          ...p,
          links: openDataLinks(p.id),
          reports: reports
            .filter((r) => r.plan_id === p.id)
            .map((r) => ({ ...r, links: frozenCopyLinks(p.id, r.version_number) })),
        })),
      })),
    }
  })
  municipalities.sort((a, b) => swedishOrder.compare(a.name ?? '', b.name ?? ''))
  return municipalities
}

/** What the plan page says of the plan's open data: whether it is public, and the links to its copies. */
export async function openDataOnPlanPage(
  db: Db,
  plan: { id: number; published_at: string | null; adopted_meeting_date: string | null },
) {
  const published = isPublic(plan)
  const reports = published ? await listFrozenCopies(db, plan.id) : []
  return {
    published,
    publishedAt: plan.published_at,
    adopted: plan.adopted_meeting_date !== null,
    links: openDataLinks(plan.id),
    reports: reports.map((r) => ({ ...r, links: frozenCopyLinks(plan.id, r.version_number) })),
  }
}
