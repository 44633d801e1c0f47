// The API's JSON shapes, as server/api/openapi.json describes them: codes for machines beside labels for people,
// dates as YYYY-MM-DD, null where a value is missing, and never a person's name.
import type { MeasureStatus } from '../../db/schema.js'
import type { countMeasuresOfPlans } from '../measures/repository.js'
import type { CombinedMatrix, RollupRow } from '../rollup/view-model.js'
import { committeeKinds, labelOf, measureStatuses, riskScore } from '../vocabulary.js'
import type { listCommittees, listMeasures, listPlans, listRisks } from './repository.js'

type Rows<F extends (...args: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>

export const apiBase = '/api/v1'

export const committeeJson = (c: Rows<typeof listCommittees>[number]) => ({
  id: c.id,
  name: c.name,
  kind: c.kind,
  kindLabel: labelOf(committeeKinds, c.kind),
  administration: { id: c.administrationId, name: c.administrationName },
})

/** Every status with its count, zero included, so a BI tool gets the same columns for every plan. */
function measureCounts(counts: readonly { status: MeasureStatus; count: number; overdue: number }[]) {
  const byStatus = Object.fromEntries(
    measureStatuses.map((s) => [s.code, counts.find((c) => c.status === s.code)?.count ?? 0]),
  ) as Record<MeasureStatus, number>
  return {
    total: counts.reduce((n, c) => n + c.count, 0),
    overdue: counts.reduce((n, c) => n + c.overdue, 0),
    byStatus,
  }
}

type PlanRow = Awaited<ReturnType<typeof listPlans>>['rows'][number]

export function planJson(plan: PlanRow, counts: Rows<typeof countMeasuresOfPlans>) {
  return {
    id: plan.id,
    year: plan.year,
    title: plan.title,
    committee: {
      id: plan.committeeId,
      name: plan.committeeName,
      kind: plan.committeeKind,
      kindLabel: labelOf(committeeKinds, plan.committeeKind),
    },
    adopted:
      plan.adoptedMeetingDate === null
        ? null
        : {
            meetingDate: plan.adoptedMeetingDate,
            minutesParagraph: plan.adoptedMinutesParagraph,
            diaryNumber: plan.adoptedDiaryNumber === '' ? null : plan.adoptedDiaryNumber,
          },
    measures: measureCounts(counts.filter((c) => c.planId === plan.id)),
    links: {
      self: `${apiBase}/plans/${plan.id}`,
      measures: `${apiBase}/plans/${plan.id}/measures`,
    },
  }
}

type MeasureRow = Awaited<ReturnType<typeof listMeasures>>['rows'][number]

export const measureJson = (m: MeasureRow) => ({
  id: m.id,
  title: m.title,
  risk: { id: m.riskId, title: m.riskTitle },
  status: { code: m.status, label: labelOf(measureStatuses, m.status) },
  ownerUnit: { id: m.ownerUnitId, name: m.ownerUnitName },
  dueDate: m.dueDate,
  overdue: m.overdue,
})

export const riskJson = (r: Rows<typeof listRisks>[number]) => {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    likelihood: r.likelihood,
    consequence: r.consequence,
    score: riskScore(r.likelihood, r.consequence)?.score ?? null,
    treatment: r.treatment,
    scope: r.scope,
    municipalItemId: r.municipalItemId,
    measureCount: r.measureCount,
  }
}

/** A page of a list, with the address of the next page while there is one. */
export function pageJson<T>(items: T[], total: number, page: { limit: number; offset: number }, href: URL) {
  const nextOffset = page.offset + items.length
  let next: string | null = null
  if (items.length > 0 && nextOffset < total) {
    const url = new URL(href)
    url.searchParams.set('limit', String(page.limit))
    url.searchParams.set('offset', String(nextOffset))
    next = `${url.pathname}${url.search}`
  }
  return { items, total, limit: page.limit, offset: page.offset, next }
}

/** The roll-up as the page shows it, each committee with its codes and ids for a machine to join on. */
export function rollupJson(
  of: { municipality: { id: number; name: string }; year: number; administrationId: number | null },
  rows: readonly RollupRow[],
  matrix: CombinedMatrix,
) {
  return {
    municipality: of.municipality,
    year: of.year,
    administrationId: of.administrationId,
    committees: rows.map((r) => {
      const p = r.plan
      return {
        committee: {
          id: r.committeeId,
          name: r.name,
          kind: r.kindCode,
          kindLabel: r.kind,
          administration: { id: r.administrationId, name: r.administration },
        },
        plan:
          p === null
            ? null
            : {
                id: p.id,
                title: p.title,
                adopted: p.adopted && { meetingDate: p.adopted.date, minutesParagraph: p.adopted.minutesParagraph },
                latestReport: p.report && { versionNumber: p.report.versionNumber, date: p.report.date },
                measures: {
                  total: p.measureCount,
                  overdue: p.overdueCount,
                  byStatus: Object.fromEntries(p.statusCounts.map((s) => [s.code, s.count])),
                },
                lights: p.lights && {
                  green: p.lights.green,
                  yellow: p.lights.yellow,
                  red: p.lights.red,
                  total: p.lights.total,
                },
                highestRisk: p.highest && { score: p.highest.score, band: p.highest.band },
                links: { self: `${apiBase}/plans/${p.id}`, measures: `${apiBase}/plans/${p.id}/measures` },
              },
      }
    }),
    matrix: {
      cells: matrix.rows.flatMap((row) =>
        row.cells.map((c) => ({
          likelihood: c.likelihood,
          consequence: c.consequence,
          score: c.score,
          band: c.band,
          count: c.count,
        })),
      ),
      scored: matrix.scored,
      unscored: matrix.unscored,
    },
  }
}
