import { readFileSync } from 'node:fs'
import { audited, type Target } from '../../server/audit/audited.js'
import type { Actor } from '../../server/audit/repository.js'
import { hashPassword } from '../../server/auth/passwords.js'
import { addUnitMember, grantCommitteeRole, grantCoordinatorRole, insertUser } from '../../server/auth/repository.js'
import { addDays, swedishDate } from '../../server/dates.js'
import { insertMeasure, listMeasuresOfPlan, updateMeasure } from '../../server/measures/repository.js'
import { createCarriedOverPlan } from '../../server/next-year/repository.js'
import { nextPosition } from '../../server/ordering.js'
import { listRisks, updateRisk } from '../../server/risks/repository.js'
import { inspectionKinds, labelOf } from '../../server/vocabulary.js'
import type { Db } from '../connection.js'
import type { AreaOutcome, InspectionKind, MeasureStatus, RiskScope } from '../schema.js'
import { insertCompanyDemo } from './company.js'
import { insertMunicipalItemDemo } from './municipal-item.js'
import { insertPreschoolDemo } from './preschool.js'

// Grundskolenämnden's public follow-up report for 2020, as data (copied from shared/fixtures).
interface Fixture {
  municipality: string
  committee: string
  administration: string
  diaryPrefix: string
  year: number
  introduction: string
  measuresIntroduction: string
  reviews: {
    diaryNumber: string
    title: string
    kind: RiskScope
    meetingDate: string
    minutesParagraph: number
    riskRef: string | null
  }[]
  risks: {
    ref: string
    title: string
    description: string
    measures: { title: string; whatToDo: string; progress: string; owner: string; statusGuess: string }[]
  }[]
}

// Four of Skolinspektionen's follow-ups, public documents of other municipalities (copied from shared/fixtures).
interface InspectionFixture {
  inspections: {
    ref: string
    title: string | null
    principal: string
    subject: string | null
    inspectionKind: string
    authorityDiaryNumber: string | null
    period: string | null
    decisionDate: string
    reportDeadline: string | null
    reportReceived: string | null
    followUpDecisionDate: string | null
    closed: boolean | null
    signatories: { role: string; name: string }[]
    committeeApproval?: { datum: string; paragraf: string }
    developmentAreas: {
      heading: string
      legalBasis: string | null
      initialAssessment: string | null
      requiredDevelopment: string | null
      outcome: AreaOutcome | null
      addendum: string | null
    }[]
  }[]
}

// The fixture describes each kind in words; the longest matching beginning names our code.
const kindFromText: [string, InspectionKind][] = [
  ['planerad kvalitetsgranskning', 'planned_quality_review'],
  ['regelbunden kvalitetsgranskning', 'regular_quality_review'],
  ['kvalitetsgranskning', 'quality_review'],
]

/** Landskrona's finding on fair and equal grading is Malmö's risk of grades diverging from national tests. */
const demoLinks = { inspection: 'SI-LANDSKRONA-2022', area: 0, risk: 'R06' }

// The source report has no status field; the fixture's reading of each text maps to our codes.
const statusFromGuess: Record<string, MeasureStatus> = {
  ej_paborjad: 'not_started',
  pagaende: 'in_progress',
  delvis_genomford: 'partially_done',
  genomford: 'done',
  genomford_med_fortsattning: 'done_with_follow_up',
  avbruten: 'cancelled',
}

/**
 * The demo's plan for the year it is loaded in, carried over from the 2020 plan as a committee would: its risks
 * scored and its work given dates around the day the demo is loaded, so that whenever someone tries the app the
 * overdue list, the coming deadlines, the owners' start pages and the risk matrix have something to show. Unlike
 * the 2020 plan it is invented; the 2020 plan keeps the source's facts (it has no scores and no due dates).
 */
