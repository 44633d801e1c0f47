import type { Risk } from '../../db/schema.js'
import { consequenceScale, likelihoodScale, type ScoreBand, scoreBand } from '../vocabulary.js'
import { riskSummary } from './view-model.js'

// The risk matrix (sannolikhet × konsekvens) as display data: which risk sits in which of the 16 cells, and
// where the SVG draws each thing. The plan page and the follow-up report render it with one partial.

export interface MatrixRisk {
  id: number
  /** Its place in the plan, 1-based: the short label the grid shows where titles would not fit. */
  number: number
  title: string
  href: string
}

export interface MatrixCell {
  likelihood: number
  consequence: number
  score: number
  band: ScoreBand
  /** Fill of the band; dark text on it has a contrast of at least 7:1. */
  fill: string
  x: number
  y: number
  width: number
  height: number
  /** Baseline of the score in the cell's corner. */
  scoreX: number
  scoreY: number
  /** Each risk with the centre of its numbered circle and the baseline of its number. */
  risks: (MatrixRisk & { cx: number; cy: number; textY: number })[]
}

export interface RiskMatrix {
  width: number
  height: number
  /** Likelihood 4 at the top, as risk matrices are read. */
  rows: { likelihood: number; label: string; labelX: number; labelY: number; cells: MatrixCell[] }[]
  columns: { consequence: number; label: string; labelX: number; labelY: number }[]
  /** Where the two axis titles are centred; the likelihood title is turned to run up the side. */
  axes: { likelihoodX: number; likelihoodY: number; consequenceX: number; consequenceY: number }
  /** The scored risks in plan order, for the legend. */
  scored: (MatrixRisk & { likelihood: number; consequence: number; score: number; band: ScoreBand })[]
  /** Risks missing likelihood or consequence: "Ej bedömda". */
  unscored: MatrixRisk[]
}

const fills: Record<ScoreBand['code'], string> = { low: '#9fd4b0', medium: '#ffe27a', high: '#f29b8f' }

// Geometry in SVG user units (≈ CSS px at full size).
const axisTitle = 26
const rowLabelWidth = 128
const cellWidth = 110
const minCellHeight = 72
const scoreLine = 22
const slot = 28
const perLine = Math.floor((cellWidth - 8) / slot)
const columnLabelHeight = 26
/** From the middle of a 13-unit line of text to its baseline. */
const baselineShift = 4.5

export function riskMatrix(risks: readonly Risk[], hrefOf: (risk: { id: number }) => string): RiskMatrix {
  const numbered = risks.map((risk, index) => ({
    risk,
    shown: { id: risk.id, number: index + 1, title: risk.title, href: hrefOf(risk) },
  }))
  const scale = [1, 2, 3, 4]
  const inCell = (likelihood: number, consequence: number) =>
    numbered.filter(({ risk }) => risk.likelihood === likelihood && risk.consequence === consequence)
  const heightOf = (likelihood: number) => {
    const most = Math.max(0, ...scale.map((c) => inCell(likelihood, c).length))
    return Math.max(minCellHeight, scoreLine + Math.ceil(most / perLine) * slot + 6)
  }

  const gridX = axisTitle + rowLabelWidth
  let y = 0
  const rows = [...scale].reverse().map((likelihood) => {
    const height = heightOf(likelihood)
    const top = y
    y += height
    return {
      likelihood,
      label: `${likelihood} ${likelihoodScale[likelihood - 1]}`,
      labelX: gridX - 8,
      labelY: top + height / 2 + baselineShift,
      cells: scale.map((consequence): MatrixCell => {
        const x = gridX + (consequence - 1) * cellWidth
        const score = likelihood * consequence
        const band = scoreBand(score)
        return {
          likelihood,
          consequence,
          score,
          band,
          fill: fills[band.code],
          x,
          y: top,
          width: cellWidth,
          height,
          scoreX: x + 6,
          scoreY: top + 16,
          risks: inCell(likelihood, consequence).map(({ shown }, i) => {
            const cy = top + scoreLine + slot / 2 + Math.floor(i / perLine) * slot
            return { ...shown, cx: x + 4 + slot / 2 + (i % perLine) * slot, cy, textY: cy + baselineShift }
          }),
        }
      }),
    }
  })
  const gridHeight = y

  return {
    width: gridX + scale.length * cellWidth,
    height: gridHeight + columnLabelHeight + axisTitle,
    rows,
    columns: scale.map((consequence) => ({
      consequence,
      label: `${consequence} ${consequenceScale[consequence - 1]}`,
      labelX: gridX + (consequence - 0.5) * cellWidth,
      labelY: gridHeight + columnLabelHeight - 8,
    })),
    axes: {
      likelihoodX: axisTitle / 2,
      likelihoodY: gridHeight / 2,
      consequenceX: gridX + (scale.length * cellWidth) / 2,
      consequenceY: gridHeight + columnLabelHeight + axisTitle - 6,
    },
    scored: numbered.flatMap(({ risk, shown }) => {
      const { likelihood, consequence, score, band } = riskSummary(risk)
      return likelihood !== null && consequence !== null && score !== null && band !== null
        ? [{ ...shown, likelihood, consequence, score, band }]
        : []
    }),
    unscored: numbered.filter(({ risk }) => riskSummary(risk).score === null).map((n) => n.shown),
  }
}
