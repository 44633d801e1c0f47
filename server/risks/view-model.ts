import type { Risk } from '../../db/schema.js'
import { labelOf, riskScopes, riskTreatments, scoreBand } from '../vocabulary.js'

/**
 * A risk as it is shown: its score and band when both scales are assessed, and Swedish labels; the type of review
 * only for a risk that is reviewed (the column keeps a value for every risk, which means nothing for the others).
 */
export function riskSummary<R extends Risk>(risk: R) {
  const score = risk.likelihood !== null && risk.consequence !== null ? risk.likelihood * risk.consequence : null
  return {
    ...risk,
    score,
    band: score === null ? null : scoreBand(score),
    treatmentLabel: labelOf(riskTreatments, risk.treatment),
    scopeLabel: risk.treatment === 'review' ? labelOf(riskScopes, risk.scope) : null,
  }
}
