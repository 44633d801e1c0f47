import type { CommitteeKind, MeasureStatus } from '../../db/schema.js'
import { lights } from '../controls/traffic-light.js'
import { swedishDate } from '../dates.js'
import {
  committeeKinds,
  consequenceScale,
  labelOf,
  likelihoodScale,
  measureStatuses,
  scoreBand,
  swedishOrder,
} from '../vocabulary.js'
import type {
  countLights,
  countMeasures,
  countRisksPerCell,
  highestRiskScores,
  listCommitteePlans,
  listRisksInCell,
} from './repository.js'

type Rows<F extends (...args: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>

/** "/kommun/1/2021", with the administration filter when one is chosen, so a link keeps what the page shows. */
export function rollupHref(municipalityId: number, year: number, administrationId: number | null, suffix = '') {
  const query = administrationId === null ? '' : `?forvaltning=${administrationId}`
  return `/kommun/${municipalityId}/${year}${suffix}${query}`
}

/** The way back to the roll-up (keeping its filter) from the pages below it: its report, its items, a matrix cell. */
export const rollupBreadcrumbs = (municipalityId: number, year: number, administrationId: number | null) => [
  { href: '/', text: 'Översikt' },
  { href: rollupHref(municipalityId, year, administrationId), text: `Sammanställning ${year}` },
]

/**
 * One row per committee and company, committees first and each kind by name: its plan of the year, if any, with
 * the plan's adoption, latest final report, measures per status, overdue, lights (where it has controls) and
 * highest risk score.
 */
export function rollupRows(
  committees: Rows<typeof listCommitteePlans>,
  measures: Rows<typeof countMeasures>,
  lightCounts: Rows<typeof countLights>,
  highest: Rows<typeof highestRiskScores>,
) {
  const kindOrder: CommitteeKind[] = ['committee', 'company']
  return [...committees]
    .sort(
      (a, b) =>
        kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || swedishOrder.compare(a.committeeName, b.committeeName),
    )
    .map((c) => {
      const base = {
        committeeId: c.committeeId,
        name: c.committeeName,
        kind: labelOf(committeeKinds, c.kind),
        kindCode: c.kind,
        administrationId: c.administrationId,
        administration: c.administrationName,
      }
      if (c.planId === null) return { ...base, plan: null }
      const planId = c.planId
      const own = measures.filter((m) => m.planId === planId)
      const countOf = (status: MeasureStatus) => own.find((m) => m.status === status)?.count ?? 0
      const score = highest.find((h) => h.planId === planId)?.score ?? null
      return {
        ...base,
        plan: {
          id: planId,
          title: c.planTitle ?? '',
          adopted:
            c.adoptedMeetingDate === null
              ? null
              : { date: c.adoptedMeetingDate, minutesParagraph: c.adoptedMinutesParagraph },
          // The plan's diary number, '' when none; it may be known before the plan is adopted.
          adoptedDiaryNumber: c.adoptedDiaryNumber ?? '',
          report:
            c.reportVersionId === null
              ? null
              : {
                  href: `/planer/${planId}/rapport/versioner/${c.reportVersionId}`,
                  versionNumber: c.reportVersionNumber,
                  date: c.reportCreatedAt === null ? null : swedishDate(new Date(c.reportCreatedAt)),
                },
          statusCounts: measureStatuses.map((s) => ({ ...s, count: countOf(s.code) })),
          overdueCount: own.reduce((n, m) => n + m.overdue, 0),
          measureCount: own.reduce((n, m) => n + m.count, 0),
          lights: lightCounts.find((l) => l.planId === planId) ?? null,
          highest: score === null ? null : { score, band: scoreBand(score) },
        },
      }
    })
}

export type RollupRow = ReturnType<typeof rollupRows>[number]

/** The traffic lights as the roll-up's table heads them, as the start page does. */
export const lightColumns = Object.values(lights).map((light) => ({ code: light.code, light, heading: light.text }))

/**
 * The municipality's risk matrix as counts: likelihood 4 at the top as risk matrices are read, each cell with its
 * score, band and how many of the plans' scored risks sit there; and how many risks are not scored.
 */
export function combinedMatrix(cells: Rows<typeof countRisksPerCell>) {
  const scale = [1, 2, 3, 4]
  const countAt = (likelihood: number, consequence: number) =>
    cells.find((c) => c.likelihood === likelihood && c.consequence === consequence)?.count ?? 0
  const rows = [...scale].reverse().map((likelihood) => ({
    likelihood,
    label: `${likelihood} ${likelihoodScale[likelihood - 1]}`,
    cells: scale.map((consequence) => {
      const score = likelihood * consequence
      return {
        likelihood,
        consequence,
        score,
        band: scoreBand(score),
        count: countAt(likelihood, consequence),
      }
    }),
  }))
  const scored = rows.reduce((n, r) => n + r.cells.reduce((m, c) => m + c.count, 0), 0)
  const all = cells.reduce((n, c) => n + c.count, 0)
  return {
    rows,
    columns: scale.map((consequence) => ({
      consequence,
      label: `${consequence} ${consequenceScale[consequence - 1]}`,
    })),
    scored,
    unscored: all - scored,
  }
}

export type CombinedMatrix = ReturnType<typeof combinedMatrix>

/**
 * The matrix with each count linking to the risks behind it, as the page shows it; the export, the printed report
 * and the API have no such page to link to.
 */
export function withCellLinks(matrix: CombinedMatrix, hrefOf: (likelihood: number, consequence: number) => string) {
  return {
    ...matrix,
    rows: matrix.rows.map((row) => ({
      ...row,
      cells: row.cells.map((cell) => ({ ...cell, href: hrefOf(cell.likelihood, cell.consequence) })),
    })),
  }
}

/** A matrix cell's risks, in the query's order: by committee and company, each in its plan's order. */
export function cellRisks(risks: Rows<typeof listRisksInCell>) {
  return risks.map((r) => ({
    href: `/planer/${r.planId}/risker/${r.id}`,
    title: r.title,
    committee: r.committeeName,
    kind: labelOf(committeeKinds, r.kind),
    municipalWide: r.municipalItemId !== null,
  }))
}
