import type { FieldErrors } from '../../forms.js'
import { columnsOf, normalise, riskColumns, type SheetKind, sheetNames } from '../columns.js'
import { columnName, type ParsedSheet } from './parse.js'

/** For each sheet, the field each column is read as ('' for a column left out), in column order. */
export type Mapping = Partial<Record<SheetKind, string[]>>

/** Recognised headers, each field taken by the first column that names it. */
export function guessMapping(sheets: ParsedSheet[]): Mapping {
  const mapping: Mapping = {}
  for (const sheet of sheets) {
    const taken = new Set<string>()
    mapping[sheet.kind] = sheet.headers.map((header) => {
      const column = columnsOf(sheet.kind).find(
        (c) =>
          !taken.has(c.key) && [c.header, ...(c.aliases ?? [])].some((name) => normalise(name) === normalise(header)),
      )
      if (!column) return ''
      taken.add(column.key)
      return column.key
    })
  }
  return mapping
}

/** The field name of a column's select on the mapping page. */
export const selectName = (kind: SheetKind, column: number) => `${kind}-${column}`

/** The mapping as posted from the page; a value that names no field counts as left out. */
export function mappingFromForm(sheets: ParsedSheet[], body: Record<string, unknown>): Mapping {
  const mapping: Mapping = {}
  for (const sheet of sheets) {
    const keys = new Set(columnsOf(sheet.kind).map((c) => c.key))
    mapping[sheet.kind] = sheet.headers.map((_, i) => {
      const value = body[selectName(sheet.kind, i)]
      return typeof value === 'string' && keys.has(value) ? value : ''
    })
  }
  return mapping
}

const measureFields = new Set<string>(riskColumns.slice(6).map((c) => c.key))

/** The columns a sheet other than the risks' cannot be read without, each with what it holds. */
const needed: Record<Exclude<SheetKind, 'risks'>, [key: string, holds: string][]> = {
  reviews: [
    ['diaryNumber', 'diarienumret'],
    ['reviewTitle', 'granskningens rubrik'],
  ],
  controls: [
    ['risk', 'risken'],
    ['title', 'kontrollmomentets rubrik'],
    ['method', 'kontrollmetoden'],
    ['frequency', 'frekvensen'],
    ['owner', 'den ansvariga enheten'],
  ],
  runs: [
    ['control', 'kontrollmomentet'],
    ['occasion', 'tillfällets nummer'],
  ],
  deviations: [
    ['control', 'kontrollmomentet'],
    ['occasion', 'tillfällets nummer'],
    ['description', 'avvikelsen'],
    ['severity', 'allvarlighetsgraden'],
  ],
}
const headerOf = (kind: SheetKind, key: string) => columnsOf(kind).find((c) => c.key === key)?.header ?? key

/** A field read from two columns, or a table without the columns a plan needs. */
export function checkMapping(sheets: ParsedSheet[], mapping: Mapping): FieldErrors {
  const errors: FieldErrors = {}
  for (const sheet of sheets) {
    const fields = mapping[sheet.kind] ?? []
    fields.forEach((key, i) => {
      const first = fields.indexOf(key)
      if (key !== '' && first !== i) {
        errors[selectName(sheet.kind, i)] =
          `${headerOf(sheet.kind, key)} läses redan från kolumnen ${columnName(first, sheet.headers[first] ?? '')}. Välj en annan uppgift eller Används inte.`
      }
    })
    const first = selectName(sheet.kind, 0)
    const need = (key: string, message: string) => {
      if (!fields.includes(key)) errors[first] ??= message
    }
    if (sheet.kind === 'risks') {
      need('riskTitle', 'Välj vilken kolumn som innehåller riskens rubrik (Risk).')
      if (fields.some((f) => measureFields.has(f))) {
        need('measureTitle', 'Välj vilken kolumn som innehåller åtgärdens rubrik (Åtgärd).')
        need('owner', 'Välj vilken kolumn som innehåller åtgärdens ansvariga enhet (Ansvarig).')
      }
    } else if (fields.some((f) => f !== '')) {
      // Another sheet with every column left out is not imported.
      for (const [key, holds] of needed[sheet.kind]) {
        need(key, `Välj vilken kolumn på bladet ${sheetNames[sheet.kind]} som innehåller ${holds}.`)
      }
    }
  }
  return errors
}

/** The choices offered for each column. */
export const fieldOptions = (kind: SheetKind) => columnsOf(kind).map((c) => ({ value: c.key, label: c.header }))
