import ExcelJS from 'exceljs'
import type { Db } from '../../db/connection.js'
import { methodText } from '../controls/control-line.js'
import { controlRowsOfPlan, deviationRowsOfPlan, runRowsOfPlan } from '../controls/repository.js'
import { storable } from '../forms.js'
import { listCommitteeAreas } from '../inspections/repository.js'
import { areaOriginLabel } from '../inspections/view-model.js'
import { listMeasuresOfPlan } from '../measures/repository.js'
import type { PlanContext } from '../plans/require-plan.js'
import { listReviews } from '../reviews/repository.js'
import { listRisks } from '../risks/repository.js'
import {
  controlFrequencies,
  deviationDecisions,
  labelOf,
  measureStatuses,
  reportedToOptions,
  riskScopes,
  riskTreatments,
  runResults,
  samplings,
  severities,
} from '../vocabulary.js'
import {
  type Column,
  controlColumns,
  deviationColumns,
  deviationOriginLabel,
  type PlanField,
  planColumns,
  planFields,
  reviewColumns,
  riskColumns,
  runColumns,
  sheetNames,
} from './columns.js'

type Cell = string | number | Date | null

export interface Table {
  name: string
  columns: readonly Column[]
  rows: Cell[][]
}

const asDate = (iso: string | null) => (iso === null ? null : new Date(`${iso}T00:00:00Z`))

// Texts stored before the forms removed them may hold characters an .xlsx (XML) cannot, or a NUL that makes a CSV
// read as binary: removed here too, so that every export opens and imports again.
const storableRows = (rows: Cell[][]) => rows.map((row) => row.map((c) => (typeof c === 'string' ? storable(c) : c)))

/**
 * The plan as tables: one row per measure with its risk's columns repeated (a risk without one gets a row), and
 * its controls, their occasions and their deviations, its reviews and its own fields, each on a sheet of its own.
 * `sheets` is the workbook in order; `risks` alone is the CSV.
 */
export async function planTables(db: Db, plan: PlanContext): Promise<{ risks: Table; sheets: Table[] }> {
  const [risks, measures, reviews, areas, controlSheets] = await Promise.all([
    listRisks(db, plan.id),
    listMeasuresOfPlan(db, plan.id),
    listReviews(db, plan.id),
    listCommitteeAreas(db, plan.committee_id),
    controlTables(db, plan.id),
  ])
  const origins = new Map(areas.map((a) => [a.id, areaOriginLabel(a)]))
  const originOf = (m: (typeof measures)[number]) => {
    if (m.origin_deviation_id !== null) return controlSheets.deviationOrigins.get(m.origin_deviation_id) ?? null
    return m.origin_area_id === null ? null : (origins.get(m.origin_area_id) ?? null)
  }
  const riskRows = risks.flatMap((risk) => {
    const riskCells: Cell[] = [
      risk.title,
      risk.description,
      risk.likelihood,
      risk.consequence,
      labelOf(riskTreatments, risk.treatment),
      labelOf(riskScopes, risk.scope),
    ]
    const own = measures.filter((m) => m.risk_id === risk.id)
    if (own.length === 0) return [[...riskCells, null, null, null, null, null, null, null, null]]
    return own.map((m) => [
      ...riskCells,
      m.title,
      m.what_to_do,
      m.progress,
      m.ownerName,
      m.responsible_person,
      labelOf(measureStatuses, m.status),
      asDate(m.due_date),
      originOf(m),
    ])
  })
  const reviewRows = reviews.map((r) => [
    r.diary_number,
    r.title,
    r.riskTitle,
    asDate(r.meeting_date),
    r.minutes_paragraph,
  ])
  const planCells: Record<PlanField, Cell> = {
    introduction: plan.introduction,
    measuresIntroduction: plan.measures_introduction,
    adoptedMeetingDate: asDate(plan.adopted_meeting_date),
    adoptedMinutesParagraph: plan.adopted_minutes_paragraph,
    adoptedDiaryNumber: plan.adopted_diary_number,
  }
  const riskTable: Table = { name: sheetNames.risks, columns: riskColumns, rows: storableRows(riskRows) }
  return {
    risks: riskTable,
    sheets: [
      riskTable,
      { name: sheetNames.reviews, columns: reviewColumns, rows: storableRows(reviewRows) },
      ...controlSheets.tables,
      {
        name: sheetNames.plan,
        columns: planColumns,
        rows: storableRows(planFields.map((f) => [f.label, planCells[f.key]])),
      },
    ],
  }
}

