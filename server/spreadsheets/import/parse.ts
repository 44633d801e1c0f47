import { Worker } from 'node:worker_threads'
import { ServiceUnavailableError } from '../../errors.js'
import { normalise, type SheetKind, sheetNames } from '../columns.js'
import type { TextProblem } from './cell-text.js'
import { readCsv } from './csv.js'
import type { RawSheet, ReadLimits, XlsxResult } from './read-xlsx.js'

// With rows and columns bounded, a sheet holds at most rows × columns cells, however its file was made. Its text
// is bounded too, since a small file may unpack to far more: a cell as long as Excel allows, and in all ten times
// the text of a large plan (what waits between the import's steps and is shown on them), read from a workbook that
// unpacks to a few times that (markup, styles and pictures besides the text).
export const importLimits = {
  bytes: 10 * 1024 * 1024,
  rows: 5000,
  columns: 100,
  cellChars: 32_767,
  textChars: 5_000_000,
  unpackedBytes: 25 * 1024 * 1024,
}

const readLimits: ReadLimits = { ...importLimits, maxRows: importLimits.rows + 100, maxColumns: importLimits.columns }

/** A table found in the file: its header row and the rows below it, each with its row number in the file. */
export interface ParsedSheet {
  kind: SheetKind
  name: string
  headers: string[]
  rows: { line: number; cells: string[] }[]
}

/** The sheet of the plan's own fields (Planens uppgifter): a label and a value on each row below the header. */
export interface PlanSheet {
  name: string
  rows: { line: number; cells: string[] }[]
}

export type FileFormat = 'xlsx' | 'csv'

export type ParseResult =
  | { ok: true; format: FileFormat; sheets: ParsedSheet[]; plan: PlanSheet | null }
  | { ok: false; message: string }

const fail = (message: string): ParseResult => ({ ok: false, message })

const saveAs = 'Öppna filen i Excel och spara den som Excel-arbetsbok (.xlsx) eller CSV UTF-8, och ladda upp den igen.'

// Bounds for reading a workbook: a normal plan needs a fraction of this; a zip bomb reaches a bound and stops.
const xlsxBounds = { memoryMb: 256, timeoutMs: 20_000 }

// At most two workbooks are read at once (the machine has two cores); eight more wait their turn, each holding
// its file, and the next is asked to come back (as the PDF printer does).
let reading = 0
const waiting: (() => void)[] = []
const queueLimit = 8

