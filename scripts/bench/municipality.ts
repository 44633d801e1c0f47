// A whole municipality for `npm run bench:pages`, written straight into the tables in bulk: the forms and the
// audited repositories write a row, and an audit row, at a time, which for 30 000 measures takes minutes.
import type { Insertable } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database, MeasureStatus } from '../../db/schema.js'
import { auditedRecords, type Entity } from '../../server/audit/audited.js'
import { eventHash, genesis } from '../../server/audit/chain.js'
import { auditedEntities } from '../../server/audit/verify.js'
import { hashPassword } from '../../server/auth/passwords.js'

export const benchPassword = 'bench-pages-password'

export const benchShape = {
  committees: 32,
  companies: 8,
  years: 5,
  risksPerPlan: 30,
  measuresPerRisk: 5,
  unitsPerAdministration: 4,
  /** The first committees have external inspections, and controls with their runs. */
  committeesWithInspections: 5,
  committeesWithControls: 10,
} as const

/** The accounts the bench logs in as, one per role. */
export const benchAccounts = {
  secretary: 'sekreterare@bench.example',
  owner: 'ansvarig@bench.example',
  reader: 'lasare@bench.example',
  coordinator: 'samordnare@bench.example',
  admin: 'admin@bench.example',
} as const

export interface Municipality {
  municipalityId: number
  year: number
  /** A plan of the secretary's first committee, this year's. */
  planId: number
  measures: number
  auditRows: number
}

const words = (
  'förvaltningen rutinen kontrollen chefer medarbetare uppföljning dokumentation utbildning skolenheter ' +
  'rektorer handläggning avvikelser rapportering systematiskt kvalitetsarbete elevhälsan likvärdighet ' +
  'bedömning betygssättning analys underlag sekretess informationsinsats introduktion handlingsplan ' +
  'upphandling avtal attest delegering leverantörer fakturor bisysslor informationssäkerhet behörigheter'
).split(' ')

/** Deterministic, so two runs measure the same municipality. */
function numbers(seed: number) {
  let state = seed
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state >>> 8) % below
  }
}

const statuses: MeasureStatus[] = [
  'not_started',
  'in_progress',
  'in_progress',
  'partially_done',
  'done',
  'done_with_follow_up',
  'cancelled',
]

// SQLite allows 32 766 parameters to a statement; a chunk stays below.
async function insertAll<T extends keyof Database>(db: Db, table: T, rows: Insertable<Database[T]>[]) {
  if (rows.length === 0) return
  const size = Math.max(1, Math.floor(30_000 / Object.keys(rows[0] as object).length))
  for (let i = 0; i < rows.length; i += size) {
    // Kysely cannot type an insert into a table chosen by a type parameter; each caller's rows are typed above.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute()
  }
}

/**
 * Fills an empty, migrated database; returns where the bench points. The audit log gets one signed `create` row
 * for each record as it stands, in bulk, as the log's baseline (server/audit/baseline.ts) would, so the app starts
 * without logging them again and the audit page has a municipality's worth of rows. Open `db` with
 * openAuditedDatabase and the same key, so the commit anchors the log's head.
 */
