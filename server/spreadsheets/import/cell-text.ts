import { storable } from '../../forms.js'

export interface TextLimits {
  /** The longest cell. */
  cellChars: number
  /** All cells read together. */
  textChars: number
}

/** A file whose text cannot be a plan: one cell too long (named by its 1-based row and column), or too much of it. */
export type TextProblem =
  | { ok: false; problem: 'long-cell'; sheet: string; row: number; column: number; length: number }
  | { ok: false; problem: 'much-text' }

export class TooMuchText extends Error {
  constructor(readonly problem: TextProblem) {
    super(problem.problem)
  }
}

/**
 * Each cell as it is read, as storable text (see forms.ts): the file is given up at the first cell over the limits,
 * before a huge one is kept, stored and shown.
 */
export function cellReader(limits: TextLimits) {
  let total = 0
  return (value: string, sheet: string, row: number, column: number): string => {
    const text = storable(value).trim()
    if (text.length > limits.cellChars) {
      throw new TooMuchText({ ok: false, problem: 'long-cell', sheet, row, column, length: text.length })
    }
    total += text.length
    if (total > limits.textChars) throw new TooMuchText({ ok: false, problem: 'much-text' })
    return text
  }
}
