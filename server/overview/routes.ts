import { Router } from 'express'
import type { Services } from '../app.js'
import { readableCommittees, type Viewer } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { type ControlsOf, controlsExist, countLightsPerPlan, countRunsDuePerPlan } from '../controls/overview.js'
import { listRunsDue } from '../controls/repository.js'
import { swedishDate } from '../dates.js'
import { optionalId } from '../ids.js'
import { dueReports, reportDeadline } from '../inspections/view-model.js'
import { keptUntilChange } from '../kept-figures.js'
import { countMeasuresOfPlans } from '../measures/repository.js'
import { listCommitteesOfMunicipalities } from '../organisation/repository.js'
import { plansByCommittee } from '../plans/view-model.js'
import { listFinalReports } from '../reports/repository.js'
import { committeeKinds, labelOf, measureStatuses } from '../vocabulary.js'
import {
  countOverdueAndComing,
  countOwnerMeasuresPerPlan,
  countPlans,
  listComingMeasures,
  listOverdueMeasures,
  listOwnerMeasures,
  listPlansOfCommittees,
  listReportsMaybeDue,
} from './repository.js'
import {
  comingDeadlines,
  daysAfter,
  lightColumns,
  measuresElsewhere,
  myMeasures,
  myRuns,
  overdueMeasures,
  overdueRuns,
  planStatus,
  whereTheRestAre,
} from './view-model.js'

/** How many coming deadlines the start page lists; the deadline page and the measure lists have the rest. */
const deadlineCount = 10

/**
 * How many measures "Mina åtgärder" lists, those still to do first; each plan's measure list, filtered by the unit,
 * has the rest.
 */
export const ownerMeasuresShown = 50

/** How many overdue measures the start page lists, the oldest; each plan's overdue ones are a click away. */
export const overdueShown = 20

/** How many runs "Mina kontroller" and "Försenade kontrolltillfällen" list; the plans' control lists have the rest. */
export const runsShown = 20

/** How far ahead "Mina kontroller" looks for runs to report. */
const ownerHorizonDays = 30

/**
 * The start page's controls are those of plans from last year on (and next year's, once made): last year's plan is
 * the one being followed up early in the year, this year's the one running; older plans are done with.
 */
const firstYearShown = (today: string) => Number(today.slice(0, 4)) - 1

type Plans = Awaited<ReturnType<typeof listPlansOfCommittees>>