async function readXlsx(bytes: Uint8Array): Promise<XlsxResult | 'too-big'> {
  if (reading >= 2) {
    if (waiting.length >= queueLimit) {
      throw new ServiceUnavailableError(
        'Många filer läses in just nu. Välj filen igen och försök igen om en stund – ingenting har sparats.',
      )
    }
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
  reading++
  try {
    return await readInWorker(bytes)
  } finally {
    reading--
    waiting.shift()?.()
  }
}

/** exceljs in a worker thread with a memory limit and a deadline, ended when it passes either. */
function readInWorker(bytes: Uint8Array): Promise<XlsxResult | 'too-big'> {
  const entry = new URL('./read-xlsx.ts', import.meta.url).href
  // The worker registers tsx itself: a worker does not inherit the loader the server runs under.
  const worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}) })`,
    {
      eval: true,
      workerData: { bytes, limits: readLimits },
      resourceLimits: { maxOldGenerationSizeMb: xlsxBounds.memoryMb },
    },
  )
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve('too-big')
      void worker.terminate()
    }, xlsxBounds.timeoutMs)
    const done = (result: XlsxResult | 'too-big') => {
      clearTimeout(timer)
      resolve(result)
      void worker.terminate()
    }
    worker.once('message', (result: XlsxResult) => done(result))
    worker.once('error', () => done('too-big'))
    worker.once('exit', () => done({ ok: false, problem: 'unreadable' }))
  })
}

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b)
const zip = [0x50, 0x4b, 0x03, 0x04]
// An OLE compound file: an encrypted (password-protected) workbook, or one saved in the old .xls format.
const compoundFile = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const encryptedPackage = Buffer.from('EncryptedPackage', 'utf16le')

/**
 * A binary file is full of control characters (random bytes: one in nine; UTF-16 text: every other one), a text
 * file has none or a stray one, as in an export made before they were removed, which the reading removes.
 */
function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192)
  const controls = head.filter((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d).length
  return controls * 20 > head.length
}

/** Reads an uploaded .xlsx or .csv into its tables, or says in Swedish why it cannot; ServiceUnavailableError when too many wait. */
export async function parseSpreadsheet(bytes: Uint8Array): Promise<ParseResult> {
  if (bytes.length === 0) return fail('Filen är tom. Välj en fil med planens risker och åtgärder.')
  let raw: RawSheet[]
  let format: FileFormat = 'xlsx'
  if (startsWith(bytes, zip)) {
    const result = await readXlsx(bytes)
    if (result === 'too-big') {
      return fail(
        'Filen är för stor eller för komplicerad för att läsas. Dela upp den, eller spara den som CSV UTF-8 och ladda upp den igen.',
      )
    }
    if (!result.ok && result.problem === 'formula-error') {
      return fail(
        `Cell ${result.cell} på bladet ${result.sheet} innehåller ett formelfel (${result.error}). Rätta formeln eller skriv in värdet, och ladda upp filen igen.`,
      )
    }
    if (!result.ok && result.problem === 'unreadable') {
      return fail(`Filen kunde inte läsas som en Excel-arbetsbok; den kan vara skadad. ${saveAs}`)
    }
    if (!result.ok) return fail(textProblem(result, 'xlsx'))
    raw = result.sheets
  } else if (startsWith(bytes, compoundFile)) {
    return fail(
      Buffer.from(bytes).includes(encryptedPackage)
        ? 'Filen är lösenordsskyddad och kan inte läsas. Ta bort lösenordet i Excel (Arkiv > Info > Skydda arbetsbok > Kryptera med lösenord), spara och ladda upp filen igen.'
        : `Filen är sparad i det gamla Excel-formatet (.xls). ${saveAs}`,
    )
  } else if (looksBinary(bytes)) {
    return fail('Filen är inget kalkylark. Välj en Excel-arbetsbok (.xlsx) eller en CSV-fil.')
  } else {
    const sheet = readCsv(bytes, readLimits)
    if (sheet === 'too-wide') {
      return fail(
        `Filen har fler än ${importLimits.columns} kolumner. Ta bort kolumnerna som inte hör till planen, och ladda upp filen igen.`,
      )
    }
    if ('problem' in sheet) return fail(textProblem(sheet, 'csv'))
    raw = [sheet]
    format = 'csv'
  }
  return tablesOf(raw, format)
}

const number = (n: number) => n.toLocaleString('sv-SE')

function textProblem(problem: TextProblem, format: FileFormat): string {
  if (problem.problem === 'much-text') {
    return `Filen innehåller mer text än en plan rymmer (högst ${number(importLimits.textChars / 1_000_000)} miljoner tecken). Ta bort blad och celler som inte hör till planen, eller dela upp den i flera filer, och ladda upp den igen.`
  }
  const where = format === 'xlsx' ? ` på bladet ${problem.sheet}` : ''
  return `Cell ${columnLetter(problem.column - 1)}${problem.row}${where} har ${number(problem.length)} tecken; en cell får ha högst ${number(importLimits.cellChars)}, som i Excel. Korta texten och ladda upp filen igen.`
}

export const columnLetter = (index: number): string =>
  (index >= 26 ? columnLetter(Math.floor(index / 26) - 1) : '') + String.fromCharCode(65 + (index % 26))

/** "Kolumn C" for a column without a header. */
export const columnName = (index: number, header: string) => header || `Kolumn ${columnLetter(index)}`

/**
 * The plan's table (the first sheet not named as one of the others) and, if the file has them, the sheets of
 * reviews, controls, occasions and deviations, and the plan's fields. A workbook with no such table but a sheet
 * named as the controls' or their occasions' or deviations' (a municipality's own plan kept on a sheet
 * "Kontrollmoment") is read as it was before controls had sheets of their own: that sheet is the plan's table, and
 * the other sheets of controls are not read.
 */
function tablesOf(raw: RawSheet[], format: FileFormat): ParseResult {
  const named = (name: string) => raw.find((s) => normalise(s.name) === normalise(name))
  const filled = (s: RawSheet) => s.rows.some((r) => r.some((c) => c !== ''))
  const planSheet = named(sheetNames.plan)
  const reviews = named(sheetNames.reviews)
  let others = (['reviews', 'controls', 'runs', 'deviations'] as const).map(
    (kind) => [kind, named(sheetNames[kind])] as const,
  )
  let risks = raw.find((s) => s !== planSheet && others.every(([, other]) => other !== s) && filled(s))
  if (!risks) {
    risks = raw.find((s) => s !== planSheet && s !== reviews && filled(s))
    others = others.filter(([kind]) => kind === 'reviews')
  }
  if (!risks) return fail('Filen innehåller inga rader. Välj filen med planens risker och åtgärder.')
  const sheets: ParsedSheet[] = []
  for (const [kind, sheet] of [['risks', risks] as const, ...others]) {
    if (!sheet) continue
    const table = tableOf(kind, sheet)
    if (typeof table === 'string') return fail(table)
    if (table) sheets.push(table)
  }
  const plan = planSheet && {
    name: planSheet.name,
    // Below the header row, as the export writes it: a label and its value.
    rows: planSheet.rows
      .map((cells, i) => ({ line: i + 1, cells: cells.slice(0, 2) }))
      .slice(1)
      .filter((r) => r.cells.some((c) => c !== '')),
  }
  return { ok: true, format, sheets, plan: plan ?? null }
}

/** The header is the first row with two or more cells filled in: a title above the table is passed over. */
function tableOf(kind: SheetKind, sheet: RawSheet): ParsedSheet | string | undefined {
  const filled = (row: string[]) => row.filter((c) => c !== '').length
  const headerIndex = sheet.rows.findIndex((row) => filled(row) >= 2)
  const where = kind === 'risks' ? '' : ` på bladet ${sheet.name}`
  if (headerIndex < 0) {
    return kind === 'risks'
      ? 'Filen har ingen rad med kolumnrubriker. Den första raden i tabellen ska ha rubriker som Risk, Åtgärd och Ansvarig.'
      : undefined
  }
  const headerLine = headerIndex + 1
  const merged = sheet.merges.find((m) => m.top <= headerLine && m.bottom >= headerLine && m.right > m.left)
  if (merged) {
    const range = `${columnLetter(merged.left - 1)}${merged.top}:${columnLetter(merged.right - 1)}${merged.bottom}`
    return `Rubrikraden (rad ${headerLine}${where}) har sammanfogade celler (${range}). Dela upp dem så att varje kolumn har en egen rubrik, och ladda upp filen igen.`
  }
  // A value merged down over several rows (a risk beside each of its measures) belongs to each of them.
  const rows = sheet.rows.map((r) => [...r])
  for (const m of sheet.merges) {
    const value = rows[m.top - 1]?.[m.left - 1] ?? ''
    // Only the cells read: a merge may span the whole sheet.
    for (const row of rows.slice(m.top - 1, m.bottom)) {
      for (let c = m.left; c <= Math.min(m.right, row.length); c++) row[c - 1] = value
    }
  }
  const headers = (rows[headerIndex] ?? []).map((h) => h.replace(/\s+/g, ' ').trim())
  const data = rows
    .map((cells, i) => ({ line: i + 1, cells }))
    .slice(headerIndex + 1)
    .filter((r) => r.cells.some((c) => c !== ''))
  if (sheet.more || data.length > importLimits.rows) {
    return `Filen har fler än ${importLimits.rows.toLocaleString('sv-SE')} rader${where}. Dela upp den i flera filer.`
  }
  if (data.length === 0 && kind === 'risks') return 'Filen har kolumnrubriker men inga rader med risker under dem.'
  const width = Math.max(headers.length, ...data.map((r) => r.cells.length))
  const used = Array.from(
    { length: width },
    (_, c) => (headers[c] ?? '') !== '' || data.some((r) => (r.cells[c] ?? '') !== ''),
  )
  const lastUsed = used.lastIndexOf(true)
  return {
    kind,
    name: sheet.name,
    headers: Array.from({ length: lastUsed + 1 }, (_, c) => headers[c] ?? ''),
    rows: data.map((r) => ({ line: r.line, cells: Array.from({ length: lastUsed + 1 }, (_, c) => r.cells[c] ?? '') })),
  }
}
