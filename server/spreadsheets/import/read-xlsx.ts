// Runs in a worker thread (see parse.ts): exceljs unpacks the whole file in memory, and a zip bomb or a
// mangled file must cost a bounded worker, never the server.

import { parentPort, workerData } from 'node:worker_threads'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { cellReader, type TextLimits, type TextProblem, TooMuchText } from './cell-text.js'

export interface RawSheet {
  name: string
  /** Cell texts; a cell covered by a merge is empty here and named in `merges`. */
  rows: string[][]
  merges: { top: number; left: number; bottom: number; right: number }[]
  /** The sheet has more rows than were read. */
  more: boolean
}

export type XlsxResult =
  | { ok: true; sheets: RawSheet[] }
  | { ok: false; problem: 'formula-error'; sheet: string; cell: string; error: string }
  | { ok: false; problem: 'unreadable' }
  | TextProblem

export interface ReadLimits extends TextLimits {
  maxRows: number
  maxColumns: number
  /** All the file's parts unpacked. */
  unpackedBytes: number
}

class FormulaError extends Error {
  constructor(
    readonly cell: string,
    readonly error: string,
  ) {
    super(`${cell}: ${error}`)
  }
}

/** A cell as text: dates as YYYY-MM-DD, a formula by its last calculated result. */
function cellText(cell: ExcelJS.Cell): string {
  const value = cell.type === ExcelJS.ValueType.Merge ? null : cell.value
  const text = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return ''
    if (v instanceof Date) return v.toISOString().slice(0, 10)
    if (typeof v !== 'object') return String(v)
    if ('error' in v) throw new FormulaError(cell.address, v.error)
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('formula' in v || 'sharedFormula' in v) return text((v as ExcelJS.CellFormulaValue).result ?? null)
    if ('text' in v) return typeof v.text === 'string' ? v.text : text(v.text)
    return ''
  }
  return text(value)
}

/**
 * Whether the file's parts unpack to at most `limit` bytes, counted as they unpack (the sizes a zip states may
 * lie): exceljs holds every part whole as text, so a small file of a huge part must stop here, before it.
 */
async function unpacksWithin(bytes: Uint8Array, limit: number): Promise<boolean> {
  const zip = await JSZip.loadAsync(bytes)
  let total = 0
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue
    const within = await new Promise<boolean>((resolve, reject) => {
      const stream = entry.nodeStream('nodebuffer')
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length
        if (total > limit) {
          stream.pause()
          resolve(false)
        }
      })
      stream.once('error', reject)
      stream.once('end', () => resolve(true))
    })
    if (!within) return false
  }
  return true
}

async function read(bytes: Uint8Array, limits: ReadLimits): Promise<XlsxResult> {
  const workbook = new ExcelJS.Workbook()
  try {
    if (!(await unpacksWithin(bytes, limits.unpackedBytes))) return { ok: false, problem: 'much-text' }
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer)
  } catch {
    return { ok: false, problem: 'unreadable' }
  }
  const readCell = cellReader(limits)
  const sheets: RawSheet[] = []
  for (const sheet of workbook.worksheets) {
    if (sheet.state !== 'visible') continue
    const height = Math.min(sheet.rowCount, limits.maxRows)
    const width = Math.min(sheet.columnCount, limits.maxColumns)
    const rows: string[][] = []
    try {
      for (let r = 1; r <= height; r++) {
        const row = sheet.getRow(r)
        rows.push(Array.from({ length: width }, (_, c) => readCell(cellText(row.getCell(c + 1)), sheet.name, r, c + 1)))
      }
    } catch (error) {
      if (error instanceof FormulaError) {
        return { ok: false, problem: 'formula-error', sheet: sheet.name, cell: error.cell, error: error.error }
      }
      if (error instanceof TooMuchText) return error.problem
      throw error
    }
    const merges = (sheet.model.merges ?? []).map(decode)
    sheets.push({ name: sheet.name, rows, merges, more: sheet.rowCount > height })
  }
  return { ok: true, sheets }
}

/** "B2:D3" as 1-based row and column bounds. */
function decode(range: string) {
  const [from, to] = range.split(':').map((address) => {
    const [, letters = 'A', digits = '1'] = /^([A-Z]+)(\d+)$/.exec(address) ?? []
    const column = [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0)
    return { row: Number(digits), column }
  })
  const end = to ?? from
  return { top: from?.row ?? 1, left: from?.column ?? 1, bottom: end?.row ?? 1, right: end?.column ?? 1 }
}

const { bytes, limits } = workerData as { bytes: Uint8Array; limits: ReadLimits }
read(bytes, limits).then(
  (result) => parentPort?.postMessage(result),
  () => parentPort?.postMessage({ ok: false, problem: 'unreadable' } satisfies XlsxResult),
)
