import { readFileSync } from 'node:fs'
import { audited, type Target } from '../../server/audit/audited.js'
import type { Actor } from '../../server/audit/repository.js'
import { addDays } from '../../server/dates.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { insertAdministration, insertCommittee, insertOwnerUnit } from '../../server/organisation/repository.js'
import { insertPlan } from '../../server/plans/repository.js'
import { insertRisk } from '../../server/risks/repository.js'
import type { Db } from '../connection.js'
import type { MeasureStatus, RiskTreatment } from '../schema.js'

// The demo's municipal company (bolag), Malmö Stadsfastigheter AB, and its plan for the year the demo is loaded in,
// adopted by its board (styrelse). Invented: Malmö has no company of that name. Its measures are dated around the
// loading day: one overdue, one due within two weeks, one done and one later.

interface CompanyFixture {
  company: string
  administration: string
  diaryPrefix: string
  units: string[]
  adoption: { monthDayYearBefore: string; minutesParagraph: number; diaryNumber: string }
  introduction: string
  measuresIntroduction: string
  risks: {
    ref: string
    title: string
    description: string
    likelihood: number
    consequence: number
    treatment: RiskTreatment
  }[]
  measures: {
    risk: string
    title: string
    whatToDo: string
    progress: string
    owner: string
    status: MeasureStatus
    dueInDays: number
  }[]
}

type Create = (target: Target, insert: () => Promise<number>) => Promise<number>

/**
 * Makes Malmö Stadsfastigheter AB in the demo municipality, a committee of kind 'company' under its own
 * administration, and loads its plan for the year of `today` (YYYY-MM-DD). Every record is made through the audit
 * log. The demo's coordinator and administrator read it already; no account gets a role in it.
 */
export async function insertCompanyDemo(trx: Db, actor: Actor, today: string, municipalityId: number) {
  const data = JSON.parse(readFileSync(new URL('./bolag-demo.json', import.meta.url), 'utf8')) as CompanyFixture
  const year = Number(today.slice(0, 4))
  const create: Create = (target, insert) => audited(trx, actor, 'create', target, insert)

  const administrationId = await create({ entity: 'administration', planId: null }, () =>
    insertAdministration(trx, { municipalityId, name: data.administration, diaryPrefix: data.diaryPrefix }),
  )
  const committeeId = await create({ entity: 'committee', planId: null }, () =>
    insertCommittee(trx, { administrationId, name: data.company, kind: 'company' }),
  )
  const unitId = new Map<string, number>()
  for (const name of data.units) {
    unitId.set(
      name,
      await create({ entity: 'owner_unit', planId: null }, () => insertOwnerUnit(trx, administrationId, name)),
    )
  }
  const unit = (name: string) => {
    const id = unitId.get(name)
    if (id === undefined) throw new Error(`No demo unit ${name} in ${data.administration}`)
    return id
  }

  const { adoption } = data
  const planId = await create({ entity: 'plan', planId: null }, () =>
    insertPlan(trx, {
      committee_id: committeeId,
      year,
      title: `Internkontrollplan ${year}`,
      introduction: data.introduction,
      measures_introduction: data.measuresIntroduction,
      adopted_meeting_date: `${year - 1}-${adoption.monthDayYearBefore}`,
      adopted_minutes_paragraph: adoption.minutesParagraph,
      adopted_diary_number: `${data.diaryPrefix}-${year - 1}-${adoption.diaryNumber}`,
    }),
  )

  const riskId = new Map<string, number>()
  for (const [index, risk] of data.risks.entries()) {
    const id = await create({ entity: 'risk', planId }, () =>
      insertRisk(trx, {
        plan_id: planId,
        title: risk.title,
        description: risk.description,
        likelihood: risk.likelihood,
        consequence: risk.consequence,
        treatment: risk.treatment,
        scope: 'committee',
        position: index + 1,
      }),
    )
    riskId.set(risk.ref, id)
  }

  for (const measure of data.measures) {
    const risk = riskId.get(measure.risk)
    if (risk === undefined) throw new Error(`No demo risk ${measure.risk}`)
    await create({ entity: 'measure', planId }, async () =>
      insertMeasure(
        trx,
        {
          risk_id: risk,
          title: measure.title,
          what_to_do: measure.whatToDo,
          progress: measure.progress,
          owner_unit_id: unit(measure.owner),
          responsible_person: '',
          due_date: addDays(today, measure.dueInDays),
          status: measure.status,
          position: await nextPosition(trx, 'measure', risk),
          origin_area_id: null,
          carried_from_measure_id: null,
          origin_deviation_id: null,
        },
        actor.at,
      ),
    )
  }
}
