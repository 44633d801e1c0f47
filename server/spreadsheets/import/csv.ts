import { cellReader, type TextProblem, TooMuchText } from './cell-text.js'
import type { RawSheet, ReadLimits } from './read-xlsx.js'

/** Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, which Excel's plain "CSV" saves. */
function decode(bytes: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes)
  }
  return text.replace(/^\uFEFF/, '')
}

/** The separator used in the first line outside quotes: Swedish Excel writes ";", others "," or a tab. */
function separatorOf(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0]?.replace(/"[^"]*"/g, '') ?? ''
  const counts = [';', ',', '\t'].map((s) => [s, firstLine.split(s).length] as const)
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0]
}

// The export writes an apostrophe before text Excel would run as a formula; it is not part of the text.
const unprotect = (field: string) => (/^'[=+\-@\t\r]/.test(field) ? field.slice(1) : field)

/**
 * RFC 4180 fields: quotes around a field, "" for a quote inside one, line breaks inside quotes kept. A row with
 * more than `maxColumns` fields makes the file too wide: a few kilobytes of separators would be millions of cells.
 */
export function readCsv(bytes: Uint8Array, limits: ReadLimits): RawSheet | 'too-wide' | TextProblem {
  try {
    return fieldsOf(decode(bytes), limits.maxRows, limits.maxColumns, cellReader(limits))
  } catch (error) {
    if (error instanceof TooMuchText) return error.problem
    throw error
  }
}

function fieldsOf(
  text: string,
  maxRows: number,
  maxColumns: number,
  readCell: ReturnType<typeof cellReader>,
): RawSheet | 'too-wide' {
  const separator = separatorOf(text)
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  const endField = () => {
    row.push(readCell(unprotect(field).replace(/\r\n/g, '\n'), 'CSV', rows.length + 1, row.length + 1))
    field = ''
  }
  while (i < text.length && rows.length <= maxRows) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === separator) {
      endField()
      if (row.length >= maxColumns) return 'too-wide'
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      endField()
      rows.push(row)
      row = []
    } else field += ch
    i++
  }
  if (i >= text.length && (field !== '' || row.length > 0)) {
    endField()
    rows.push(row)
  }
  return { name: 'CSV', rows: rows.slice(0, maxRows), merges: [], more: i < text.length }
}
