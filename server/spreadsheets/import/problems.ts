import type { Problem } from './rows.js'

/** Row numbers as ranges: 3, 4, 5, 9 → "3–5, 9". */
export function lineRanges(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b)
  const ranges: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i] as number
    let end = start
    while (sorted[i + 1] === end + 1) end = sorted[++i] as number
    ranges.push(end === start ? String(start) : `${start}–${end}`)
  }
  return ranges.join(', ')
}

/** "rad 3", "75 rader: 3–77". */
export const rowsText = (lines: number[]) =>
  lines.length === 1 ? `rad ${lines[0]}` : `${new Set(lines).size} rader: ${lineRanges(lines)}`

export interface ProblemGroup {
  column: string
  message: string
  rows: string
}

/**
 * The problems of one sheet, each distinct one (the same message in the same column) once with the rows it is on,
 * in the order they first occur: a file of hundreds of rows has a handful of problems, repeated.
 */
function groupProblems(problems: Problem[]): ProblemGroup[] {
  const groups = new Map<string, { column: string; message: string; lines: number[] }>()
  for (const p of problems) {
    const key = `${p.column}\n${p.message}`
    const group = groups.get(key)
    if (group) group.lines.push(p.line)
    else groups.set(key, { column: p.column, message: p.message, lines: [p.line] })
  }
  return [...groups.values()].map((g) => ({ column: g.column, message: g.message, rows: rowsText(g.lines) }))
}

/**
 * The sheets with problems, in the file's order (the risks' sheet first), each with its problems grouped; the
 * groups of unknown units, which carry their remedy, head their sheet's problems instead of those.
 */
export function sheetsWithProblems<Unit extends { sheet: string }>(
  sheetNames: string[],
  problems: Problem[],
  unitGroups: Unit[] = [],
) {
  return sheetNames
    .map((name) => ({
      name,
      unitGroups: unitGroups.filter((g) => g.sheet === name),
      groups: groupProblems(problems.filter((p) => p.sheet === name && p.unit === undefined)),
    }))
    .filter((s) => s.groups.length + s.unitGroups.length > 0)
}
