import type { Db } from '../../db/connection.js'
import {
  countLights,
  countMeasures,
  countRisksPerCell,
  highestRiskScores,
  listCommitteePlans,
  type RollupScope,
} from './repository.js'
import { combinedMatrix, rollupRows } from './view-model.js'

/**
 * The roll-up's figures on `today`: each committee's and company's row and the combined risk matrix. What the page,
 * its export, the printed roll-up report and the API's roll-up show; the page links the matrix's cells itself.
 */
export async function rollupFigures(db: Db, scope: RollupScope, today: string) {
  const [committees, measures, lights, highest, cells] = await Promise.all([
    listCommitteePlans(db, scope),
    countMeasures(db, scope, today),
    countLights(db, scope, today),
    highestRiskScores(db, scope),
    countRisksPerCell(db, scope),
  ])
  return { rows: rollupRows(committees, measures, lights, highest), matrix: combinedMatrix(cells) }
}
