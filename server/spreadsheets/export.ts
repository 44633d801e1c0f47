import ExcelJS from 'exceljs'
import type { Db } from '../../db/connection.js'
import { storable } from '../forms.js'
import { listCommitteeAreas } from '../inspections/repository.js'
import { areaOriginLabel } from '../inspections/view-model.js'
import { listMeasuresOfPlan } from '../measures/repository.js'
import type { PlanContext } from '../plans/require-plan.js'
import { listReviews } from '../reviews/repository.js'
import { listRisks } from '../risks/repository.js'
import { labelOf, measureStatuses, riskScopes, riskTreatments } from '../vocabulary.js'
import {
  type Column,
  type PlanField,
  planColumns,
  planFields,
  reviewColumns,
  riskColumns,
  sheetNames,
} from './columns.js'

type Cell = string | number | Date | null

interface Table {
  name: string
  columns: readonly Column[]
  rows: Cell[][]
}

const asDate = (iso: string | null) => (iso === null ? null : new Date(`${iso}T00:00:00Z`))

// Texts stored before the forms removed them may hold characters an .xlsx (XML) cannot, or a NUL that makes a CSV
// read as binary: removed here too, so that every export opens and imports again.
const storableRows = (rows: Cell[][]) => rows.map((row) => row.map((c) => (typeof c === 'string' ? storable(c) : c)))

/**
 * The plan as three tables: one row per measure with its risk's columns repeated (a risk without one gets a row),
 * its reviews, and its own fields.
 */
export async function planTables(db: Db, plan: PlanContext): Promise<{ risks: Table; reviews: Table; plan: Table }> {
  const [risks, measures, reviews, areas] = await Promise.all([
    listRisks(db, plan.id),
    listMeasuresOfPlan(db, plan.id),
    listReviews(db, plan.id),
    listCommitteeAreas(db, plan.committee_id),
  ])
  const origins = new Map(areas.map((a) => [a.id, areaOriginLabel(a)]))
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
      m.origin_area_id === null ? null : (origins.get(m.origin_area_id) ?? null),
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
  return {
    risks: { name: sheetNames.risks, columns: riskColumns, rows: storableRows(riskRows) },
    reviews: { name: sheetNames.reviews, columns: reviewColumns, rows: storableRows(reviewRows) },
    plan: {
      name: sheetNames.plan,
      columns: planColumns,
      rows: storableRows(planFields.map((f) => [f.label, planCells[f.key]])),
    },
  }
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

/** UTF-8 with a byte-order mark and semicolons, which Excel with Swedish settings opens without asking. */
export function toCsv(table: Table): Buffer {
  const lines = [table.columns.map((c) => c.header), ...table.rows].map((row) => row.map(csvField).join(';'))
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8')
}

/** "Grundskolenämnden Internkontrollplan 2020.xlsx": names that sort by committee in a downloads folder. */
export const exportFileName = (plan: PlanContext, extension: 'xlsx' | 'csv') =>
  storable(`${plan.committeeName} ${plan.title}.${extension}`).replace(/[\\/:*?"<>|\t\n\r]/g, '-')