export async function generateMunicipality(db: Db, options: { now: Date; auditKey: string }): Promise<Municipality> {
  const pick = numbers(18)
  const sentence = () => `${Array.from({ length: 6 + pick(14) }, () => words[pick(words.length)]).join(' ')}.`
  const text = (sentences: number) => Array.from({ length: sentences }, sentence).join(' ')
  const thisYear = options.now.getUTCFullYear()
  const years = Array.from({ length: benchShape.years }, (_, i) => thisYear - benchShape.years + 1 + i)
  const createdAt = options.now.toISOString()
  const passwordHash = await hashPassword(benchPassword)

  return db.transaction().execute(async (trx) => {
    await insertAll(trx, 'municipality', [{ id: 1, name: 'Benchkommunen' }])
    const committeeCount = benchShape.committees + benchShape.companies
    const administrations: Insertable<Database['administration']>[] = []
    const committees: Insertable<Database['committee']>[] = []
    const units: Insertable<Database['owner_unit']>[] = []
    for (let c = 1; c <= committeeCount; c++) {
      const company = c > benchShape.committees
      administrations.push({
        id: c,
        municipality_id: 1,
        name: company ? `Bolag ${c} AB (förvaltning)` : `Förvaltning ${c}`,
        diary_prefix: `F${c}`,
      })
      committees.push({
        id: c,
        municipality_id: 1,
        administration_id: c,
        name: company ? `Bolag ${c} AB` : `Nämnd ${c}`,
        kind: company ? 'company' : 'committee',
      })
      for (let u = 1; u <= benchShape.unitsPerAdministration; u++) {
        units.push({ id: (c - 1) * benchShape.unitsPerAdministration + u, administration_id: c, name: `Enhet ${u}` })
      }
    }
    await insertAll(trx, 'administration', administrations)
    await insertAll(trx, 'committee', committees)
    await insertAll(trx, 'owner_unit', units)

    // A secretary for every committee; the bench's secretary has the first three.
    const users: Insertable<Database['app_user']>[] = []
    const roles: Insertable<Database['committee_role']>[] = []
    const user = (email: string, name: string, isAdmin = false) => {
      const id = users.length + 1
      users.push({
        id,
        email,
        name,
        password_hash: passwordHash,
        is_admin: isAdmin ? 1 : 0,
        disabled: 0,
        created_at: createdAt,
      })
      return id
    }
    const secretary = user(benchAccounts.secretary, 'Sara Sekreterare')
    for (const c of [1, 2, 3]) roles.push({ user_id: secretary, committee_id: c, role: 'secretary' })
    for (let c = 4; c <= committeeCount; c++) {
      roles.push({
        user_id: user(`sekreterare${c}@bench.example`, `Sekreterare ${c}`),
        committee_id: c,
        role: 'secretary',
      })
    }
    const owner = user(benchAccounts.owner, 'Olle Ansvarig')
    const reader = user(benchAccounts.reader, 'Lars Läsare')
    roles.push({ user_id: reader, committee_id: 1, role: 'reader' })
    const coordinator = user(benchAccounts.coordinator, 'Kim Samordnare')
    user(benchAccounts.admin, 'Ada Administratör', true)
    await insertAll(trx, 'app_user', users)
    await insertAll(trx, 'committee_role', roles)
    await insertAll(trx, 'unit_member', [{ user_id: owner, owner_unit_id: 1 }])
    await insertAll(trx, 'municipality_role', [{ user_id: coordinator, municipality_id: 1 }])

    const plans: Insertable<Database['plan']>[] = []
    const risks: Insertable<Database['risk']>[] = []
    const reviews: Insertable<Database['review']>[] = []
    const measures: Insertable<Database['measure']>[] = []
    const controls: Insertable<Database['control']>[] = []
    const runs: Insertable<Database['control_run']>[] = []
    for (let c = 1; c <= committeeCount; c++) {
      for (const year of years) {
        const planId = plans.length + 1
        const past = year < thisYear
        plans.push({
          id: planId,
          committee_id: c,
          year,
          title: `Internkontrollplan ${year}`,
          introduction: text(5),
          measures_introduction: text(2),
          adopted_meeting_date: `${year - 1}-12-15`,
          adopted_minutes_paragraph: 100 + pick(100),
        })
        for (let r = 1; r <= benchShape.risksPerPlan; r++) {
          const riskId = risks.length + 1
          risks.push({
            id: riskId,
            plan_id: planId,
            title: `Risk ${r}: ${sentence()}`,
            description: text(1 + pick(4)),
            likelihood: 1 + pick(4),
            consequence: 1 + pick(4),
            treatment: r % 5 === 0 ? 'review' : 'direct_action',
            scope: 'committee',
            position: r,
            previous_risk_id: null,
          })
          if (r % 5 === 0) {
            reviews.push({
              id: reviews.length + 1,
              plan_id: planId,
              risk_id: riskId,
              diary_number: `F${c}-${year}-${100 + r}`,
              title: `Granskning av ${sentence()}`,
              meeting_date: past ? `${year}-11-20` : null,
              minutes_paragraph: past ? 50 + r : null,
              position: r / 5,
              result: past ? text(3) : '',
            })
          }
          for (let m = 1; m <= benchShape.measuresPerRisk; m++) {
            const status = past
              ? pick(5) === 0
                ? 'done_with_follow_up'
                : 'done'
              : (statuses[pick(statuses.length)] as MeasureStatus)
            measures.push({
              id: measures.length + 1,
              risk_id: riskId,
              title: `Åtgärd ${m}: ${sentence()}`,
              what_to_do: text(1 + pick(6)),
              progress: pick(3) === 0 ? '' : text(1 + pick(8)),
              owner_unit_id: (c - 1) * benchShape.unitsPerAdministration + 1 + pick(benchShape.unitsPerAdministration),
              responsible_person: `Person ${pick(50)}`,
              due_date:
                pick(6) === 0
                  ? null
                  : `${year}-${String(1 + pick(12)).padStart(2, '0')}-${String(1 + pick(28)).padStart(2, '0')}`,
              status,
              position: m,
              origin_area_id: null,
              carried_from_measure_id: null,
            })
          }
          if (c <= benchShape.committeesWithControls && r <= 10) {
            const controlId = controls.length + 1
            controls.push({
              id: controlId,
              risk_id: riskId,
              title: `Kontroll av ${sentence()}`,
              what_is_checked: text(2),
              method: 'sample',
              method_own: '',
              frequency: 'quarterly',
              owner_unit_id: (c - 1) * benchShape.unitsPerAdministration + 1,
              responsible_person: `Kontrollant ${pick(20)}`,
              reported_to: 'committee',
              position: 1,
              previous_control_id: null,
            })
            for (const [i, end] of ['03-31', '06-30', '09-30', '12-31'].entries()) {
              const reported = past || i === 0
              runs.push({
                id: runs.length + 1,
                control_id: controlId,
                occasion: i + 1,
                planned_date: `${year}-${end}`,
                result: reported ? 'no_remarks' : null,
                performed_on: reported ? `${year}-${end}` : null,
                reported_on: reported ? `${year}-${end}` : null,
                population_size: reported ? 200 : null,
                sample_size: reported ? 20 : null,
                sampling: reported ? 'random' : null,
                checked_count: reported ? 20 : null,
                deviation_count: reported ? 0 : null,
              })
            }
          }
        }
      }
    }
    await insertAll(trx, 'plan', plans)
    await insertAll(trx, 'risk', risks)
    await insertAll(trx, 'review', reviews)
    await insertAll(trx, 'measure', measures)
    await insertAll(trx, 'control', controls)
    await insertAll(trx, 'control_run', runs)

    const inspections: Insertable<Database['inspection']>[] = []
    const areas: Insertable<Database['development_area']>[] = []
    for (let c = 1; c <= benchShape.committeesWithInspections; c++) {
      for (const year of years.slice(-2)) {
        const inspectionId = inspections.length + 1
        inspections.push({
          id: inspectionId,
          committee_id: c,
          authority: 'skolinspektionen',
          kind: 'regular_supervision',
          title: `Regelbunden tillsyn ${year}`,
          authority_diary_number: `${year}:${1000 + c}`,
          principal: `Nämnd ${c}`,
          subject: '',
          period: String(year),
          decision_date: `${year}-03-01`,
          report_deadline: `${year}-09-01`,
          approval_meeting_date: null,
          approval_minutes_paragraph: null,
          report_sent_date: null,
          follow_up_decision_date: null,
          closed: year < thisYear ? 1 : 0,
          signatories: 'Beslutsfattare: Kerstin Martinsson',
        })
        for (let a = 1; a <= 3; a++) {
          areas.push({
            id: areas.length + 1,
            inspection_id: inspectionId,
            heading: `Utvecklingsområde ${a}`,
            legal_basis: '4 kap. 3 § skollagen',
            initial_assessment: text(2),
            required_development: text(2),
            outcome: null,
            outcome_comment: '',
            closed_meeting_date: null,
            closed_minutes_paragraph: null,
            position: a,
          })
        }
      }
    }
    await insertAll(trx, 'inspection', inspections)
    await insertAll(trx, 'development_area', areas)

    const auditRows = await writeBaseline(trx, options, {
      planOfRisk: (id) => risks[id - 1]?.plan_id as number,
      planOfControl: (id) => risks[(controls[id - 1]?.risk_id as number) - 1]?.plan_id as number,
      committeeOfInspection: (id) => inspections[id - 1]?.committee_id as number,
    })
    const planId = plans.find((p) => p.committee_id === 1 && p.year === thisYear)?.id as number
    return { municipalityId: 1, year: thisYear, planId, measures: measures.length, auditRows }
  })
}

