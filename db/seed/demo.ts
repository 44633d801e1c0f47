import { readFileSync } from 'node:fs'
import { audited, type Target } from '../../server/audit/audited.js'
import { hashPassword } from '../../server/auth/passwords.js'
import { addUnitMember, grantCommitteeRole, insertUser } from '../../server/auth/repository.js'
import { inspectionKinds, labelOf } from '../../server/vocabulary.js'
import type { Db } from '../connection.js'
import type { AreaOutcome, InspectionKind, MeasureStatus, RiskScope } from '../schema.js'

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

/** Published with the demo, so a newcomer can log in at once; production never loads demo data (config). */
export const demoPassword = 'internkontroll-demo'

export const demoAccounts: readonly {
  email: string
  name: string
  role: 'administratör' | 'sekreterare' | 'ansvarig' | 'läsare'
  units: readonly string[]
}[] = [
  { email: 'admin@demo.internkontroll.se', name: 'Ada Administratör', role: 'administratör', units: [] },
  { email: 'sekreterare@demo.internkontroll.se', name: 'Sara Sekreterare', role: 'sekreterare', units: [] },
  { email: 'hr@demo.internkontroll.se', name: 'Hanna Holm', role: 'ansvarig', units: ['HR-avdelningen'] },
  { email: 'utbildning@demo.internkontroll.se', name: 'Ulf Ek', role: 'ansvarig', units: ['Utbildningsområden'] },
  { email: 'lasare@demo.internkontroll.se', name: 'Lars Lind', role: 'läsare', units: [] },
]

// Hashing is deliberately slow; one hash serves every demo account (and every test database) in a process.
let demoHash: Promise<string> | undefined

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as T
}

/** Loads the demo plan when the database holds no municipality yet; returns whether it did. */
export async function loadDemoDataIfEmpty(db: Db, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('municipality').select('id').limit(1).executeTakeFirst()
    if (existing) return false
    await insertDemoData(trx, now)
    return true
  })
}

/** Empties every table (children first) and loads the demo plan again, in one transaction. */
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
      'app_user',
      'report_version',
      'measure_status_change',
      'measure',
      'development_area',
      'inspection',
      'review',
      'risk',
      'plan',
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

async function insertDemoData(trx: Db, now: Date): Promise<void> {
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
  const passwordHash = await demoHash
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
      await create({ entity: 'measure', planId }, async () => {
        const measureId = await insertedId(
          trx
            .insertInto('measure')
            .values({
              risk_id: id,
              title: measure.title,
              what_to_do: measure.whatToDo,
              progress: measure.progress,
              owner_unit_id: unitId.get(measure.owner) as number,
              responsible_person: '',
              due_date: null,
              status,
              position: position + 1,
            })
            .returning('id'),
        )
        await trx
          .insertInto('measure_status_change')
          .values({ measure_id: measureId, from_status: null, to_status: status, changed_at: changedAt })
          .execute()
        return measureId
      })
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
