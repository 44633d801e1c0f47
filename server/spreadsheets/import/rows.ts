// Reading the rows of any sheet of an import: its mapped cells, values from the vocabulary, and problems named
// by sheet, row and column. The checks of the plan's risks (check.ts) and of its controls (check-controls.ts) share it.

import type { z } from 'zod'
import { normalise } from '../columns.js'
import { columnLetter, columnName, type ParsedSheet } from './parse.js'

export interface Problem {
  sheet: string
  line: number
  column: string
  message: string
  /** The owner unit the administration lacks, for a problem that creating it would solve. */
  unit?: string
}

export interface UnknownUnit {
  /** As first spelt on its sheet. */
  name: string
  sheet: string
  column: string
  lines: number[]
}

export const listed = (labels: readonly string[]) => `${labels.slice(0, -1).join(', ')} eller ${labels.at(-1)}`

/** A value given by code, by its Swedish label, or (for the scale) by its number: "3", "3 – Möjlig" or "Möjlig". */
export function fromList<C extends string>(list: readonly { code: C; label: string }[], text: string): C | undefined {
  const wanted = normalise(text)
  return list.find((item) => normalise(item.label) === wanted || item.code === wanted)?.code
}

/** A zod field builder's verdict on one cell: its value, or its Swedish message. */
function viaForm<T>(schema: z.ZodType<T>, text: string): { value: T } | { message: string } {
  const parsed = schema.safeParse(text)
  return parsed.success ? { value: parsed.data } : { message: parsed.error.issues[0]?.message ?? 'Ogiltigt värde.' }
}

const columnOf = (sheet: ParsedSheet, i: number) =>
  i < 0 ? '' : `${columnLetter(i)} (${columnName(i, sheet.headers[i] ?? '')})`

/** One row of a sheet as its mapped fields, with a way to note a problem in one of its cells. */
export function rowReader(
  sheet: ParsedSheet,
  fields: string[],
  row: { line: number; cells: string[] },
  problems: Problem[],
) {
  const index = (key: string) => fields.indexOf(key)
  const cell = (key: string) => (index(key) < 0 ? '' : (row.cells[index(key)] ?? ''))
  const problem = (key: string, message: string, unit?: string) => {
    problems.push({ sheet: sheet.name, line: row.line, column: columnOf(sheet, index(key)), message, unit })
  }
  const parse = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
    const result = viaForm(schema, cell(key))
    if ('value' in result) return result.value
    problem(key, result.message)
    return undefined
  }
  /**
   * Cells read together by a form's schema, its fields and the rules that compare them: `input` by the form's field
   * names, `columns` the key of each field's column. The value, or undefined after noting each field's first message
   * at its column; a field in `noted` has a problem of the row's own already and gets no second one.
   */
  const parseFields = <T>(
    schema: z.ZodType<T>,
    input: Record<string, string>,
    columns: Record<string, string>,
    noted: readonly string[] = [],
  ): T | undefined => {
    const parsed = schema.safeParse(input)
    if (parsed.success) return parsed.data
    const said = new Set(noted)
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '')
      if (said.has(field)) continue
      said.add(field)
      problem(columns[field] ?? field, issue.message)
    }
    return undefined
  }
  return {
    cell,
    problem,
    parse,
    parseFields,
    column: (key: string) => columnOf(sheet, index(key)),
    line: row.line,
    sheet,
  }
}

export type RowReader = ReturnType<typeof rowReader>

/**
 * The owner units a file names, against the administration's: each unknown one is listed once per sheet with the
 * rows naming it, and is a problem of those rows unless the user chose to create it.
 */
export function ownerUnits(context: { unitNames: string[]; createUnits: string[] }) {
  const known = new Set([...context.unitNames, ...context.createUnits].map(normalise))
  const existing = new Set(context.unitNames.map(normalise))
  const unknown = new Map<string, UnknownUnit>()
  return {
    check(row: RowReader, key: string, owner: string) {
      if (existing.has(normalise(owner))) return
      const id = `${row.sheet.name}\n${normalise(owner)}`
      const unit = unknown.get(id) ?? { name: owner, sheet: row.sheet.name, column: row.column(key), lines: [] }
      unit.lines.push(row.line)
      unknown.set(id, unit)
      if (!known.has(normalise(owner))) row.problem(key, `Okänd ansvarig enhet ”${owner}”`, unit.name)
    },
    unknownUnits: () => [...unknown.values()],
  }
}