const currentYearDemo = {
  /** Likelihood and consequence of each 2020 risk's copy, spread over the low, medium and high bands. */
  scores: {
    R01: { likelihood: 2, consequence: 4 },
    R02: { likelihood: 2, consequence: 2 },
    R03: { likelihood: 3, consequence: 3 },
    R04: { likelihood: 3, consequence: 4 },
    R05: { likelihood: 3, consequence: 2 },
    R06: { likelihood: 4, consequence: 3 },
  } as Record<string, { likelihood: number; consequence: number }>,
  /**
   * Each carried measure, by title: its status this year and its due date in days from the loading day. Two are
   * past due and unfinished (Försenad), one is due within weeks and one later; the work 2020 left to continue is
   * this year's work in progress, and one piece of it is already done.
   */
  carried: {
    'Fördjupad analys och upprättande av handlingsplan': { status: 'in_progress', dueInDays: -21 },
    'Information om otillåten påverkan inom ramen för intern kontrollarbetet vid grundskoleförvaltningens introduktion för nya chefer':
      { status: 'done', dueInDays: -30 },
    'Främja ökad likvärdighet med hjälp av förvaltningsgemensam mall för lokal elevhälsoplan': {
      status: 'partially_done',
      dueInDays: 14,
    },
    'Kompetenshöjande insats för skolledare kring elevhälsouppdraget': { status: 'in_progress', dueInDays: -6 },
    'Ta fram förslag för att utveckla analys av bedömning och betygssättning inom ramen för det systematiska kvalitetsarbetet':
      { status: 'in_progress', dueInDays: 75 },
  } as Record<string, { status: MeasureStatus; dueInDays: number }>,
  /** HR-avdelningen finished all its 2020 work, so this year's check of its routine gives its owner a start page. */
  added: {
    risk: 'R04',
    owner: 'HR-avdelningen',
    title: 'Stickprovskontroll av utdrag ur belastningsregistret vid nyanställning',
    whatToDo:
      'HR-avdelningen kontrollerar varje kvartal ett urval av nyanställningarna: att utdrag ur belastningsregistret har begärts, visats och noterats enligt förvaltningens rutin.',
    status: 'not_started' as MeasureStatus,
    dueInDays: 9,
  },
}

/** Published with the demo, so a newcomer can log in at once; production never loads demo data (config). */
export const demoPassword = 'internkontroll-demo'

export const demoAccounts: readonly {
  email: string
  name: string
  role: 'administratör' | 'sekreterare' | 'ansvarig' | 'läsare' | 'samordnare'
  units: readonly string[]
}[] = [
  { email: 'admin@demo.internkontroll.se', name: 'Ada Administratör', role: 'administratör', units: [] },
  { email: 'sekreterare@demo.internkontroll.se', name: 'Sara Sekreterare', role: 'sekreterare', units: [] },
  { email: 'hr@demo.internkontroll.se', name: 'Hanna Holm', role: 'ansvarig', units: ['HR-avdelningen'] },
  { email: 'utbildning@demo.internkontroll.se', name: 'Ulf Ek', role: 'ansvarig', units: ['Utbildningsområden'] },
  { email: 'lasare@demo.internkontroll.se', name: 'Lars Lind', role: 'läsare', units: [] },
  // kommunövergripande samordnare of the demo municipality: reads every committee's and company's work there.
  { email: 'samordnare@demo.internkontroll.se', name: 'Kim Samordnare', role: 'samordnare', units: [] },
]

// Hashing is deliberately slow; one hash serves every demo account (and every test database) in a process.
let demoHash: Promise<string> | undefined

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as T
}

/**
 * What the demo holds: Malmö's 2020 plan as the source has it, and (unless `currentYear` is false) when `now` is
 * later the current year's carried over from it, Förskolenämnden with its plan of the current year, kept
 * through controls (preschool.ts), and the municipal company Malmö Stadsfastigheter AB with its plan of the
 * current year (company.ts). Route tests use the source alone: they are written against its facts and make
 * plans of their own for the years after it.
 */
export interface DemoOptions {
  currentYear?: boolean
  /** The demo accounts' password hash, instead of one made at the full cost (tests log in hundreds of times). */
  passwordHash?: string
}

