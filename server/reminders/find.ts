// Which reminders are due on a day, read in a handful of queries whatever the number of measures: the open
// measures, control occasions and inspection deadlines within reach of a reminder, the committees, and the people.
import type { Db } from '../../db/connection.js'
import type { InspectionAuthority, ReminderPreference } from '../../db/schema.js'
import { runHref } from '../controls/require-control.js'
import { addDays } from '../dates.js'
import { registerHref } from '../inspections/require-inspection.js'
import { finishedStatuses } from '../vocabulary.js'
import { currentOccasion, deadlineDays, mondayOf, type Occasion, parseReminderDays } from './due.js'
import type { ReminderAbout, ReminderItem, ReminderKind } from './mail-text.js'

/** A reminder due to one person, as the reminder table keeps it. */
export interface DueReminder {
  userId: number
  committeeId: number
  key: string
  kind: ReminderKind
  about: ReminderAbout
  dueOn: string | null
  /** The person chose no reminders: written, so that it is not due again, but never mailed. */
  skipped: boolean
}

export interface DueOnDay {
  reminders: DueReminder[]
  /**
   * What is still open today, as the start of a reminder's key ('measure:12:due:2027-03-15'): a reminder written
   * on an earlier day and still waiting for a digest is only mailed while its subject is open.
   */
  openSubjects: Set<string>
}

/** How mails name an authority in "Redovisning till … senast". */
const authorityNames: Record<InspectionAuthority, string> = {
  skolinspektionen: 'Skolinspektionen',
  ivo: 'IVO',
  auditors: 'revisorerna',
}

const occasionKey = (occasion: Occasion) =>
  occasion.kind === 'before' ? `before:${occasion.days}` : `overdue:${occasion.week}`

// Where each reminder leads: the form that settles it. The measure routes keep their paths to themselves.
const measurePath = (planId: number, measureId: number) => `/planer/${planId}/atgarder/${measureId}/uppdatera`
const runPath = (planId: number, controlId: number, runId: number) =>
  `${runHref({ id: planId }, { id: controlId }, { id: runId })}/rapportera`
const inspectionPath = (inspectionId: number) => `${registerHref}/${inspectionId}`

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>()
  for (const row of rows) {
    const group = groups.get(keyOf(row))
    if (group) group.push(row)
    else groups.set(keyOf(row), [row])
  }
  return groups
}

