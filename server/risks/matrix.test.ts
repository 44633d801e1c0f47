import { describe, expect, it } from 'vitest'
import type { Risk } from '../../db/schema.js'
import { type MatrixCell, type RiskMatrix, riskMatrix } from './matrix.js'

let nextId = 100
function risk(likelihood: number | null, consequence: number | null, title = `Risk ${nextId}`): Risk {
  nextId++
  return {
    id: nextId,
    plan_id: 1,
    title,
    description: '',
    likelihood,
    consequence,
    treatment: 'review',
    scope: 'committee',
    position: nextId,
    version: 1,
    previous_risk_id: null,
    municipal_item_id: null,
  }
}

const href = (r: { id: number }) => `/planer/1/risker/${r.id}`
const cells = (matrix: RiskMatrix) => matrix.rows.flatMap((row) => row.cells)
const cellOf = (matrix: RiskMatrix, l: number, c: number) =>
  cells(matrix).find((cell) => cell.likelihood === l && cell.consequence === c) as MatrixCell

// The bands of ../shared/domain.md, written out cell by cell: rows likelihood 4 to 1, columns consequence 1 to 4.
const expectedBands = [
  ['low', 'medium', 'high', 'high'],
  ['low', 'medium', 'high', 'high'],
  ['low', 'low', 'medium', 'medium'],
  ['low', 'low', 'low', 'low'],
]

const grid = [1, 2, 3, 4].flatMap((l) => [1, 2, 3, 4].map((c) => ({ l, c })))

describe('riskMatrix', () => {
  it.each(grid)('places a risk of likelihood $l and consequence $c in that cell alone, with its band', ({ l, c }) => {
    const placed = risk(l, c, 'Den bedömda risken')
    const matrix = riskMatrix([risk(null, null), placed], href)
    const cell = cellOf(matrix, l, c)
    expect(cell.score).toBe(l * c)
    expect(cell.band.code).toBe(expectedBands[4 - l]?.[c - 1])
    expect(cell.risks.map((r) => [r.number, r.title, r.href])).toEqual([
      [2, 'Den bedömda risken', `/planer/1/risker/${placed.id}`],
    ])
    expect(cells(matrix).filter((other) => other.risks.length > 0)).toEqual([cell])
    expect(matrix.scored.map((r) => [r.number, r.likelihood, r.consequence, r.score, r.band.code])).toEqual([
      [2, l, c, l * c, cell.band.code],
    ])
  })

  it('has the 16 cells in rows of likelihood 4 to 1 and columns of consequence 1 to 4, labelled with the scales', () => {
    const matrix = riskMatrix([], href)
    expect(matrix.rows.map((row) => row.label)).toEqual(['4 Sannolik', '3 Möjlig', '2 Mindre sannolik', '1 Osannolik'])
    expect(matrix.columns.map((column) => column.label)).toEqual([
      '1 Försumbar',
      '2 Lindrig',
      '3 Kännbar',
      '4 Allvarlig',
    ])
    expect(matrix.rows.map((row) => row.cells.map((cell) => cell.band.code))).toEqual(expectedBands)
    expect(matrix.rows.map((row) => row.cells.map((cell) => cell.score))).toEqual([
      [4, 8, 12, 16],
      [3, 6, 9, 12],
      [2, 4, 6, 8],
      [1, 2, 3, 4],
    ])
    expect(new Set(cells(matrix).map((cell) => cell.fill)).size).toBe(3)
  })

  it('lists a risk without likelihood or consequence, or without both, as unscored and in no cell', () => {
    const risks = [risk(2, 3), risk(null, 3), risk(2, null), risk(null, null)]
    const matrix = riskMatrix(risks, href)
    expect(matrix.unscored.map((r) => [r.number, r.href])).toEqual(
      [2, 3, 4].map((number) => [number, href(risks[number - 1] as Risk)]),
    )
    expect(matrix.scored.map((r) => r.number)).toEqual([1])
    expect(cells(matrix).flatMap((cell) => cell.risks.map((r) => r.number))).toEqual([1])
  })

  it('draws the cells edge to edge without overlap, and every numbered circle inside its cell and the picture', () => {
    // Seven risks in one cell need three lines of circles, and make their row taller than the others.
    const crowded = Array.from({ length: 7 }, () => risk(3, 2))
    const matrix = riskMatrix([...crowded, risk(4, 4), risk(1, 1)], href)
    const heights = matrix.rows.map((row) => row.cells[0]?.height as number)
    expect(heights[1]).toBeGreaterThan(heights[0] as number)
    expect(heights[0]).toBe(heights[2])
    for (const [index, row] of matrix.rows.entries()) {
      for (const [column, cell] of row.cells.entries()) {
        const right = row.cells[column + 1]
        if (right) expect(right.x).toBe(cell.x + cell.width)
        const below = matrix.rows[index + 1]?.cells[column]
        if (below) expect(below.y).toBe(cell.y + cell.height)
        for (const r of cell.risks) {
          expect(r.cx - 12).toBeGreaterThanOrEqual(cell.x)
          expect(r.cx + 12).toBeLessThanOrEqual(cell.x + cell.width)
          expect(r.cy - 12).toBeGreaterThan(cell.scoreY)
          expect(r.cy + 12).toBeLessThanOrEqual(cell.y + cell.height)
        }
        const circles = new Set(cell.risks.map((r) => `${r.cx},${r.cy}`))
        expect(circles.size).toBe(cell.risks.length)
      }
    }
    const last = matrix.rows.at(-1)?.cells.at(-1) as MatrixCell
    expect(last.x + last.width).toBe(matrix.width)
    expect(last.y + last.height).toBeLessThan(matrix.height)
    expect(matrix.columns.every((column) => column.labelY < matrix.axes.consequenceY)).toBe(true)
    expect(matrix.axes.consequenceY).toBeLessThanOrEqual(matrix.height)
  })
})