/** Loads the demo plans when the database holds no municipality yet; returns whether it did. */
export async function loadDemoDataIfEmpty(db: Db, now: Date, options: DemoOptions = {}): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('municipality').select('id').limit(1).executeTakeFirst()
    if (existing) return false
    await insertDemoData(trx, now, options)
    return true
  })
}

/** Empties every table (children first) and loads the demo plans again, in one transaction. */
export async function resetToDemoData(db: Db, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of [
      'audit_event',
      'development_area_measure',
      'development_area_risk',
      'login_failure',
      'session',
      'unit_member',
      'committee_role',
      'sso_role_grant',
      'sso_identity',
      'sso_group_role',
      'app_user',
      'report_version',
      'measure_status_change',
      'measure',
      'control_deviation',
      'control_run',
      'control',
      'development_area',
      'inspection',
      'review',
      'risk',
      'plan',
      'municipal_item_committee',
      'municipal_item',
      'owner_unit',
      'committee',
      'administration',
      'municipality',
    ] as const) {
      await trx.deleteFrom(table).execute()
    }
    await insertDemoData(trx, now)
  })
}

const insertedId = (query: { executeTakeFirstOrThrow: () => Promise<{ id: number }> }) =>
  query.executeTakeFirstOrThrow().then((row) => row.id)

/** Who the demo data's audit rows name: every record has its create in the log, so a fresh demo verifies. */
export const demoDataActor = 'Demodata (db:seed)'

