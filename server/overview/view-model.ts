import type { MeasureStatus } from '../../db/schema.js'
import { runStateOf } from '../controls/control-line.js'
import { runHref } from '../controls/require-control.js'
import { lights } from '../controls/traffic-light.js'
import type { Deadline } from '../inspections/view-model.js'
import { byDueDate } from '../measures/view-model.js'
import { isFinished, isOverdue, measureStatuses } from '../vocabulary.js'

type PlanMeasure = {
  id: number
  planId: number
  title: string
  status: MeasureStatus
  due_date: string | null
}

const measureHref = (m: PlanMeasure) => `/planer/${m.planId}/atgarder/${m.id}`

/**
 * "Mina åtgärder": an owner's measures, those still to finish first, each group soonest due first and those
 * without a due date last, overdue ones marked; each update form leads back to the measure's place on the page.
 */
export function myMeasures<M extends PlanMeasure>(measures: readonly M[], today: string) {
  const soonest = byDueDate('asc')
  return measures
    .map((m) => ({
      ...m,
      overdue: isOverdue(m, today),
      href: measureHref(m),
      // The start page is told which measure to land on, which it shows even when it sorts past the first ones.
      updateHref: `${measureHref(m)}/uppdatera?till=${encodeURIComponent(`/?atgard=${m.id}#atgard-${m.id}`)}`,
    }))
    .sort((a, b) => Number(isFinished(a.status)) - Number(isFinished(b.status)) || soonest(a, b))
}

/** Each plan with its measures per status, overdue and in all, for the secretary's table, from counts per status. */
export function planStatus<P extends { id: number }>(
  plans: readonly P[],
  counts: readonly { planId: number; status: MeasureStatus; count: number; overdue: number }[],
) {
  return plans.map((plan) => {
    const own = counts.filter((c) => c.planId === plan.id)
    return {
      ...plan,
      statusCounts: measureStatuses.map((s) => ({
        ...s,
        count: own.find((c) => c.status === s.code)?.count ?? 0,
      })),
      overdueCount: own.reduce((n, c) => n + c.overdue, 0),
      measureCount: own.reduce((n, c) => n + c.count, 0),
    }
  })
}

export function overdueMeasures<M extends PlanMeasure>(measures: readonly M[], today: string) {
  return measures
    .filter((m) => isOverdue(m, today))
    .map((m) => ({ ...m, href: measureHref(m) }))
    .sort(byDueDate('asc'))
}

type DueReport = { id: number; title: string; committeeName: string; deadline: Deadline & { kind: 'due' } }

/** One line of the secretary's coming deadlines: a measure to finish, or a report to send to an authority. */
export type ComingDeadline = { dueDate: string; href: string; title: string; context: string } & (
  | { kind: 'measure'; status: MeasureStatus }
  | { kind: 'report'; deadline: Deadline }
)

/**
 * The coming deadlines, nearest first: unfinished measures due today or later (those already past are listed as
 * overdue) and every report not yet sent, an overdue one too, since nothing else lists it here. `moreMeasures`:
 * how many such measures the database holds beyond those given (the nearest `limit` of them are enough to choose
 * the nearest `limit` deadlines), counted in the total.
 */
export function comingDeadlines(
  measures: readonly (PlanMeasure & { committeeName: string; planTitle: string; ownerName: string })[],
  reports: readonly DueReport[],
  today: string,
  limit: number,
  moreMeasures = 0,
) {
  const all: ComingDeadline[] = [
    ...measures
      .filter((m): m is typeof m & { due_date: string } => m.due_date !== null && m.due_date >= today)
      .filter((m) => !isFinished(m.status))
      .map((m) => ({
        kind: 'measure' as const,
        dueDate: m.due_date,
        href: measureHref(m),
        title: m.title,
        context: `${m.committeeName}: ${m.planTitle} · ${m.ownerName}`,
        status: m.status,
      })),
    ...reports.map((r) => ({
      kind: 'report' as const,
      dueDate: r.deadline.deadline,
      href: `/externa-granskningar/${r.id}`,
      title: r.title,
      context: `Redovisning · ${r.committeeName}`,
      deadline: r.deadline,
    })),
  ].sort((a, b) => a.dueDate.localeCompare(b.dueDate))
  return { shown: all.slice(0, limit), total: all.length + moreMeasures }
}

/** The date `days` days after (or before) a YYYY-MM-DD date. */
export function daysAfter(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number)
  return new Date(Date.UTC(year as number, (month as number) - 1, (day as number) + days)).toISOString().slice(0, 10)
}

type DueRun = { id: number; occasion: number; planned_date: string; controlId: number; planId: number }

const dueRunHref = (r: DueRun) => runHref({ id: r.planId }, { id: r.controlId }, r)

/** A run due, not yet reported: where it stands ("Försenat" once its date has passed, else "Ej rapporterat"). */
const dueRunState = (r: DueRun, today: string) => runStateOf({ result: null, planned_date: r.planned_date }, today)

/**
 * "Mina kontroller": an owner's runs to report, in the order given (overdue ones first), each with its report form.
 * The form returns to the start page itself, not to the run's card: once reported, the run leaves the list.
 */
export function myRuns<R extends DueRun>(runs: readonly R[], today: string) {
  return runs.map((r) => ({
    ...r,
    state: dueRunState(r, today),
    href: dueRunHref(r),
    reportHref: `${dueRunHref(r)}/rapportera?till=${encodeURIComponent('/')}`,
  }))
}

export function overdueRuns<R extends DueRun>(runs: readonly R[], today: string) {
  return runs.map((r) => ({ ...r, state: dueRunState(r, today), href: dueRunHref(r) }))
}

/** Where the rest of a list cut short are: the plans' control lists, with how many are due in each. */
export function whereTheRestAre(plans: readonly { planId: number; count: number }[]) {
  return {
    total: plans.reduce((n, p) => n + p.count, 0),
    plans: plans.map((p) => ({ ...p, href: `/planer/${p.planId}/kontroller` })),
  }
}

/** Where the rest of "Mina åtgärder" cut short are: each plan's measure list filtered by the unit, with how many. */
export function measuresElsewhere(plans: readonly { planId: number; unitId: number; count: number }[]) {
  return {
    total: plans.reduce((n, p) => n + p.count, 0),
    plans: plans.map((p) => ({ ...p, href: `/planer/${p.planId}/atgarder?enhet=${p.unitId}` })),
  }
}

/**
 * The traffic lights as the secretary's table heads them: each as every page shows a light (the lightTag mark and
 * its words), so the start page and the control pages name them alike; the counts below are plain numbers.
 */
export const lightColumns = Object.values(lights).map((light) => ({ code: light.code, light, heading: light.text }))
