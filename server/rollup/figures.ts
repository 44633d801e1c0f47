import type { Db } from '../../db/connection.js'
import {
  countLights,
  countMeasures,
  countRisksPerCell,
  highestRiskScores,
  listCommitteePlans,
  type RollupScope,
} from './repository.js'
import { combinedMatrix, rollupHref, rollupRows } from './view-model.js'

/**
 * The roll-up's figures on `today`: each committee's and company's row and the combined risk matrix, its cells
 * linking to the roll-up's pages of the risks behind them. What the page, its export and the API's roll-up show.
 */
export async function rollupFigures(db: Db, scope: RollupScope, today: string) {
  const [committees, measures, lights, highest, cells] = await Promise.all([
    listCommitteePlans(db, scope),
    countMeasures(db, scope, today),
    countLights(db, scope, today),
    highestRiskScores(db, scope),
    countRisksPerCell(db, scope),
  ])
  const matrix = combinedMatrix(cells, (likelihood, consequence) =>
    rollupHref(scope.municipalityId, scope.year, scope.administrationId, `/risker/${likelihood}/${consequence}`),
  )
  return { committees, rows: rollupRows(committees, measures, lights, highest), matrix }
}
