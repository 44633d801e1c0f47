import type { Db } from '../../db/connection.js'
import type { ControlFrequency, Database, MeasureStatus } from '../../db/schema.js'
import { createControl } from '../../server/controls/write.js'
import { insertMeasure } from '../../server/measures/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { insertPlan } from '../../server/plans/repository.js'
import { insertRisk } from '../../server/risks/repository.js'

/** The demo plan's risks, each with its measures, in the order of the plan. */
export const demoContents: [string, string[]][] = [
  ['Röjande av sekretess', ['Fördjupad analys och upprättande av handlingsplan']],
  [
    'Risk för bristande följsamhet mot skattelagstiftning kopplat till förmåner',
    ['Informationsinsats till chefer och medarbetare via KortNytt'],
  ],
  [
    'Risk för otillåten påverkan',
    [
      'Integrera begreppet "otillåten påverkan" i stödmaterialet för förvaltningens intern kontroll-arbetsgrupp',
      'Information om otillåten påverkan inom ramen för intern kontrollarbetet vid grundskoleförvaltningens introduktion för nya chefer',
    ],
  ],
  [
    'Bristfällig kontroll av utdrag ur belastningsregister vid nyrekrytering',
    [
      'Informationsinsats till förvaltningens chefer kring rutiner för belastningsregister',
      'Revidera och tydliggöra delar i förvaltningens Rutin för referenstagning och kontroll av uttag ur belastningsregistret',
      'Förstärka HR-avdelningens introduktion av nya chefer avseende rutiner vid belastningsregister',
      'Riktade insatser mot administrativa chefer och skoladministratör gällande formaliadelarna kring utdragen',
    ],
  ],
  [
    'Bristande systematik i det förebyggande elevhälsoarbetet',
    [
      'Främja ökad likvärdighet med hjälp av förvaltningsgemensam mall för lokal elevhälsoplan',
      'Kompetenshöjande insats för skolledare kring elevhälsouppdraget',
    ],
  ],
  [
    'Diskrepans mellan betyg på nationella proven och betyg',
    [
      'Ta fram förslag för att utveckla analys av bedömning och betygssättning inom ramen för det systematiska kvalitetsarbetet',
      'Genomföra en fördjupad analys om bakomliggande orsaker till skillnader i bedömning och betygssättning',
    ],
  ],
]

/** The demo plan's risk headings as pages show them. */
export const demoRiskHeadings = demoContents.map(([risk]) => `Risk: ${risk}`)

/** The demo plan's ids, looked up rather than assumed. */
export async function demoPlan(db: Db) {
  const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', plan.id).orderBy('position').execute()
  const units = await db.selectFrom('owner_unit').select(['id', 'name']).execute()
  const unit = (name: string) => units.find((u) => u.name === name)?.id as number
  return { planId: plan.id, risks, unit }
}

export async function aRisk(db: Db, planId: number, overrides: { title?: string } = {}) {
  return insertRisk(db, {
    plan_id: planId,
    title: overrides.title ?? 'Risk för felaktiga utbetalningar',
    description: 'Risk för X på grund av Y, vilket kan leda till Z.',
    likelihood: 3,
    consequence: 4,
    treatment: 'review',
    scope: 'committee',
    position: await nextPosition(db, 'risk', planId),
  })
}

export async function aMeasure(
  db: Db,
  riskId: number,
  ownerUnitId: number,
  overrides: {
    title?: string
    status?: MeasureStatus
    dueDate?: string | null
    whatToDo?: string
    progress?: string
  } = {},
) {
  return insertMeasure(
    db,
    {
      risk_id: riskId,
      title: overrides.title ?? 'Ta fram en rutin',
      what_to_do: overrides.whatToDo ?? 'Rutinen ska beskriva kontrollen.',
      progress: overrides.progress ?? '',
      owner_unit_id: ownerUnitId,
      responsible_person: '',
      due_date: overrides.dueDate ?? null,
      status: overrides.status ?? 'not_started',
      position: await nextPosition(db, 'measure', riskId),
    },
    '2021-01-01T00:00:00.000Z',
  )
}

/** A second, empty plan of the demo committee, for checks that one plan's records stay out of another's pages. */
export async function anotherPlan(db: Db, year = 2021): Promise<number> {
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  return insertPlan(db, {
    committee_id: committee.id,
    year,
    title: `Internkontrollplan ${year}`,
    introduction: '',
    measures_introduction: '',
    adopted_meeting_date: null,
    adopted_minutes_paragraph: null,
  })
}

/** How many risks and measures a plan holds, counted in the database. */
export async function planSize(db: Db, planId: number): Promise<{ risks: number; measures: number }> {
  const risks = await db.selectFrom('risk').select('id').where('plan_id', '=', planId).execute()
  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select('measure.id')
    .where('risk.plan_id', '=', planId)
    .execute()
  return { risks: risks.length, measures: measures.length }
}

/** A quarterly control of a risk, with its four occasions in the risk's plan year, each in the audit log. */
export async function aControl(
  db: Db,
  riskId: number,
  ownerUnitId: number,
  overrides: { title?: string; frequency?: ControlFrequency } = {},
) {
  const plan = await db
    .selectFrom('plan')
    .innerJoin('risk', 'risk.plan_id', 'plan.id')
    .select(['plan.id', 'plan.year'])
    .where('risk.id', '=', riskId)
    .executeTakeFirstOrThrow()
  const actor = { userId: null, userName: 'Testdata', at: '2020-01-10T09:00:00.000Z' }
  return createControl(db, actor, plan, {
    risk_id: riskId,
    title: overrides.title ?? 'Kontroll av utdrag ur belastningsregistret',
    what_is_checked: 'Att utdrag har visats före anställning.',
    method: 'sample',
    method_own: '',
    frequency: overrides.frequency ?? 'quarterly',
    owner_unit_id: ownerUnitId,
    responsible_person: '',
    reported_to: 'committee',
    position: await nextPosition(db, 'control', riskId),
  })
}

/** How many rows a table holds: what a refused request must leave as it was. */
export async function rowCount(db: Db, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table as 'app_user')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The mapping an administrator makes on *Roller från grupper*: members of `group` get `role` in the committee. */
export async function aGroupRole(
  db: Db,
  group: string,
  role: 'admin' | 'secretary' | 'reader',
  committee: number | null,
) {
  await db
    .insertInto('sso_group_role')
    .values({ group_name: group, role, committee_id: committee, created_at: '2021-03-15T09:00:00Z' })
    .execute()
}
