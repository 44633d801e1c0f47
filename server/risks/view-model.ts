import type { Risk } from '../../db/schema.js'
import { labelOf, riskScopes, riskScore, riskTreatments } from '../vocabulary.js'

/**
 * A risk as it is shown: its score and band when both scales are assessed, and Swedish labels; the type of review
 * only for a risk that is reviewed (the column keeps a value for every risk, which means nothing for the others).
 */
export function riskSummary<R extends Risk>(risk: R) {
  const scored = riskScore(risk.likelihood, risk.consequence)
  return {
    ...risk,
    score: scored?.score ?? null,
    band: scored?.band ?? null,
    treatmentLabel: labelOf(riskTreatments, risk.treatment),
    scopeLabel: risk.treatment === 'review' ? labelOf(riskScopes, risk.scope) : null,
  }
}
