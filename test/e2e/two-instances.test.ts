// Two real servers on one PostgreSQL database, as behind a load balancer: what one instance writes or begins, the
// other keeps and continues. Only PostgreSQL is shared by several instances; on SQLite there is nothing to test here.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, openDatabase } from '../../db/connection.js'
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js'
import { freshDatabaseLocation, onPostgres } from '../helpers/test-database.js'
import { type RunningServer, startServer } from './server.js'
import { type Answer, formValues, Visitor } from './visitor.js'

describe.runIf(onPostgres)('two instances on one PostgreSQL database', () => {
  let dir = ''
  let database = ''
  let anchorFile = ''
  let a: RunningServer
  let b: RunningServer
  let db: Db
  let smtp: TestSmtpServer
  /** The secretary's current-year plan of Grundskolenämnden, with its committee. */
  let plan: { id: number; committeeId: number }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ik-two-instances-'))
    database = await freshDatabaseLocation()
    // One anchor file both append to, as on a volume they share.
    anchorFile = join(dir, 'shared.audit-anchor')
    smtp = await startSmtpServer()
    // Both run the reminders, from the hour that has always passed: at start each tries the day's pass and sends.
    const env = {
      AUDIT_ANCHOR_FILE: anchorFile,
      REMINDERS: 'on',
      REMINDER_HOUR: '0',
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://ik.kommun.test',
    }
    // Started at once on the empty database: both migrate it and load the demo, and one of each must win cleanly.
    const started = await Promise.allSettled([1, 2].map(() => startServer({ database, env })))
    for (const s of started) if (s.status === 'rejected') throw s.reason
    ;[a, b] = started.map((s) => (s as PromiseFulfilledResult<RunningServer>).value) as [RunningServer, RunningServer]
    db = openDatabase(database)
    plan = await db
      .selectFrom('plan')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['plan.id', 'plan.committee_id as committeeId'])
      .where('committee.name', '=', 'Grundskolenämnden')
      .orderBy('plan.year', 'desc')
      .executeTakeFirstOrThrow()
  })

  afterAll(async () => {
    await db?.destroy()
    await Promise.all([a?.stop(), b?.stop()])
    await smtp?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  const secretaryOn = async (server: RunningServer) => {
    const visitor = new Visitor(server.baseUrl)
    await visitor.logIn('sekreterare')
    return visitor
  }
  const measuresOfPlan = () =>
    db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select(['measure.id', 'measure.risk_id', 'measure.owner_unit_id'])
      .where('risk.plan_id', '=', plan.id)
      .orderBy('measure.id')
      .execute()

  it('load the demo once, though both start on the empty database at the same moment', async () => {
    const municipalities = await db.selectFrom('municipality').select('name').execute()
    expect(municipalities.map((m) => m.name)).toEqual(['Malmö stad'])
    expect(a.output() + b.output()).toContain('Loaded the demo data')
  })

  it('run the day’s reminder pass once between them, and send each of its mails once', async () => {
    // The demo's overdue measures make mails; both instances' schedulers start at once with the day's pass due.
    const settled = async () => {
      const mails = await db.selectFrom('outbox_mail').select(['message_id', 'state']).execute()
      return mails.length > 0 && mails.every((m) => m.state === 'sent') ? mails : undefined
    }
    const deadline = Date.now() + 20_000
    let mails = await settled()
    while (!mails && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      mails = await settled()
    }
    expect(mails, a.output() + b.output()).toBeDefined()
    expect(smtp.received.map((m) => m.parsed.messageId).sort()).toEqual(mails?.map((m) => m.message_id).sort())
    const passes = await db.selectFrom('reminder_pass').select('finished_at').execute()
    expect(passes).toEqual([{ finished_at: expect.any(String) }])
  })

  it('share sessions and form tokens: a login on one is signed in on the other, and a logout on it ends both', async () => {
    const onA = await secretaryOn(a)
    const onB = onA.at(b.baseUrl)
    expect((await onB.get('/')).status).toBe(200)
    // A form of A's page, token and all, posted to B.
    const [measure] = await measuresOfPlan()
    const form = `/planer/${plan.id}/atgarder/${measure?.id}/uppdatera`
    const page = await onA.get(form)
    expect(
      (await onB.post(form, formValues(page.body, form, { progress: 'Sparad via den andra instansen' }))).status,
    ).toBe(303)
    expect((await onB.submit('/', '/logga-ut')).status).toBe(303)
    expect(await onA.get('/')).toMatchObject({ status: 303, location: expect.stringMatching(/^\/logga-in/) })
  })

  it('keep every write they acknowledged under concurrent load, and answer a stale edit 409 on either', async () => {
    const [onA, onB] = await Promise.all([secretaryOn(a), secretaryOn(b)])
    const instances = [onA, onB]
    const measures = await measuresOfPlan()
    const [first] = measures
    if (!first) throw new Error('The plan has no measures')
    // The committee's own risks: the municipality's copies keep their titles.
    const risks = await db
      .selectFrom('risk')
      .select(['id', 'title'])
      .where('plan_id', '=', plan.id)
      .where('municipal_item_id', 'is', null)
      .execute()
    expect(risks.length).toBeGreaterThan(0)
    const riskForm = (id: number) => `/planer/${plan.id}/risker/${id}/redigera`

    // Each risk's edit form as each of them opened it, before anyone saved: the same version in both.
    const opened = await Promise.all(
      risks.map((r) => Promise.all(instances.map(async (visitor) => (await visitor.get(riskForm(r.id))).body))),
    )
    const newMeasure = `/planer/${plan.id}/atgarder/ny`
    const [creates, updates, edits] = await Promise.all([
      // New measures, twenty from each instance, all at once.
      Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const title = `Ny åtgärd ${i} via instans ${i % 2 === 0 ? 'A' : 'B'}`
          const fields = { title, riskId: String(first.risk_id), ownerUnitId: String(first.owner_unit_id) }
          return { title, answer: await (instances[i % 2] as Visitor).submit(newMeasure, newMeasure, fields) }
        }),
      ),
      // Each measure's progress three times in a row, each from a fresh form, from alternating instances.
      Promise.all(
        measures.map(async (m, i) => {
          const saved: { progress: string; answer: Answer }[] = []
          for (const round of [1, 2, 3]) {
            const progress = `Lägesrapport ${round} för åtgärd ${m.id}`
            const form = `/planer/${plan.id}/atgarder/${m.id}/uppdatera`
            saved.push({
              progress,
              answer: await (instances[(i + round) % 2] as Visitor).submit(form, form, { progress }),
            })
          }
          return { id: m.id, saved }
        }),
      ),
      // Each risk's title, from both instances at once, each from the form opened before: one save, one conflict.
      Promise.all(
        risks.map(async (r, i) => {
          const posted = instances.map((visitor, n) => {
            const page = opened[i]?.[n] as string
            return visitor.post(riskForm(r.id), formValues(page, riskForm(r.id), { title: `${r.title} (${n})` }))
          })
          return { id: r.id, title: r.title, answers: await Promise.all(posted) }
        }),
      ),
    ])

    for (const { title, answer } of creates) {
      expect(answer.status, `${title}: ${answer.body.slice(0, 200)}`).toBe(303)
      const id = Number(/\/atgarder\/(\d+)$/.exec(answer.location)?.[1])
      expect(await db.selectFrom('measure').select('title').where('id', '=', id).executeTakeFirst()).toEqual({ title })
    }
    // Each went last under its risk, so none shares a place with another: the moves up and down rely on it.
    const positions = await db.selectFrom('measure').select('position').where('risk_id', '=', first.risk_id).execute()
    expect(new Set(positions.map((m) => m.position)).size).toBe(positions.length)
    for (const { id, saved } of updates) {
      expect(saved.map((s) => s.answer.status)).toEqual([303, 303, 303])
      const kept = await db.selectFrom('measure').select('progress').where('id', '=', id).executeTakeFirstOrThrow()
      expect(kept.progress).toBe(saved.at(-1)?.progress)
    }
    for (const { id, title, answers } of edits) {
      expect(answers.map((x) => x.status).sort()).toEqual([303, 409])
      const refused = answers.find((x) => x.status === 409) as Answer
      expect(refused.body).toContain('Någon annan hann ändra först')
      const winner = answers.findIndex((x) => x.status === 303)
      expect(await db.selectFrom('risk').select('title').where('id', '=', id).executeTakeFirst()).toEqual({
        title: `${title} (${winner})`,
      })
    }
  })

  it('continue on one an import begun on the other', async () => {
    const onA = await secretaryOn(a)
    const exported = await onA.get(`/planer/${plan.id}/exportera/csv`)
    expect(exported.status).toBe(200)
    const upload = await onA.get('/planer/importera')
    const form = new FormData()
    for (const [name, value] of formValues(upload.body, '/planer/importera', {
      committeeId: String(plan.committeeId),
      year: '2099',
      title: 'Importerad via två instanser',
    }))
      form.append(name, value)
    form.append('file', new Blob([new Uint8Array(exported.bytes)]), 'plan.csv')
    const read = await onA.post('/planer/importera', form)
    expect(read).toMatchObject({ status: 303, location: expect.stringMatching(/^\/planer\/importera\/\d+\/kolumner$/) })

    const onB = onA.at(b.baseUrl)
    const columns = await onB.submit(read.location, read.location)
    expect(columns).toMatchObject({ status: 303, location: expect.stringMatching(/\/kontrollera$/) })
    const imported = await onB.submit(columns.location, columns.location)
    expect(imported).toMatchObject({ status: 303, location: expect.stringMatching(/^\/planer\/\d+$/) })
    const newPlan = Number(imported.location.split('/').at(-1))
    const count = (planId: number) =>
      db
        .selectFrom('measure')
        .innerJoin('risk', 'risk.id', 'measure.risk_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('risk.plan_id', '=', planId)
        .executeTakeFirstOrThrow()
    expect(await count(newPlan)).toEqual(await count(plan.id))
  })

  it('store one final version when both fastställ at once, and download it byte for byte from either', async () => {
    const [onA, onB] = await Promise.all([secretaryOn(a), secretaryOn(b)])
    const preview = `/planer/${plan.id}/rapport`
    const action = `${preview}/faststall`
    // Both opened the preview before either pressed the button.
    const forms = await Promise.all(
      [onA, onB].map(async (visitor) =>
        formValues((await visitor.get(preview)).body, action, { createdBy: 'Sara Sekreterare, nämndsekreterare' }),
      ),
    )
    const answers = await Promise.all([
      onA.post(action, forms[0] as URLSearchParams),
      onB.post(action, forms[1] as URLSearchParams),
    ])
    expect(answers.map((x) => x.status).sort()).toEqual([303, 409])
    const versions = await db
      .selectFrom('report_version')
      .select(['id', 'sha256'])
      .where('plan_id', '=', plan.id)
      .execute()
    expect(versions).toHaveLength(1)
    const [version] = versions
    for (const visitor of [onA, onB]) {
      const download = await visitor.get(`${preview}/versioner/${version?.id}`)
      expect(download.status).toBe(200)
      expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(version?.sha256)
    }
  })

  it('leave a log that npm run audit:verify finds whole, anchored by both in the one file', async () => {
    const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['scripts/verify-audit.ts'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: database, AUDIT_ANCHOR_FILE: anchorFile },
    })
    expect(stdout).toMatch(
      /: Ändringsloggen är hel: \d+ rader, alla i obruten följd, signerade med loggens nyckel, förankrade/,
    )
    const { n } = await db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    const heads = (await readFile(anchorFile, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).count)
    expect(Math.max(...heads)).toBe(n)
  })
})
