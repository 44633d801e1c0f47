import { Router } from 'express'
import type { Services } from '../app.js'
import { can, type Viewer } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { swedishDate } from '../dates.js'
import { listInspections } from '../inspections/repository.js'
import { dueReports, inspectionSummary } from '../inspections/view-model.js'
import { listMeasuresWithPlan } from '../measures/repository.js'
import { listPlans } from '../plans/repository.js'
import { plansByCommittee } from '../plans/view-model.js'
import { listFinalReports } from '../reports/repository.js'
import { measureStatuses } from '../vocabulary.js'
import { comingDeadlines, current, myMeasures, overdueMeasures, planStatus } from './view-model.js'

/** How many coming deadlines the start page lists; the deadline page and the measure lists have the rest. */
const deadlineCount = 10

type Plans = Awaited<ReturnType<typeof listPlans>>

/** The start page: one section for each role the signed-in person holds. */
export function overviewRoutes({ db, clock }: Services): Router {
  const router = Router()

  /** The ansvarig's "Mina åtgärder": their units' measures in the plans they may read. */
  async function ownerSection(viewer: Viewer, today: string) {
    if (viewer.unitIds.size === 0) return undefined
    const measures = (await listMeasuresWithPlan(db, { ownerUnitIds: [...viewer.unitIds] })).filter((m) =>
      can.readCommittee(viewer, m),
    )
    return { units: viewer.unitNames, measures: myMeasures(current(measures), today) }
  }

  /** The secretary's committees: each plan's measures per status, the overdue ones and the coming deadlines. */
  async function secretarySection(viewer: Viewer, plans: Plans, today: string) {
    if (viewer.secretaryOf.size === 0) return undefined
    const [measures, inspections] = await Promise.all([
      listMeasuresWithPlan(db, { committeeIds: [...viewer.secretaryOf] }),
      listInspections(db),
    ])
    const reports = dueReports(
      inspections.filter((i) => viewer.secretaryOf.has(i.committee_id)).map((i) => inspectionSummary(i, today)),
    )
    return {
      committees: plansByCommittee(
        planStatus(
          plans.filter((p) => viewer.secretaryOf.has(p.committeeId)),
          measures,
          today,
        ),
      ),
      // The plans' counts include every measure they hold; what is still to do counts each piece of work once.
      overdue: overdueMeasures(current(measures), today),
      deadlines: comingDeadlines(current(measures), reports, today, deadlineCount),
    }
  }

  /** The board member's committees: their plans with the final reports to download. */
  async function readerSection(viewer: Viewer, plans: Plans) {
    if (viewer.readerOf.size === 0) return undefined
    const own = plans.filter((p) => viewer.readerOf.has(p.committeeId))
    const reports = await listFinalReports(
      db,
      own.map((p) => p.id),
    )
    return {
      committees: plansByCommittee(own.map((p) => ({ ...p, reports: reports.filter((r) => r.plan_id === p.id) }))),
    }
  }

  router.get('/', async (_req, res) => {
    const viewer = viewerOf(res)
    const today = swedishDate(clock())
    const plans = (await listPlans(db)).filter((p) => can.readCommittee(viewer, { committee_id: p.committeeId }))
    const [owner, secretary, reader] = await Promise.all([
      ownerSection(viewer, today),
      secretarySection(viewer, plans, today),
      readerSection(viewer, plans),
    ])
    const admin = viewer.isAdmin ? { planCount: plans.length } : undefined
    res.render('overview/index', {
      title: 'Översikt',
      statuses: measureStatuses,
      owner,
      secretary,
      reader,
      admin,
      noRole: !owner && !secretary && !reader && !admin,
    })
  })

  return router
}