async function insertDemoData(
  trx: Db,
  now: Date,
  { currentYear = true, passwordHash: givenHash }: DemoOptions = {},
): Promise<void> {
  const actor = { userId: null, userName: demoDataActor, at: now.toISOString() }
  const create = (target: Target, insert: () => Promise<number>) => audited(trx, actor, 'create', target, insert)
  const data = readJson<Fixture>('./malmo-2020.json')
  const municipalityId = await create({ entity: 'municipality', planId: null }, () =>
    insertedId(trx.insertInto('municipality').values({ name: data.municipality }).returning('id')),
  )
  const administrationId = await create({ entity: 'administration', planId: null }, () =>
    insertedId(
      trx
        .insertInto('administration')
        .values({ municipality_id: municipalityId, name: data.administration, diary_prefix: data.diaryPrefix })
        .returning('id'),
    ),
  )
  const committeeId = await create({ entity: 'committee', planId: null }, () =>
    insertedId(
      trx
        .insertInto('committee')
        .values({ municipality_id: municipalityId, administration_id: administrationId, name: data.committee })
        .returning('id'),
    ),
  )

  const unitId = new Map<string, number>()
  for (const name of new Set(data.risks.flatMap((r) => r.measures.map((m) => m.owner)))) {
    const id = await create({ entity: 'owner_unit', planId: null }, () =>
      insertedId(trx.insertInto('owner_unit').values({ administration_id: administrationId, name }).returning('id')),
    )
    unitId.set(name, id)
  }

  demoHash ??= hashPassword(demoPassword)
  const passwordHash = givenHash ?? (await demoHash)
  for (const account of demoAccounts) {
    await create({ entity: 'app_user', planId: null }, async () => {
      const userId = await insertUser(trx, {
        email: account.email,
        name: account.name,
        passwordHash,
        isAdmin: account.role === 'administratör',
        createdAt: now.toISOString(),
      })
      if (account.role === 'sekreterare') await grantCommitteeRole(trx, userId, committeeId, 'secretary')
      if (account.role === 'läsare') await grantCommitteeRole(trx, userId, committeeId, 'reader')
      if (account.role === 'samordnare') await grantCoordinatorRole(trx, userId, municipalityId)
      for (const unit of account.units) await addUnitMember(trx, userId, unitId.get(unit) as number)
      return userId
    })
  }

  const planId = await create({ entity: 'plan', planId: null }, () =>
    insertedId(
      trx
        .insertInto('plan')
        .values({
          committee_id: committeeId,
          year: data.year,
          title: `Internkontrollplan ${data.year}`,
          introduction: data.introduction,
          measures_introduction: data.measuresIntroduction,
          adopted_meeting_date: null,
          adopted_minutes_paragraph: null,
        })
        .returning('id'),
    ),
  )

  const riskId = new Map<string, number>()
  const changedAt = now.toISOString()
  for (const [index, risk] of data.risks.entries()) {
    const review = data.reviews.find((r) => r.riskRef === risk.ref)
    const id = await create({ entity: 'risk', planId }, () =>
      insertedId(
        trx
          .insertInto('risk')
          .values({
            plan_id: planId,
            title: risk.title,
            description: risk.description,
            likelihood: null,
            consequence: null,
            treatment: 'review',
            scope: review?.kind ?? 'committee',
            position: index + 1,
          })
          .returning('id'),
      ),
    )
    riskId.set(risk.ref, id)

    for (const [position, measure] of risk.measures.entries()) {
      const status = statusFromGuess[measure.statusGuess]
      if (!status) throw new Error(`Unknown statusGuess ${measure.statusGuess}`)
      await create({ entity: 'measure', planId }, () =>
        insertMeasure(
          trx,
          {
            risk_id: id,
            title: measure.title,
            what_to_do: measure.whatToDo,
            progress: measure.progress,
            owner_unit_id: unitId.get(measure.owner) as number,
            responsible_person: '',
            due_date: null,
            status,
            position: position + 1,
          },
          changedAt,
        ),
      )
    }
  }

  for (const [index, review] of data.reviews.entries()) {
    await create({ entity: 'review', planId }, () =>
      insertedId(
        trx
          .insertInto('review')
          .values({
            plan_id: planId,
            risk_id: review.riskRef ? (riskId.get(review.riskRef) ?? null) : null,
            diary_number: review.diaryNumber,
            title: review.title,
            meeting_date: review.meetingDate,
            minutes_paragraph: review.minutesParagraph,
            position: index + 1,
          })
          .returning('id'),
      ),
    )
  }

  await insertDemoInspections(trx, create, committeeId, riskId.get(demoLinks.risk) as number)
  const today = swedishDate(now)
  // A demo loaded in 2020 (by a test's clock) has the 2020 plan for its current year.
  if (!currentYear || Number(today.slice(0, 4)) <= data.year) return
  // Carried over last, so that the copies take up the development area linked above.
  const from = { id: planId, committee_id: committeeId, year: data.year }
  await insertCurrentYearPlan(trx, actor, today, from, riskId, unitId)
  // After Grundskolenämnden's records, so that theirs keep the ids they have without it.
  await insertPreschoolDemo(trx, actor, today, municipalityId)
  // After Förskolenämnden's, so that its records keep their ids too.
  await insertCompanyDemo(trx, actor, today, municipalityId)
  // Last, once all three plans of the year are there to take its copies.
  await insertMunicipalItemDemo(trx, actor, today, municipalityId)
}

/** The current year's plan, made by next year's carry-over from the 2020 plan, then scored and dated (currentYearDemo). */
async function insertCurrentYearPlan(
  trx: Db,
  actor: Actor,
  today: string,
  from: { id: number; committee_id: number; year: number },
  riskIdByRef: Map<string, number>,
  unitId: Map<string, number>,
): Promise<void> {
  const year = Number(today.slice(0, 4))
  const planId = (await createCarriedOverPlan(trx, actor, from, {
    year,
    title: `Internkontrollplan ${year}`,
  })) as number
  const update = (target: Target, change: () => Promise<unknown>) => audited(trx, actor, 'update', target, change)
  const refOf = new Map([...riskIdByRef].map(([ref, id]) => [id, ref]))
  const copyOf = new Map<string, number>()
  for (const risk of await listRisks(trx, planId)) {
    const ref = refOf.get(risk.previous_risk_id as number) as string
    copyOf.set(ref, risk.id)
    const score = currentYearDemo.scores[ref]
    if (!score) throw new Error(`No demo score for risk ${ref}`)
    await update({ entity: 'risk', id: risk.id, planId }, () => updateRisk(trx, risk.id, risk.version, score))
  }
  for (const measure of await listMeasuresOfPlan(trx, planId)) {
    const dated = currentYearDemo.carried[measure.title]
    if (!dated) throw new Error(`No demo status for carried measure ${measure.title}`)
    await update({ entity: 'measure', id: measure.id, planId }, () =>
      updateMeasure(
        trx,
        measure.id,
        measure.version,
        { status: dated.status, due_date: addDays(today, dated.dueInDays) },
        actor.at,
      ),
    )
  }
  const { added } = currentYearDemo
  const riskId = copyOf.get(added.risk) as number
  await audited(trx, actor, 'create', { entity: 'measure', planId }, async () =>
    insertMeasure(
      trx,
      {
        risk_id: riskId,
        title: added.title,
        what_to_do: added.whatToDo,
        progress: '',
        owner_unit_id: unitId.get(added.owner) as number,
        responsible_person: '',
        due_date: addDays(today, added.dueInDays),
        status: added.status,
        position: await nextPosition(trx, 'measure', riskId),
      },
      actor.at,
    ),
  )
}

