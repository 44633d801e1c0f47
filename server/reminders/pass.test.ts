import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import type { ReminderPreference } from '../../db/schema.js'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { aControl, aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { TestSmtpServer } from '../../test/helpers/smtp.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { audited } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { updateRun } from '../controls/repository.js'
import { addDays } from '../dates.js'
import { insertInspection } from '../inspections/repository.js'
import { updateMeasure } from '../measures/repository.js'
import { previewReminderPass, runReminderPass } from './pass.js'
import { createMailer, drainOutbox } from './send.js'

const config = { publicUrl: 'https://internkontroll.kommun.example' }
const actor = { userId: null, userName: 'Testdata', at: '2026-12-01T09:00:00.000Z' }
const secret = 'HEMLIGTORD'

const hanna = 'hr@demo.internkontroll.se'
const ulf = 'utbildning@demo.internkontroll.se'
const sara = 'sekreterare@demo.internkontroll.se'

/**
 * The demo's people and 2020 plan (no due dates), and a 2027 plan with one measure of HR-avdelningen due 15 March
 * (a Monday), a quarterly control of Utbildningsområden and an inspection whose report is due 1 June. Every record
 * goes through the audit log, so the log verifies.
 */
async function fixture() {
  const db = await openTestDatabase()
  await loadDemoDataIfEmpty(db, new Date(actor.at), { currentYear: false })
  const { unit } = await demoPlan(db)
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  const planId = await audited(db, actor, 'create', { entity: 'plan', planId: null }, () => anotherPlan(db, 2027))
  const riskId = await audited(db, actor, 'create', { entity: 'risk', planId }, () => aRisk(db, planId))
  const measure = (title: string, dueDate: string, ownerUnit = 'HR-avdelningen') =>
    audited(db, actor, 'create', { entity: 'measure', planId }, () =>
      aMeasure(db, riskId, unit(ownerUnit), { title, dueDate, whatToDo: `${secret} att göra`, progress: secret }),
    )
  const measureId = await measure('Ta fram en rutin för registerutdrag', '2027-03-15')
  const controlId = await aControl(db, riskId, unit('Utbildningsområden'))
  const runs = await db
    .selectFrom('control_run')
    .select(['id', 'occasion', 'planned_date'])
    .where('control_id', '=', controlId)
    .orderBy('occasion')
    .execute()
  const inspectionId = await audited(
    db,
    actor,
    'create',
    { entity: 'inspection', planId: null, committeeId: committee.id },
    () =>
      insertInspection(db, {
        committee_id: committee.id,
        authority: 'skolinspektionen',
        kind: 'quality_review',
        title: 'Kvalitetsgranskning av betygssättning',
        authority_diary_number: '2026:123',
        principal: 'Malmö stad',
        subject: '',
        period: '',
        decision_date: '2026-12-01',
        report_deadline: '2027-06-01',
        approval_meeting_date: null,
        approval_minutes_paragraph: null,
        report_sent_date: null,
        follow_up_decision_date: null,
        closed: 0,
        signatories: '',
      }),
  )
  return { db, planId, riskId, committeeId: committee.id, measureId, controlId, runs, inspectionId, measure }
}

type Fixture = Awaited<ReturnType<typeof fixture>>

const pass = (db: Db, today: string) => runReminderPass(db, { today, now: new Date(`${today}T05:00:00Z`), config })

/** Every day from `from` to `to`, both included. */
function days(from: string, to: string): string[] {
  const all: string[] = []
  for (let day = from; day <= to; day = addDays(day, 1)) all.push(day)
  return all
}

/** The mails written, one line each: the day, whom to (before the @) and the subject. */
async function mailLines(db: Db) {
  const mails = await db
    .selectFrom('outbox_mail')
    .select(['created_at', 'to_address', 'subject'])
    .orderBy('id')
    .execute()
  return mails.map((m) => `${m.created_at.slice(0, 10)} ${m.to_address.split('@')[0]}: ${m.subject}`)
}

async function mailsTo(db: Db, email: string) {
  return db.selectFrom('outbox_mail').selectAll().where('to_address', '=', email).orderBy('id').execute()
}

async function setPreference(db: Db, email: string, preference: ReminderPreference) {
  const user = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  await audited(db, actor, 'update', { entity: 'app_user', id: user.id, planId: null }, async () => {
    await db.updateTable('app_user').set({ reminder_preference: preference }).where('id', '=', user.id).execute()
  })
}

async function setMeasure(f: Fixture, measureId: number, changes: { status?: 'done'; due_date?: string }) {
  const { version } = await f.db
    .selectFrom('measure')
    .select('version')
    .where('id', '=', measureId)
    .executeTakeFirstOrThrow()
  await audited(f.db, actor, 'update', { entity: 'measure', id: measureId, planId: f.planId }, () =>
    updateMeasure(f.db, measureId, version, changes, actor.at),
  )
}

async function reportRun(f: Fixture, occasion: number, on: string) {
  const run = f.runs[occasion - 1] as { id: number }
  const { version } = await f.db
    .selectFrom('control_run')
    .select('version')
    .where('id', '=', run.id)
    .executeTakeFirstOrThrow()
  await audited(f.db, actor, 'update', { entity: 'control_run', id: run.id, planId: f.planId }, () =>
    updateRun(f.db, run.id, version, { result: 'no_remarks', performed_on: on, reported_on: on }),
  )
}

const weekly = (from: string, to: string) => days(from, to).filter((_, i) => i % 7 === 0)

describe('a year of daily passes', () => {
  it('mails exactly the reminders due, through a real SMTP server, to the right people on the right days', async () => {
    const f = await fixture()
    const smtp = new TestSmtpServer()
    await smtp.start()
    const mailer = createMailer({ smtpUrl: smtp.url, mailFrom: 'Internkontroll <noreply@kommun.example>' })
    // What the SMTP server received, one line each as mailLines writes the outbox: the day it came, whom to, subject.
    const received: string[] = []
    const events: Record<string, () => Promise<void>> = {
      '2027-03-30': () => reportRun(f, 1, '2027-03-30'),
      '2027-04-02': () => setMeasure(f, f.measureId, { status: 'done' }),
      '2027-07-08': () => reportRun(f, 2, '2027-07-08'),
    }
    for (const day of days('2027-01-01', '2027-12-31')) {
      await events[day]?.()
      await pass(f.db, day)
      const before = smtp.received.length
      await drainOutbox(f.db, mailer, { clock: () => new Date(`${day}T05:10:00Z`) })
      for (const mail of smtp.received.slice(before)) {
        received.push(`${day} ${(mail.to[0] ?? '').split('@')[0]}: ${mail.parsed.subject}`)
      }
    }
    await smtp.stop()

    const committee = 'Grundskolenämnden'
    const measure = (date: string, subject: string) => `${date} hr: ${subject} – ${committee}`
    const run = (date: string, subject: string) => `${date} utbildning: ${subject} – ${committee}`
    const secretary = (date: string, subject: string) => `${date} sekreterare: ${subject} – ${committee}`
    const expected = [
      measure('2027-03-01', 'Påminnelse: Åtgärd ska vara klar 2027-03-15'),
      measure('2027-03-12', 'Påminnelse: Åtgärd ska vara klar 2027-03-15'),
      measure('2027-03-16', 'Försenad åtgärd: skulle vara klar 2027-03-15'),
      measure('2027-03-23', 'Försenad åtgärd: skulle vara klar 2027-03-15'),
      measure('2027-03-30', 'Försenad åtgärd: skulle vara klar 2027-03-15'),
      // Done on 2 April: no more.
      secretary('2027-03-16', 'Nya försenade åtgärder (1)'),
      secretary('2027-03-22', 'Försenade åtgärder (1)'),
      secretary('2027-03-29', 'Försenade åtgärder (1)'),
      // Occasion 1 (31 March) reported in time, occasion 2 (30 June) a week late, 3 never, 4 not yet.
      run('2027-03-17', 'Påminnelse: Kontroll ska göras senast 2027-03-31'),
      run('2027-03-28', 'Påminnelse: Kontroll ska göras senast 2027-03-31'),
      run('2027-06-16', 'Påminnelse: Kontroll ska göras senast 2027-06-30'),
      run('2027-06-27', 'Påminnelse: Kontroll ska göras senast 2027-06-30'),
      run('2027-07-01', 'Försenad kontroll: planerad 2027-06-30'),
      run('2027-09-16', 'Påminnelse: Kontroll ska göras senast 2027-09-30'),
      run('2027-09-27', 'Påminnelse: Kontroll ska göras senast 2027-09-30'),
      ...weekly('2027-10-01', '2027-12-31').map((day) => run(day, 'Försenad kontroll: planerad 2027-09-30')),
      run('2027-12-17', 'Påminnelse: Kontroll ska göras senast 2027-12-31'),
      run('2027-12-28', 'Påminnelse: Kontroll ska göras senast 2027-12-31'),
      secretary('2027-05-02', 'Redovisning till Skolinspektionen senast 2027-06-01'),
      secretary('2027-05-25', 'Redovisning till Skolinspektionen senast 2027-06-01'),
      secretary('2027-05-31', 'Redovisning till Skolinspektionen senast 2027-06-01'),
    ]
    expect((await mailLines(f.db)).sort()).toEqual(expected.sort())
    // Each delivered the day it was written, once.
    expect(received.sort()).toEqual(expected.sort())
    const states = await f.db.selectFrom('outbox_mail').select('state').distinct().execute()
    expect(states).toEqual([{ state: 'sent' }])
    expect(weekly('2027-10-01', '2027-12-31')).toHaveLength(14)

    const reminders = await f.db.selectFrom('reminder').select(['mail_id', 'skipped']).execute()
    expect(reminders).toHaveLength(expected.length)
    expect(reminders.every((r) => r.mail_id !== null && r.skipped === 0)).toBe(true)
    const passes = await f.db.selectFrom('reminder_pass').selectAll().execute()
    expect(passes).toHaveLength(365)
    expect(passes.every((p) => p.finished_at !== null)).toBe(true)
    expect(await verifyAudit(f.db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })
})

describe('the reminder pass', () => {
  it('writes nothing new at a second pass the same day', async () => {
    const f = await fixture()
    expect(await pass(f.db, '2027-03-16')).toEqual({ reminders: 2, mails: 2 })
    const audit = await f.db.selectFrom('audit_event').select('id').execute()
    expect(await pass(f.db, '2027-03-16')).toEqual({ reminders: 0, mails: 0 })
    expect(await f.db.selectFrom('audit_event').select('id').execute()).toHaveLength(audit.length)
    expect(await mailLines(f.db)).toHaveLength(2)
  })

  it('sends a reminder whose day was missed at the next pass, and only the latest one', async () => {
    const f = await fixture()
    await pass(f.db, '2027-02-27')
    await pass(f.db, '2027-03-02')
    expect(await mailLines(f.db)).toEqual([
      '2027-03-02 hr: Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
    ])
    const [reminder] = await f.db.selectFrom('reminder').select(['key', 'created_on']).execute()
    expect(reminder).toEqual({ key: `measure:${f.measureId}:due:2027-03-15:before:14`, created_on: '2027-03-02' })

    // Nothing from 3 to 14 March: the reminder of 12 March goes on the 14th, no second one of the 1st.
    await pass(f.db, '2027-03-14')
    await pass(f.db, '2027-03-15')
    // Two weeks overdue when the passes start again: that week's reminder only.
    await pass(f.db, '2027-03-24')
    expect((await mailLines(f.db)).filter((line) => line.includes(' hr: '))).toEqual([
      '2027-03-02 hr: Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
      '2027-03-14 hr: Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
      '2027-03-24 hr: Försenad åtgärd: skulle vara klar 2027-03-15 – Grundskolenämnden',
    ])
    const keys = await f.db
      .selectFrom('reminder')
      .select('key')
      .where('kind', 'like', 'measure_%')
      .orderBy('id')
      .execute()
    expect(keys.map((k) => k.key.replace(/^measure:\d+:due:2027-03-15:/, ''))).toEqual([
      'before:14',
      'before:3',
      'overdue:2',
    ])
  })

  it("uses the committee's own reminder days, ignoring junk in them", async () => {
    const f = await fixture()
    await audited(f.db, actor, 'update', { entity: 'committee', id: f.committeeId, planId: null }, async () => {
      await f.db.updateTable('committee').set({ reminder_days: '7, x' }).where('id', '=', f.committeeId).execute()
    })
    for (const day of days('2027-02-20', '2027-03-15')) await pass(f.db, day)
    expect((await mailLines(f.db)).filter((line) => line.includes(' hr: '))).toEqual([
      '2027-03-08 hr: Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
    ])
  })

  it('gives a moved due date reminders of its own', async () => {
    const f = await fixture()
    await pass(f.db, '2027-03-12')
    await setMeasure(f, f.measureId, { due_date: '2027-03-26' })
    await pass(f.db, '2027-03-13')
    await pass(f.db, '2027-03-23')
    expect((await mailLines(f.db)).filter((line) => line.includes(' hr: '))).toEqual([
      '2027-03-12 hr: Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
      '2027-03-13 hr: Påminnelse: Åtgärd ska vara klar 2027-03-26 – Grundskolenämnden',
      '2027-03-23 hr: Påminnelse: Åtgärd ska vara klar 2027-03-26 – Grundskolenämnden',
    ])
  })

  it('follows a measure carried into a later plan up at its successor only, and skips disabled accounts', async () => {
    const f = await fixture()
    const successor = await f.measure('Rutinen fortsätter', '2027-04-30')
    await audited(f.db, actor, 'update', { entity: 'measure', id: successor, planId: f.planId }, async () => {
      await f.db
        .updateTable('measure')
        .set({ carried_from_measure_id: f.measureId })
        .where('id', '=', successor)
        .execute()
    })
    await pass(f.db, '2027-03-16')
    await pass(f.db, '2027-04-16')
    expect((await mailLines(f.db)).filter((line) => line.includes(' hr: '))).toEqual([
      '2027-04-16 hr: Påminnelse: Åtgärd ska vara klar 2027-04-30 – Grundskolenämnden',
    ])

    await f.db.updateTable('app_user').set({ disabled: 1 }).where('email', '=', hanna).execute()
    await pass(f.db, '2027-04-27')
    expect(await mailsTo(f.db, hanna)).toHaveLength(1)
  })

  it('mails a daily digest with all of a day’s reminders', async () => {
    const f = await fixture()
    await setPreference(f.db, hanna, 'daily')
    await f.measure('Informera cheferna', '2027-03-04')
    await pass(f.db, '2027-03-01')
    const [digest, ...more] = await mailsTo(f.db, hanna)
    expect(more).toEqual([])
    expect(digest?.subject).toBe('Sammanfattning av påminnelser 2027-03-01 – Grundskolenämnden')
    expect(digest?.text_body).toContain('Här är dina 2 påminnelser:')
    expect(digest?.text_body).toContain('Ta fram en rutin för registerutdrag')
    expect(digest?.text_body).toContain('Informera cheferna')
    const reminders = await f.db.selectFrom('reminder').select('mail_id').execute()
    expect(reminders).toEqual([{ mail_id: digest?.id }, { mail_id: digest?.id }])
    await pass(f.db, '2027-03-02')
    expect(await mailsTo(f.db, hanna)).toHaveLength(1)
  })

  it("mails a weekly digest on Mondays with the week's reminders that are still current", async () => {
    const f = await fixture()
    await setPreference(f.db, hanna, 'weekly')
    await f.measure('Informera cheferna', '2027-03-18')
    for (const day of days('2027-02-22', '2027-03-29')) {
      if (day === '2027-03-17') await setMeasure(f, f.measureId, { status: 'done' })
      await pass(f.db, day)
    }
    const mails = await mailsTo(f.db, hanna)
    expect(mails.map((m) => `${m.created_at.slice(0, 10)} ${m.subject}`)).toEqual([
      // A digest of one reminder has that reminder's subject.
      '2027-03-01 Påminnelse: Åtgärd ska vara klar 2027-03-15 – Grundskolenämnden',
      '2027-03-08 Påminnelse: Åtgärd ska vara klar 2027-03-18 – Grundskolenämnden',
      '2027-03-15 Sammanfattning av påminnelser 2027-03-15 – Grundskolenämnden',
      '2027-03-22 Försenad åtgärd: skulle vara klar 2027-03-18 – Grundskolenämnden',
      '2027-03-29 Försenad åtgärd: skulle vara klar 2027-03-18 – Grundskolenämnden',
    ])
    const [first, second, third, fourth] = mails.map((m) => m.text_body)
    // 1 March: the rutin's 14 days; 8 March: the information's 14 days, written on Thursday 4 March.
    expect(first).toContain('Ta fram en rutin för registerutdrag')
    expect(first).not.toContain('Informera cheferna')
    expect(second).toContain('Informera cheferna')
    expect(second).not.toContain('Ta fram en rutin')
    // 15 March: the rutin's 3 days (written Friday 12 March) and the information's (written that Monday).
    expect(third).toContain('Här är dina 2 påminnelser:')
    expect(third).toContain('Ta fram en rutin för registerutdrag')
    expect(third).toContain('Informera cheferna')
    // 22 March: the rutin was overdue on the 16th but done on the 17th, so only the information is left.
    expect(fourth).toContain('Här är din påminnelse:')
    expect(fourth).toContain('Försenad åtgärd, skulle vara klar 2027-03-18')
    expect(fourth).not.toContain('Ta fram en rutin')
    const left = await f.db
      .selectFrom('reminder')
      .select('key')
      .where('skipped', '=', 1)
      .where('user_id', '=', mails[0]?.user_id as number)
      .execute()
    expect(left).toEqual([{ key: `measure:${f.measureId}:due:2027-03-15:overdue:1` }])
  })

  it('catches up a weekly digest whose Monday pass did not run, with the latest reminder of each thing', async () => {
    const f = await fixture()
    await setPreference(f.db, hanna, 'weekly')
    await pass(f.db, '2027-03-15')
    // Overdue from the 16th, a Tuesday: waits for next week's digest.
    await pass(f.db, '2027-03-16')
    expect(await mailsTo(f.db, hanna)).toEqual([])
    // Monday 22 March's pass did not run; Tuesday's is the week's first, and the second week's reminder is due.
    await pass(f.db, '2027-03-23')
    const mails = await mailsTo(f.db, hanna)
    expect(mails.map((m) => m.created_at.slice(0, 10))).toEqual(['2027-03-23'])
    expect(mails[0]?.text_body).toContain('Här är din påminnelse:')
    const reminders = await f.db
      .selectFrom('reminder')
      .select(['key', 'skipped', 'mail_id'])
      .where('user_id', '=', mails[0]?.user_id as number)
      .orderBy('id')
      .execute()
    expect(reminders).toEqual([
      { key: `measure:${f.measureId}:due:2027-03-15:overdue:1`, skipped: 1, mail_id: null },
      { key: `measure:${f.measureId}:due:2027-03-15:overdue:2`, skipped: 0, mail_id: mails[0]?.id },
    ])
  })

  it("mails nothing to those who chose none, but a secretary's overdue lists all the same", async () => {
    const f = await fixture()
    await setPreference(f.db, hanna, 'none')
    await setPreference(f.db, sara, 'none')
    for (const day of days('2027-02-25', '2027-05-31')) await pass(f.db, day)
    expect(await mailsTo(f.db, hanna)).toEqual([])
    expect((await mailsTo(f.db, sara)).map((m) => `${m.created_at.slice(0, 10)} ${m.subject}`)).toEqual([
      '2027-03-16 Nya försenade åtgärder (1) – Grundskolenämnden',
      '2027-03-22 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-03-29 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-04-05 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-04-12 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-04-19 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-04-26 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-05-03 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-05-10 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-05-17 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-05-24 Försenade åtgärder (1) – Grundskolenämnden',
      '2027-05-31 Försenade åtgärder (1) – Grundskolenämnden',
    ])
    const hannas = await f.db
      .selectFrom('reminder')
      .innerJoin('app_user', 'app_user.id', 'reminder.user_id')
      .select(['reminder.skipped', 'reminder.mail_id'])
      .where('app_user.email', '=', hanna)
      .execute()
    expect(hannas.length).toBeGreaterThan(0)
    expect(hannas.every((r) => r.skipped === 1 && r.mail_id === null)).toBe(true)
  })

  it('leaves out what waited for a digest when the person then chooses none', async () => {
    const f = await fixture()
    await setPreference(f.db, hanna, 'weekly')
    await pass(f.db, '2027-03-08')
    await pass(f.db, '2027-03-12')
    await setPreference(f.db, hanna, 'none')
    await pass(f.db, '2027-03-15')
    expect((await mailsTo(f.db, hanna)).map((m) => m.created_at.slice(0, 10))).toEqual(['2027-03-08'])
    const waited = await f.db
      .selectFrom('reminder')
      .select(['key', 'skipped', 'mail_id'])
      .where('created_on', '=', '2027-03-12')
      .execute()
    expect(waited).toEqual([{ key: `measure:${f.measureId}:due:2027-03-15:before:3`, skipped: 1, mail_id: null }])
  })

  it('lists every overdue measure at the first pass', async () => {
    const f = await fixture()
    await f.measure('Äldre åtgärd', '2027-01-10')
    // A Wednesday, with no pass before it.
    await pass(f.db, '2027-03-17')
    const [list] = await mailsTo(f.db, sara)
    expect(list?.subject).toBe('Försenade åtgärder (2) – Grundskolenämnden')
    expect(list?.text_body).toContain('Äldre åtgärd')
    expect(list?.text_body).toContain('Ta fram en rutin för registerutdrag')
    await pass(f.db, '2027-03-18')
    expect(await mailsTo(f.db, sara)).toHaveLength(1)
  })

  it('names titles, dates and absolute links only, and escapes them in HTML', async () => {
    const f = await fixture()
    const scriptId = await f.measure('<script>alert("x")</script> & rutin', '2027-03-15')
    await pass(f.db, '2027-03-01')
    await pass(f.db, '2027-03-17')
    await pass(f.db, '2027-05-31')
    const mails = await f.db.selectFrom('outbox_mail').selectAll().execute()
    expect(mails.length).toBeGreaterThan(4)
    for (const mail of mails) {
      for (const body of [mail.subject, mail.text_body, mail.html_body]) expect(body).not.toContain(secret)
      expect(mail.text_body).toContain(`${config.publicUrl}/konto/paminnelser`)
      expect(mail.html_body).toContain(`href="${config.publicUrl}/konto/paminnelser"`)
      expect(mail.html_body).not.toContain('<script')
      expect(mail.message_id).toMatch(/^<outbox-[0-9a-f-]{36}@internkontroll\.kommun\.example>$/)
      expect(mail.next_attempt_at).toBe(mail.created_at)
      expect(mail.state).toBe('queued')
    }
    const toHanna = mails.filter((m) => m.to_address === hanna)
    const script = toHanna.find((m) => m.text_body.includes('<script>alert("x")</script> & rutin'))
    expect(script?.html_body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; rutin')
    expect(script?.text_body).toContain(`${config.publicUrl}/planer/${f.planId}/atgarder/${scriptId}/uppdatera`)
    expect(script?.html_body).toContain(`href="${config.publicUrl}/planer/${f.planId}/atgarder/${scriptId}/uppdatera"`)
    const run = mails.find((m) => m.to_address === ulf)
    const firstRun = f.runs[0] as { id: number }
    expect(run?.text_body).toContain(
      `${config.publicUrl}/planer/${f.planId}/kontroller/${f.controlId}/tillfallen/${firstRun.id}/rapportera`,
    )
    const inspection = mails.find((m) => m.subject.startsWith('Redovisning'))
    expect(inspection?.text_body).toContain(`${config.publicUrl}/externa-granskningar/${f.inspectionId}`)
    expect(await verifyAudit(f.db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('previews the mails of a day without writing anything', async () => {
    const f = await fixture()
    const audit = await f.db.selectFrom('audit_event').select('id').execute()
    const preview = await previewReminderPass(f.db, { today: '2027-03-16', config })
    expect(preview.map((m) => `${m.to} ${m.subject}`).sort()).toEqual([
      `${hanna} Försenad åtgärd: skulle vara klar 2027-03-15 – Grundskolenämnden`,
      `${sara} Försenade åtgärder (1) – Grundskolenämnden`,
    ])
    expect(preview[0]?.text).toContain('Hej ')
    for (const table of ['reminder', 'outbox_mail', 'reminder_pass'] as const) {
      expect(await f.db.selectFrom(table).selectAll().execute()).toEqual([])
    }
    expect(await f.db.selectFrom('audit_event').select('id').execute()).toHaveLength(audit.length)
  })
})
