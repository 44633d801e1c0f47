import { storable } from '../forms.js'
import type { Table } from '../spreadsheets/export.js'
import { measureStatuses } from '../vocabulary.js'
import type { CombinedMatrix, RollupRow } from './view-model.js'

const asDate = (iso: string | null | undefined) => (iso ? new Date(`${iso}T00:00:00Z`) : null)

/**
 * The roll-up as sheets: one row per committee and company with the page's figures (empty where it has no plan, or
 * no controls), and the combined risk matrix as counts per cell.
 */
export function rollupTables(rows: readonly RollupRow[], matrix: CombinedMatrix): Table[] {
  const columns = [
    { key: 'name', header: 'Nämnd eller bolag', width: 32 },
    { key: 'kind', header: 'Typ', width: 16 },
    { key: 'administration', header: 'Förvaltning', width: 28 },
    { key: 'plan', header: 'Plan', width: 32 },
    { key: 'adopted', header: 'Plan antagen', width: 14 },
    { key: 'paragraph', header: 'Protokoll §', width: 12 },
    { key: 'report', header: 'Uppföljning fastställd', width: 14 },
    { key: 'reportVersion', header: 'Uppföljningens version', width: 12 },
    ...measureStatuses.map((s) => ({ key: s.code, header: `Åtgärder: ${s.label}`, width: 14 })),
    { key: 'overdue', header: 'Åtgärder: Försenade', width: 14 },
    { key: 'measures', header: 'Åtgärder totalt', width: 12 },
    { key: 'green', header: 'Kontrollmoment: Grön', width: 14 },
    { key: 'yellow', header: 'Kontrollmoment: Gul', width: 14 },
    { key: 'red', header: 'Kontrollmoment: Röd', width: 14 },
    { key: 'score', header: 'Högsta riskvärde', width: 12 },
    { key: 'band', header: 'Risknivå', width: 10 },
  ]
  const summary = rows.map((r) => {
    const p = r.plan
    return [
      r.name,
      r.kind,
      r.administration,
      p?.title ?? 'Ingen plan',
      asDate(p?.adopted?.date),
      p?.adopted?.minutesParagraph ?? null,
      asDate(p?.report?.date),
      p?.report?.versionNumber ?? null,
      ...measureStatuses.map((s) => (p ? (p.statusCounts.find((c) => c.code === s.code)?.count ?? 0) : null)),
      p?.overdueCount ?? null,
      p?.measureCount ?? null,
      p?.lights?.green ?? null,
      p?.lights?.yellow ?? null,
      p?.lights?.red ?? null,
      p?.highest?.score ?? null,
      p?.highest?.band.label ?? null,
    ].map((c) => (typeof c === 'string' ? storable(c) : c))
  })
  const matrixSheet: Table = {
    name: 'Riskmatris',
    columns: [
      { key: 'likelihood', header: 'Sannolikhet', width: 20 },
      ...matrix.columns.map((c) => ({ key: `c${c.consequence}`, header: `Konsekvens ${c.label}`, width: 18 })),
    ],
    rows: matrix.rows.map((r) => [r.label, ...r.cells.map((c) => c.count)]),
  }
  return [{ name: 'Sammanställning', columns, rows: summary }, matrixSheet]
}

/** "Sammanställning intern kontroll Malmö stad 2021.xlsx" */
export const rollupFileName = (municipality: string, year: number) =>
  storable(`Sammanställning intern kontroll ${municipality} ${year}.xlsx`).replace(/[\\/:*?"<>|\t\n\r]/g, '-')
