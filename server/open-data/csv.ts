import { toCsv } from '../spreadsheets/export.js'
import type { OpenMeasure, OpenPlanDocument, OpenRisk } from './document.js'

// The CSV copy of an open-data document: one table, one row per measure with its risk's and its plan's columns
// repeated (a risk without measures gets one row with the measure's columns empty). Reviews and controls are in the
// JSON only. The headers are part of schema version 1 (README, *Öppna data*): a column is only ever added at the end.

type Cell = string | number | null
type Row = { document: OpenPlanDocument; risk: OpenRisk; measure: OpenMeasure | null }

const yesNo = (value: boolean) => (value ? 'ja' : 'nej')

export const openCsvColumns: readonly { header: string; cell: (row: Row) => Cell }[] = [
  { header: 'Kommun', cell: ({ document }) => document.municipality.name },
  { header: 'Förvaltning', cell: ({ document }) => document.administration.name },
  { header: 'Nämnd eller bolag', cell: ({ document }) => document.committee.name },
  { header: 'Typ', cell: ({ document }) => document.committee.kindLabel },
  { header: 'År', cell: ({ document }) => document.plan.year },
  { header: 'Plan', cell: ({ document }) => document.plan.title },
  { header: 'Plan-id', cell: ({ document }) => document.plan.id },
  { header: 'Antagen vid sammanträde', cell: ({ document }) => document.plan.adoption?.meetingDate ?? null },
  { header: 'Antagen §', cell: ({ document }) => document.plan.adoption?.minutesParagraph ?? null },
  { header: 'Antagen diarienummer', cell: ({ document }) => document.plan.adoption?.diaryNumber ?? null },
  { header: 'Rapportversion', cell: ({ document }) => document.finalReport?.versionNumber ?? null },
  { header: 'Rapport fastställd', cell: ({ document }) => document.finalReport?.createdAt ?? null },
  { header: 'Rapportens SHA-256', cell: ({ document }) => document.finalReport?.sha256 ?? null },
  { header: 'Risk-id', cell: ({ risk }) => risk.id },
  { header: 'Risk nr', cell: ({ risk }) => risk.number },
  { header: 'Risk', cell: ({ risk }) => risk.title },
  { header: 'Beskrivning av risk', cell: ({ risk }) => risk.description },
  { header: 'Sannolikhet', cell: ({ risk }) => risk.likelihood },
  { header: 'Konsekvens', cell: ({ risk }) => risk.consequence },
  { header: 'Riskvärde', cell: ({ risk }) => risk.score },
  { header: 'Risknivå', cell: ({ risk }) => risk.scoreBandLabel },
  { header: 'Riskhantering (kod)', cell: ({ risk }) => risk.treatment },
  { header: 'Riskhantering', cell: ({ risk }) => risk.treatmentLabel },
  { header: 'Omfattning (kod)', cell: ({ risk }) => risk.scope },
  { header: 'Omfattning', cell: ({ risk }) => risk.scopeLabel },
  { header: 'Kommungemensam diarienummer', cell: ({ risk }) => risk.municipalItem?.diaryNumber ?? null },
  { header: 'Åtgärd-id', cell: ({ measure }) => measure?.id ?? null },
  { header: 'Förbättringsåtgärd', cell: ({ measure }) => measure?.title ?? null },
  { header: 'Vad ska göras', cell: ({ measure }) => measure?.whatToDo ?? null },
  { header: 'Genomförda åtgärder', cell: ({ measure }) => measure?.progress ?? null },
  { header: 'Status (kod)', cell: ({ measure }) => measure?.status ?? null },
  { header: 'Status', cell: ({ measure }) => measure?.statusLabel ?? null },
  { header: 'Ansvarig enhet', cell: ({ measure }) => measure?.ownerUnit ?? null },
  { header: 'Klart senast', cell: ({ measure }) => measure?.dueDate ?? null },
  { header: 'Försenad', cell: ({ measure }) => (measure ? yesNo(measure.overdue) : null) },
]

/**
 * The plan's Excel-friendly CSV (`toCsv`): UTF-8 with a byte-order mark, semicolons and CRLF, fields quoted by RFC
 * 4180, and a text Excel would run as a formula given a leading apostrophe, as OWASP advises against CSV injection.
 */
export function openDataCsv(document: OpenPlanDocument): Buffer {
  const rows = document.risks.flatMap((risk) =>
    (risk.measures.length > 0 ? risk.measures : [null]).map((measure) => ({ document, risk, measure })),
  )
  return toCsv({ columns: openCsvColumns, rows: rows.map((row) => openCsvColumns.map((c) => c.cell(row))) })
}