/** Everything the owner units' members and the committees' secretaries are to be reminded of on `today`. */
export async function findDueReminders(
  db: Db,
  today: string,
  /** The day of the last finished pass before today; undefined before the first. */
  lastPass: string | undefined,
): Promise<DueOnDay> {
  const committeeRows = await db.selectFrom('committee').select(['id', 'name', 'reminder_days']).execute()
  const committees = new Map(
    committeeRows.map((c) => [c.id, { name: c.name, leadDays: parseReminderDays(c.reminder_days) }]),
  )
  const longestLead = Math.max(0, ...[...committees.values()].flatMap((c) => c.leadDays))
  // Anything due further ahead has no reminder yet; anything overdue may have its weekly one.
  const horizon = addDays(today, longestLead)

  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'measure.owner_unit_id')
    .select([
      'measure.id',
      'measure.title',
      'measure.due_date as dueDate',
      'measure.owner_unit_id as unitId',
      'owner_unit.name as unitName',
      'plan.id as planId',
      'plan.committee_id as committeeId',
    ])
    .where('measure.due_date', 'is not', null)
    .where('measure.due_date', '<=', horizon)
    .where('measure.status', 'not in', finishedStatuses)
    // A measure carried into a later plan is followed up there, under its successor.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('measure as successor')
            .select('successor.id')
            .whereRef('successor.carried_from_measure_id', '=', 'measure.id'),
        ),
      ),
    )
    .orderBy('measure.due_date')
    .orderBy('measure.id')
    .execute()

  const runs = await db
    .selectFrom('control_run')
    .innerJoin('control', 'control.id', 'control_run.control_id')
    .innerJoin('risk', 'risk.id', 'control.risk_id')
    .innerJoin('plan', 'plan.id', 'risk.plan_id')
    .innerJoin('owner_unit', 'owner_unit.id', 'control.owner_unit_id')
    .select([
      'control_run.id',
      'control_run.occasion',
      'control_run.planned_date as dueDate',
      'control.id as controlId',
      'control.title',
      'control.owner_unit_id as unitId',
      'owner_unit.name as unitName',
      'plan.id as planId',
      'plan.committee_id as committeeId',
    ])
    .where('control_run.result', 'is', null)
    .where('control_run.planned_date', '<=', horizon)
    // A control carried into a later plan is followed up there, as its copy, like a carried measure.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('control as successor')
            .select('successor.id')
            .whereRef('successor.previous_control_id', '=', 'control.id'),
        ),
      ),
    )
    .orderBy('control_run.planned_date')
    .orderBy('control_run.id')
    .execute()

  const inspections = await db
    .selectFrom('inspection')
    .select(['id', 'title', 'authority', 'report_deadline as deadline', 'committee_id as committeeId'])
    .where('report_deadline', '>', today)
    .where('report_deadline', '<=', addDays(today, Math.max(...deadlineDays)))
    .where('report_sent_date', 'is', null)
    .where('closed', '=', 0)
    .orderBy('report_deadline')
    .orderBy('id')
    .execute()

  const unitIds = [...new Set([...measures, ...runs].map((r) => r.unitId))]
  const members =
    unitIds.length === 0
      ? []
      : await db
          .selectFrom('unit_member')
          .innerJoin('app_user', 'app_user.id', 'unit_member.user_id')
          .select([
            'unit_member.user_id as userId',
            'unit_member.owner_unit_id as unitId',
            'app_user.reminder_preference',
          ])
          .where('unit_member.owner_unit_id', 'in', unitIds)
          .where('app_user.disabled', '=', 0)
          .orderBy('unit_member.user_id')
          .execute()
  const secretaries = await db
    .selectFrom('committee_role')
    .innerJoin('app_user', 'app_user.id', 'committee_role.user_id')
    .select([
      'committee_role.user_id as userId',
      'committee_role.committee_id as committeeId',
      'app_user.reminder_preference',
    ])
    .where('committee_role.role', '=', 'secretary')
    .where('app_user.disabled', '=', 0)
    .orderBy('committee_role.user_id')
    .execute()

  // Each unit's members and each committee's secretaries once, not filtered again for every measure and run.
  const membersOf = groupBy(members, (m) => m.unitId)
  const secretariesOf = groupBy(secretaries, (s) => s.committeeId)

  const reminders: DueReminder[] = []
  const openSubjects = new Set<string>()
  const remind = (
    people: readonly { userId: number; reminder_preference: ReminderPreference }[],
    reminder: Omit<DueReminder, 'userId' | 'skipped'>,
    always = false,
  ) => {
    for (const person of people) {
      const skipped = person.reminder_preference === 'none' && !always
      reminders.push({ ...reminder, userId: person.userId, skipped })
    }
  }

  const owned = (
    subjectKind: 'measure' | 'run',
    rows: readonly { id: number; dueDate: string; unitId: number; committeeId: number; item: ReminderItem }[],
  ) => {
    for (const row of rows) {
      const subject = `${subjectKind}:${row.id}:due:${row.dueDate}`
      openSubjects.add(subject)
      const committee = committees.get(row.committeeId)
      if (!committee) continue
      const occasion = currentOccasion(row.dueDate, today, committee.leadDays, true)
      if (!occasion) continue
      remind(membersOf.get(row.unitId) ?? [], {
        committeeId: row.committeeId,
        key: `${subject}:${occasionKey(occasion)}`,
        kind: `${subjectKind}_${occasion.kind}`,
        about: { committee: committee.name, items: [row.item] },
        dueOn: row.dueDate,
      })
    }
  }
  owned(
    'measure',
    measures.map((m) => ({
      ...m,
      dueDate: m.dueDate as string,
      item: { title: m.title, date: m.dueDate as string, path: measurePath(m.planId, m.id), unit: m.unitName },
    })),
  )
  owned(
    'run',
    runs.map((r) => ({
      ...r,
      item: {
        title: r.title,
        date: r.dueDate,
        path: runPath(r.planId, r.controlId, r.id),
        unit: r.unitName,
        occasion: r.occasion,
      },
    })),
  )

  for (const inspection of inspections) {
    const deadline = inspection.deadline as string
    const subject = `inspection:${inspection.id}:deadline:${deadline}`
    openSubjects.add(subject)
    const committee = committees.get(inspection.committeeId)
    const occasion = currentOccasion(deadline, today, deadlineDays, false)
    if (!committee || !occasion) continue
    remind(secretariesOf.get(inspection.committeeId) ?? [], {
      committeeId: inspection.committeeId,
      key: `${subject}:${occasionKey(occasion)}`,
      kind: 'inspection_deadline',
      about: {
        committee: committee.name,
        authority: authorityNames[inspection.authority],
        items: [{ title: inspection.title, date: deadline, path: inspectionPath(inspection.id) }],
      },
      dueOn: deadline,
    })
  }

  // The secretaries' overdue lists: at the week's first pass (Monday's, or the next to run) every measure still
  // overdue; at the other passes those that became overdue since the pass before, whose due date is on or after
  // that pass's day (a measure is overdue from the day after its due date).
  const monday = mondayOf(today)
  const firstOfWeek = lastPass === undefined || lastPass < monday
  for (const [committeeId, committee] of committees) {
    const overdue = measures.filter((m) => m.committeeId === committeeId && (m.dueDate as string) < today)
    const listed = firstOfWeek ? overdue : overdue.filter((m) => (m.dueDate as string) >= (lastPass as string))
    if (listed.length === 0) continue
    remind(
      secretariesOf.get(committeeId) ?? [],
      {
        committeeId,
        key: firstOfWeek
          ? `committee:${committeeId}:overdue-list:week:${monday}`
          : `committee:${committeeId}:overdue-list:new:${today}`,
        kind: firstOfWeek ? 'overdue_list_week' : 'overdue_list_new',
        about: {
          committee: committee.name,
          items: listed.map((m) => ({
            title: m.title,
            date: m.dueDate as string,
            path: measurePath(m.planId, m.id),
            unit: m.unitName,
          })),
          ...(firstOfWeek ? {} : { since: lastPass ?? null }),
        },
        dueOn: null,
      },
      true,
    )
  }
  return { reminders, openSubjects }
}

/** The part of a reminder's key that names what it is about, without its occasion. */
export function subjectOf(key: string): string {
  const list = key.match(/^committee:\d+:overdue-list/)
  if (list) return list[0]
  return key.replace(/:(before|overdue):\d+$/, '')
}