/** The start page: one section for each role the signed-in person holds. */
export function overviewRoutes({ db, clock }: Services): Router {
  const router = Router()

  /**
   * The ansvarig's "Mina åtgärder": their units' measures in the plans they may read. `landing` is the measure whose
   * update form led back here (?atgard=): finished, it may sort past the first ones, and it is then shown after them,
   * so that the page still lands on it.
   */
  async function ownerSection(viewer: Viewer, today: string, landing: number | undefined) {
    if (viewer.unitIds.size === 0) return undefined
    const of = { ownerUnitIds: [...viewer.unitIds], committeeIds: readableCommittees(viewer) }
    // One more is fetched to tell whether there are more.
    const measures = await listOwnerMeasures(db, of, ownerMeasuresShown + 1)
    const first = measures.slice(0, ownerMeasuresShown)
    if (measures.length <= ownerMeasuresShown)
      return { units: viewer.unitNames, measures: myMeasures(first, today), rest: undefined }
    const [perPlan, landed] = await Promise.all([
      countOwnerMeasuresPerPlan(db, of.ownerUnitIds, of.committeeIds),
      landing === undefined || first.some((m) => m.id === landing)
        ? []
        : listOwnerMeasures(db, { ...of, measureId: landing }, 1),
    ])
    return {
      units: viewer.unitNames,
      measures: [...myMeasures(first, today), ...myMeasures(landed, today)],
      firstCount: first.length,
      landed: landed.length > 0,
      rest: measuresElsewhere(perPlan),
    }
  }

  /**
   * The runs due up to `until` of these controls, the first `runsShown` of them (one more is fetched to tell whether
   * there are more), and when there are, per plan how many: where the rest are. Only in plans from firstYearShown
   * on: a run left unreported in an older plan will not be reported now, and listed first for ever it would push
   * the runs still to do off the list.
   *
   * Nothing here asks whether the viewer may read each run's plan: an owner reads the plans of their units'
   * administration's committees, and a control's owner unit is always of its plan's administration (the control
   * form and the import check it, and a committee with plans keeps its administration), so such a check could
   * never leave a row out. A secretary's runs are those of their own committees.
   */
  async function runsDue(of: ControlsOf, until: string, today: string) {
    const fromYear = firstYearShown(today)
    const rows = await listRunsDue(db, of, until, runsShown + 1, fromYear)
    if (rows.length <= runsShown) return { shown: rows, rest: undefined }
    const perPlan = await countRunsDuePerPlan(db, of, until, fromYear)
    return { shown: rows.slice(0, runsShown), rest: whereTheRestAre(perPlan) }
  }

  /**
   * The ansvarig's "Mina kontroller": their units' runs overdue or due within 30 days, each with its report form.
   * Owners whose units have no controls see the page as before.
   */
  async function ownerControlsSection(viewer: Viewer, today: string) {
    const of = { ownerUnitIds: [...viewer.unitIds] }
    if (!(await controlsExist(db, of))) return undefined
    const { shown, rest } = await runsDue(of, daysAfter(today, ownerHorizonDays), today)
    return { units: viewer.unitNames, runs: myRuns(shown, today), rest }
  }

  /** The secretary's controls: per plan from firstYearShown on its controls' traffic lights, and the runs overdue. */
  async function secretaryControlsSection(viewer: Viewer, today: string) {
    const committeeIds = [...viewer.secretaryOf]
    if (!(await controlsExist(db, { committeeIds }))) return undefined
    const [lights, overdue] = await Promise.all([
      countLightsPerPlan(db, committeeIds, firstYearShown(today), today),
      runsDue({ committeeIds }, daysAfter(today, -1), today),
    ])
    return { lights, overdue: { shown: overdueRuns(overdue.shown, today), rest: overdue.rest } }
  }

  /**
   * The secretary's committees: each plan's measures per status, the oldest overdue ones and the coming deadlines,
   * each counted or cut short in SQL: a secretary of several committees has thousands of measures.
   */
  async function secretarySection(viewer: Viewer, plans: Plans, today: string) {
    if (viewer.secretaryOf.size === 0) return undefined
    const committeeIds = [...viewer.secretaryOf]
    const own = plans.filter((p) => viewer.secretaryOf.has(p.committeeId))
    const [counts, overdue, coming, totals, inspections] = await Promise.all([
      countMeasuresOfPlans(
        db,
        own.map((p) => p.id),
        today,
      ),
      listOverdueMeasures(db, committeeIds, today, overdueShown),
      listComingMeasures(db, committeeIds, today, deadlineCount),
      countOverdueAndComing(db, committeeIds, today),
      listReportsMaybeDue(db, committeeIds),
    ])
    const reports = dueReports(inspections.map((i) => ({ ...i, deadline: reportDeadline(i, today) })))
    return {
      // The plans' counts include every measure they hold; what is still to do counts each piece of work once.
      committees: plansByCommittee(planStatus(own, counts)),
      overdue: overdueMeasures(overdue, today),
      overdueTotal: totals.overdue,
      deadlines: comingDeadlines(coming, reports, today, deadlineCount, totals.coming - coming.length),
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

  /**
   * The kommunövergripande samordnare's municipalities: each one's committees and companies with this year's plan,
   * and the way to the roll-up of them all.
   */
  async function coordinatorSection(viewer: Viewer, today: string) {
    if (viewer.coordinatorOf.size === 0) return undefined
    const year = Number(today.slice(0, 4))
    const committees = await listCommitteesOfMunicipalities(db, [...viewer.coordinatorOf])
    const plans = await listPlansOfCommittees(
      db,
      committees.map((c) => c.id),
      year,
    )
    const municipalities = [...new Map(committees.map((c) => [c.municipalityId, c.municipalityName]))]
    // A municipality with no committee yet is still the coordinator's, its roll-up empty.
    const named = new Set(municipalities.map(([id]) => id))
    const bare = [...viewer.coordinatorOf].filter((id) => !named.has(id))
    const bareNames =
      bare.length === 0
        ? []
        : await db.selectFrom('municipality').select(['id', 'name']).where('id', 'in', bare).execute()
    return {
      year,
      municipalities: [...municipalities, ...bareNames.map((m) => [m.id, m.name] as const)].map(([id, name]) => ({
        id,
        name,
        rollupHref: `/kommun/${id}/${year}`,
        itemsHref: `/kommun/${id}/${year}/gemensamma`,
        committees: committees
          .filter((c) => c.municipalityId === id)
          .map((c) => ({
            ...c,
            kindLabel: labelOf(committeeKinds, c.kind),
            plan: plans.find((p) => p.committeeId === c.id && p.year === year),
          })),
      })),
    }
  }

  /** Everything the start page shows a viewer on a day. */
  async function sections(viewer: Viewer, today: string, landing: number | undefined) {
    // Only the plans a section lists: the secretary's and the reader's committees', this year's of the coordinator's.
    const plans = await listPlansOfCommittees(db, [...new Set([...viewer.secretaryOf, ...viewer.readerOf])])
    const [owner, ownerControls, secretary, secretaryControls, reader, coordinator] = await Promise.all([
      ownerSection(viewer, today, landing),
      ownerControlsSection(viewer, today),
      secretarySection(viewer, plans, today),
      secretaryControlsSection(viewer, today),
      readerSection(viewer, plans),
      coordinatorSection(viewer, today),
    ])
    // The administrator reads every municipality's roll-up, as its coordinators do.
    const admin = viewer.isAdmin
      ? {
          planCount: await countPlans(db),
          rollups: (await db.selectFrom('municipality').select(['id', 'name']).orderBy('id').execute()).map((m) => ({
            name: m.name,
            href: `/kommun/${m.id}/${today.slice(0, 4)}`,
          })),
        }
      : undefined
    return { owner, ownerControls, secretary, secretaryControls, reader, coordinator, admin }
  }

  // Kept per viewer and roles: the viewer was read before the head, so a role changed in between must not file the
  // page counted for the old roles under the new head.
  const kept = keptUntilChange<Awaited<ReturnType<typeof sections>>>(db, 300)
  const rolesOf = (viewer: Viewer) =>
    JSON.stringify(viewer, (_key, value) => (value instanceof Set ? [...value].sort((a, b) => a - b) : value))

  router.get('/', async (req, res) => {
    const viewer = viewerOf(res)
    const today = swedishDate(clock())
    const landing = optionalId(req.query.atgard)
    const { owner, ownerControls, secretary, secretaryControls, reader, coordinator, admin } = await kept(
      `${rolesOf(viewer)} ${today} ${landing}`,
      () => sections(viewer, today, landing),
    )
    res.render('overview/index', {
      title: 'Översikt',
      statuses: measureStatuses,
      owner,
      ownerControls,
      secretary,
      secretaryControls,
      lightColumns,
      reader,
      coordinator,
      admin,
      noRole: !owner && !secretary && !reader && !coordinator && !admin,
    })
  })

  return router
}
