import { audited, type Target } from '../../server/audit/audited.js'
import type { Actor } from '../../server/audit/repository.js'
import { addDays } from '../../server/dates.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { insertAdministration, insertCommittee, insertOwnerUnit } from '../../server/organisation/repository.js'
import { insertPlan } from '../../server/plans/repository.js'
import { insertRisk } from '../../server/risks/repository.js'
import type { Db } from '../connection.js'
import type { CommitteeKind, MeasureStatus, RiskTreatment } from '../schema.js'

// The demo's invented committees and companies (preschool.ts, company.ts) each come with their administration,
// units and a plan of the year the demo is loaded in, adopted the December before, with risks and measures dated
// around the loading day. What they share is made here; each adds what is its own.

export interface NewMeasure {
  title: string
  whatToDo: string
  progress: string
  owner: string
  status: MeasureStatus
}

/** The fields of an invented committee's JSON file that this loader reads. */
export interface InventedPlanFixture {
  committee: string
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
  measures: (NewMeasure & { risk: string; dueInDays: number })[]
}

type Create = (target: Target, insert: () => Promise<number>) => Promise<number>

/**
 * Makes the committee (or company) of `data` in the municipality, with its administration and units, and its plan for
 * the year of `today` (YYYY-MM-DD) with the risks and measures; every record through the audit log. Returns what the
 * caller needs to add its own records: the ids, lookups by name and reference, and a way to add a measure.
 */
export async function insertInventedPlan(
  trx: Db,
  actor: Actor,
  today: string,
  municipalityId: number,
  data: InventedPlanFixture,
  kind: CommitteeKind,
) {
  const year = Number(today.slice(0, 4))
  const create: Create = (target, insert) => audited(trx, actor, 'create', target, insert)

  const administrationId = await create({ entity: 'administration', planId: null }, () =>
    insertAdministration(trx, { municipalityId, name: data.administration, diaryPrefix: data.diaryPrefix }),
  )
  const committeeId = await create({ entity: 'committee', planId: null }, () =>
    insertCommittee(trx, { administrationId, name: data.committee, kind }),
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
  const risk = (ref: string) => {
    const id = riskId.get(ref)
    if (id === undefined) throw new Error(`No demo risk ${ref}`)
    return id
  }

  const addMeasure = (riskRef: string, measure: NewMeasure, dueDate: string, originDeviationId: number | null) =>
    create({ entity: 'measure', planId }, async () =>
      insertMeasure(
        trx,
        {
          risk_id: risk(riskRef),
          title: measure.title,
          what_to_do: measure.whatToDo,
          progress: measure.progress,
          owner_unit_id: unit(measure.owner),
          responsible_person: '',
          due_date: dueDate,
          status: measure.status,
          position: await nextPosition(trx, 'measure', risk(riskRef)),
          origin_area_id: null,
          carried_from_measure_id: null,
          origin_deviation_id: originDeviationId,
        },
        actor.at,
      ),
    )
  for (const measure of data.measures) await addMeasure(measure.risk, measure, addDays(today, measure.dueInDays), null)

  return { year, committeeId, planId, unit, risk, create, addMeasure }
}