/**
 * The sheets of a plan's controls, their occasions and deviations, and each deviation's name as the origin of a
 * measure. A plan without controls has none of these sheets, so that its workbook is as it was before controls
 * existed, and one without deviations has no sheet of them; the import reads a workbook without them (or with them
 * empty) as a plan without controls or deviations.
 */
async function controlTables(db: Db, planId: number) {
  const [controls, runs, deviations] = await Promise.all([
    controlRowsOfPlan(db, planId),
    runRowsOfPlan(db, planId),
    deviationRowsOfPlan(db, planId),
  ])
  const byControl = <T extends { control_id: number }>(rows: T[]) => {
    const of = new Map<number, T[]>()
    for (const row of rows) {
      const own = of.get(row.control_id)
      if (own) own.push(row)
      else of.set(row.control_id, [row])
    }
    return of
  }
  const runsOf = byControl(runs)
  const deviationsOf = byControl(deviations)
  const controlRows = controls.map((c) => [
    c.riskTitle,
    c.title,
    c.what_is_checked,
    methodText(c),
    labelOf(controlFrequencies, c.frequency),
    c.ownerName,
    c.responsible_person,
    labelOf(reportedToOptions, c.reported_to),
  ])
  // Each control's occasions and deviations under it, in the order of the controls (the queries' order too).
  const runRows = controls.flatMap((c) =>
    (runsOf.get(c.id) ?? []).map((r) => [
      c.riskTitle,
      c.title,
      r.occasion,
      asDate(r.planned_date),
      r.result === null ? null : labelOf(runResults, r.result),
      r.not_performed_reason,
      asDate(r.performed_on),
      asDate(r.reported_on),
      r.performed_by,
      r.population,
      r.population_size,
      r.sample_size,
      r.sampling === null ? null : labelOf(samplings, r.sampling),
      r.checked_count,
      r.deviation_count,
      r.comment,
    ]),
  )
  const deviationRows = controls.flatMap((c) =>
    (deviationsOf.get(c.id) ?? []).map((d) => [
      c.riskTitle,
      c.title,
      d.occasion,
      d.description,
      labelOf(severities, d.severity),
      d.decision === null ? null : labelOf(deviationDecisions, d.decision),
      d.no_measure_reason,
    ]),
  )
  const deviationOrigins = new Map(
    controls.flatMap((c) =>
      (deviationsOf.get(c.id) ?? []).map((d) => [
        d.id,
        storable(deviationOriginLabel({ control: c.title, occasion: d.occasion, description: d.description })),
      ]),
    ),
  )
  const tables: Table[] = []
  if (controlRows.length > 0) {
    tables.push(
      { name: sheetNames.controls, columns: controlColumns, rows: storableRows(controlRows) },
      { name: sheetNames.runs, columns: runColumns, rows: storableRows(runRows) },
    )
  }
  if (deviationRows.length > 0) {
    tables.push({ name: sheetNames.deviations, columns: deviationColumns, rows: storableRows(deviationRows) })
  }
  return { tables, deviationOrigins }
}

export async function toXlsx(tables: Table[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = table.columns.map((c) => ({ header: c.header, key: c.key, width: c.width }))
    sheet.getRow(1).font = { bold: true }
    for (const row of table.rows) {
      // A date's format goes on its cell: on a column it would turn the plan sheet's paragraph number into a date.
      sheet.addRow(row).eachCell((cell) => {
        if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd'
      })
    }
    table.columns.forEach((_, i) => {
      sheet.getColumn(i + 1).alignment = { vertical: 'top', wrapText: true }
    })
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

// Excel runs a CSV field that starts like a formula ("=", "+", "-", "@"); a leading apostrophe keeps it text
// (planned actions often start with "- "). The import removes the apostrophe again.
const formulaStart = /^[=+\-@\t\r]/

export function csvField(cell: Cell): string {
  let text = cell === null ? '' : cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell)
  if (formulaStart.test(text)) text = `'${text}`
  return /[;"\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * UTF-8 with a byte-order mark and semicolons, which Excel with Swedish settings opens without asking; the plan's
 * export and the open-data CSV alike.
 */
export function toCsv(table: { columns: readonly { header: string }[]; rows: Cell[][] }): Buffer {
  const lines = [table.columns.map((c) => c.header), ...table.rows].map((row) => row.map(csvField).join(';'))
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8')
}

/** A download's file name: no character a file system refuses. */
export const downloadName = (name: string) => storable(name).replace(/[\\/:*?"<>|\t\n\r]/g, '-')

/** "Grundskolenämnden Internkontrollplan 2020.xlsx": names that sort by committee in a downloads folder. */
export const exportFileName = (plan: PlanContext, extension: 'xlsx' | 'csv') =>
  downloadName(`${plan.committeeName} ${plan.title}.${extension}`)