type Create = (target: Target, insert: () => Promise<number>) => Promise<number>

async function insertDemoInspections(
  trx: Db,
  create: Create,
  committeeId: number,
  linkedRiskId: number,
): Promise<void> {
  const { inspections } = readJson<InspectionFixture>('./skolinspektionen.json')
  for (const inspection of inspections) {
    const kind = kindFromText.find(([text]) => inspection.inspectionKind.startsWith(text))?.[1]
    if (!kind) throw new Error(`Unknown inspection kind ${inspection.inspectionKind}`)
    const approval = inspection.committeeApproval
    const target = { planId: null, committeeId }
    const id = await create({ entity: 'inspection', ...target }, () =>
      insertedId(
        trx
          .insertInto('inspection')
          .values({
            committee_id: committeeId,
            authority: 'skolinspektionen',
            kind,
            title: inspection.title ?? `${labelOf(inspectionKinds, kind)} av ${inspection.principal}`,
            authority_diary_number: inspection.authorityDiaryNumber ?? '',
            principal: inspection.principal,
            subject: inspection.subject ?? '',
            period: inspection.period ?? '',
            decision_date: inspection.decisionDate,
            report_deadline: inspection.reportDeadline,
            approval_meeting_date: approval?.datum ?? null,
            approval_minutes_paragraph: approval ? Number(approval.paragraf.replace(/\D/g, '')) : null,
            report_sent_date: inspection.reportReceived,
            follow_up_decision_date: inspection.followUpDecisionDate,
            closed: inspection.closed ? 1 : 0,
            signatories: inspection.signatories.map((s) => `${s.role}: ${s.name}`).join('\n'),
          })
          .returning('id'),
      ),
    )
    for (const [index, area] of inspection.developmentAreas.entries()) {
      await create({ entity: 'development_area', ...target }, async () => {
        const areaId = await insertedId(
          trx
            .insertInto('development_area')
            .values({
              inspection_id: id,
              heading: area.heading,
              legal_basis: area.legalBasis ?? '',
              initial_assessment: area.initialAssessment ?? '',
              required_development: area.requiredDevelopment ?? '',
              outcome: area.outcome,
              outcome_comment: area.addendum ?? '',
              closed_meeting_date: null,
              closed_minutes_paragraph: null,
              position: index + 1,
            })
            .returning('id'),
        )
        // The links are part of the area's record, so they go into its create.
        if (inspection.ref === demoLinks.inspection && index === demoLinks.area) {
          await trx.insertInto('development_area_risk').values({ area_id: areaId, risk_id: linkedRiskId }).execute()
          const measures = await trx.selectFrom('measure').select('id').where('risk_id', '=', linkedRiskId).execute()
          if (measures.length > 0) {
            await trx
              .insertInto('development_area_measure')
              .values(measures.map((m) => ({ area_id: areaId, measure_id: m.id })))
              .execute()
          }
        }
        return areaId
      })
    }
  }
}