/** Each record's `create` row, chained and signed as recordEvent writes them, with the plan or committee it is of. */
async function writeBaseline(
  trx: Db,
  options: { now: Date; auditKey: string },
  owners: {
    planOfRisk: (riskId: number) => number
    planOfControl: (controlId: number) => number
    committeeOfInspection: (inspectionId: number) => number
  },
): Promise<number> {
  const at = options.now.toISOString()
  let previous = { id: 0, hash: genesis }
  const rows: Insertable<Database['audit_event']>[] = []
  const where = (
    entity: Entity,
    record: Record<string, unknown>,
  ): { planId: number | null; committeeId: number | null } => {
    const id = (field: string) => record[field] as number
    if (entity === 'plan') return { planId: id('id'), committeeId: null }
    if (entity === 'risk' || entity === 'review') return { planId: id('plan_id'), committeeId: null }
    if (entity === 'measure' || entity === 'control')
      return { planId: owners.planOfRisk(id('risk_id')), committeeId: null }
    if (entity === 'control_run') return { planId: owners.planOfControl(id('control_id')), committeeId: null }
    if (entity === 'inspection') return { planId: null, committeeId: id('committee_id') }
    if (entity === 'development_area')
      return { planId: null, committeeId: owners.committeeOfInspection(id('inspection_id')) }
    return { planId: null, committeeId: null }
  }
  for (const entity of auditedEntities) {
    for (let after = 0; ; ) {
      const records = await auditedRecords(trx, entity, after, 1000)
      if (records.length === 0) break
      for (const record of records) {
        const { planId, committeeId } = where(entity, record)
        const row = {
          id: previous.id + 1,
          at,
          user_id: null,
          user_name: 'Genererad (npm run bench:pages)',
          action: 'create' as const,
          entity,
          entity_id: record.id as number,
          plan_id: planId,
          committee_id: committeeId,
          before: null,
          after: JSON.stringify(record),
          prev_hash: previous.hash,
        }
        const hash = eventHash(row, options.auditKey)
        rows.push({ ...row, hash })
        previous = { id: row.id, hash }
      }
      after = records.at(-1)?.id as number
    }
  }
  await insertAll(trx, 'audit_event', rows)
  return rows.length
}
