import { readFileSync } from 'node:fs'
import type { Actor } from '../../server/audit/repository.js'
import type { Db } from '../connection.js'
import { type InventedPlanFixture, insertInventedPlan } from './invented-plan.js'

// The demo's municipal company (bolag), Malmö Stadsfastigheter AB, and its plan for the year the demo is loaded in,
// adopted by its board (styrelse). Invented: Malmö has no company of that name. Its measures are dated around the
// loading day: one overdue, one due within two weeks, one done and one later.

/**
 * Makes Malmö Stadsfastigheter AB in the demo municipality, a committee of kind 'company' under its own
 * administration, and loads its plan for the year of `today` (YYYY-MM-DD). Every record is made through the audit
 * log. The demo's coordinator and administrator read it already; no account gets a role in it.
 */
export async function insertCompanyDemo(trx: Db, actor: Actor, today: string, municipalityId: number) {
  const data = JSON.parse(readFileSync(new URL('./bolag-demo.json', import.meta.url), 'utf8')) as InventedPlanFixture
  await insertInventedPlan(trx, actor, today, municipalityId, data, 'company')
}
