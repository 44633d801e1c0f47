import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Migrator, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Db,
  databaseEnv,
  describeDatabase,
  isPostgres,
  isPostgresUrl,
  migrateToLatest,
  openDatabase,
} from '../db/connection.js'
import { CopyMismatch, copyTables, sourceTables } from '../db/copy.js'
import { migrationProvider } from '../db/migrations/index.js'
import { resetToDemoData } from '../db/seed/demo.js'
import SQLite from '../db/sqlite.js'
import { createToken } from '../server/api/tokens.js'
import { openAuditedDatabase } from '../server/audit/anchor.js'
import { auditedTransaction } from '../server/audit/audited.js'
import type { Actor } from '../server/audit/repository.js'
import { createSession, recordLoginFailure } from '../server/auth/repository.js'
import { insertGroupRole, linkIdentity } from '../server/auth/sso/repository.js'
import { samlRequests, takeAssertion } from '../server/auth/sso/saml-repository.js'
import { loadConfig } from '../server/config.js'
import { deleteMeasure } from '../server/measures/repository.js'
import { insertReportVersion } from '../server/reports/repository.js'
import { insertRollupReportVersion } from '../server/rollup/report-repository.js'
import { aMeasure } from '../test/helpers/builders.js'
import { queueMail } from '../test/helpers/outbox.js'
import { runScript } from '../test/helpers/scripts.js'
import { freshDatabaseLocation, migratedDatabaseLocation, onPostgres } from '../test/helpers/test-database.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-db-copy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const template = join(dir, 'template.sqlite')
const anchorOf = (file: string) => file.replace(/\.sqlite$/, '.audit-anchor')
const actor: Actor = { userId: null, userName: 'Testdata', at: '2021-03-15T08:00:00.000Z' }
/** Characters the forms now drop (older rows may hold them) beside ones they keep, all storable on both engines. */
const oddText = 'Rutinen\u0007 är\ufffe reviderad 😀 åäö.'
let deletedMeasureId: number

/**
 * The demo data, with a row in every table the demo leaves empty, written as the app writes them (audited where the
 * app audits): a PDF's bytes, a text with odd characters, a risk that names a later risk, the newest measure deleted.
 */
beforeAll(async () => {
  const db = openAuditedDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_FILE: template }))
  await migrateToLatest(db)
  const now = new Date('2021-03-15T09:00:00Z')
  await resetToDemoData(db, now)
  const plan = await db.selectFrom('plan').select(['id', 'year']).orderBy('id').executeTakeFirstOrThrow()
  const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  const committee = await db.selectFrom('committee').select('id').orderBy('id').executeTakeFirstOrThrow()
  const user = await db.selectFrom('app_user').select('id').orderBy('id').executeTakeFirstOrThrow()
  const risks = await db.selectFrom('risk').select(['id', 'plan_id']).orderBy('id').execute()
  const [first, last] = [risks[0], risks.at(-1)] as [(typeof risks)[number], (typeof risks)[number]]
  const unit = await db.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
  const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0a, 0x00, 0x80])

  await auditedTransaction(db, actor, 'create', { entity: 'report_version', planId: plan.id }, async (trx) => {
    const made = await insertReportVersion(trx, {
      planId: plan.id,
      versionNumber: 1,
      fileName: 'Uppföljning 2020 version 1.pdf',
      pdf,
      createdAt: actor.at,
      createdBy: actor.userName,
      openData: (sha256) => JSON.stringify({ sha256, note: oddText }),
    })
    return made.id
  })
  await auditedTransaction(db, actor, 'create', { entity: 'rollup_report_version', planId: null }, (trx) =>
    insertRollupReportVersion(trx, {
      municipalityId: municipality.id,
      year: plan.year,
      versionNumber: 1,
      fileName: 'Sammanställning 2020 version 1.pdf',
      pdf,
      createdAt: actor.at,
      createdBy: actor.userName,
    }),
  )
  await db.transaction().execute((trx) => createToken(trx, actor, { municipalityId: municipality.id, name: 'Diariet' }))
  const mail = await queueMail(db, { at: now })
  await db
    .insertInto('reminder')
    .values({
      user_id: user.id,
      committee_id: committee.id,
      key: 'measure:1:due:2021-03-29:before:14',
      kind: 'due',
      about: '{"title":"Åtgärd"}',
      due_on: '2021-03-29',
      created_on: '2021-03-15',
      mail_id: mail.id,
    })
    .execute()
  await db
    .insertInto('reminder_pass')
    .values({ pass_date: '2021-03-15', started_at: actor.at, finished_at: null })
    .execute()
  await db.insertInto('job_lease').values({ name: 'reminders', holder: 'host:1', expires_at: actor.at }).execute()
  // Three, so that a text key spans pages too.
  for (let i = 0; i < 3; i += 1) await createSession(db, user.id, now, i === 0 ? '{"provider":"oidc"}' : null)
  await auditedTransaction(db, actor, 'create', { entity: 'sso_group_role', planId: null }, (trx) =>
    insertGroupRole(trx, {
      groupName: 'IK-Läsare',
      role: 'reader',
      committeeId: committee.id,
      unitId: null,
      municipalityId: null,
      createdAt: actor.at,
    }),
  )
  // Links are part of the user's logged record, so they are made as a sign-in makes them: logged.
  await auditedTransaction(db, actor, 'update', { entity: 'app_user', id: user.id, planId: null }, async (trx) => {
    for (const subject of ['https://idp.kommun.se 1', 'https://idp.kommun.se 2', 'https://idp.kommun.se 3']) {
      await linkIdentity(trx, 'oidc', subject, user.id, actor.at)
    }
    await trx
      .insertInto('sso_role_grant')
      .values({ user_id: user.id, role: 'reader', target_id: committee.id })
      .execute()
  })
  // Three of each, keyed by text.
  for (const id of ['_request1', '_request2', '_request3'])
    await samlRequests(db, 60_000, () => now).saveAsync(id, now.toISOString())
  for (const id of ['_assertion1', '_assertion2', '_assertion3']) await takeAssertion(db, id, now, now)
  await recordLoginFailure(db, ['sara@kommun.se', '127.0.0.1'], now)
  await db
    .insertInto('spreadsheet_import')
    .values({
      user_id: user.id,
      created_at: actor.at,
      committee_id: committee.id,
      year: 2022,
      title: 'Internkontrollplan 2022',
      file_name: 'plan.xlsx',
      sheets: '[]',
      mapping: '{}',
    })
    .execute()
  // Names a risk copied after it: the copy cannot insert the reference before the row it references.
  await auditedTransaction(db, actor, 'update', { entity: 'risk', id: first.id, planId: first.plan_id }, (trx) =>
    trx
      .updateTable('risk')
      .set({ previous_risk_id: last.id, description: oddText })
      .where('id', '=', first.id)
      .execute(),
  )
  // The newest measure deleted: its id must not be given again.
  deletedMeasureId = await auditedTransaction(
    db,
    actor,
    'create',
    { entity: 'measure', planId: first.plan_id },
    (trx) => aMeasure(trx, first.id, unit.id),
  )
  await auditedTransaction(
    db,
    actor,
    'delete',
    { entity: 'measure', id: deletedMeasureId, planId: first.plan_id },
    (trx) => deleteMeasure(trx, deletedMeasureId),
  )
  await db.destroy()
})

let installations = 0

/** A copy of the installation (its file and anchor) for one test, which may change it. */
function anInstallation(): string {
  installations += 1
  const file = join(dir, `installation-${installations}.sqlite`)
  copyFileSync(template, file)
  copyFileSync(anchorOf(template), anchorOf(file))
  return file
}

const dbCopy = (installation: string, target: string, args: string[] = []) =>
  runScript('scripts/db-copy.ts', ['--to', target, ...args], { DATABASE_FILE: installation })

/** `npm run audit:verify` on the copy, against the installation's anchor file. */
const auditVerify = (installation: string, target: string) =>
  runScript('scripts/verify-audit.ts', [], { ...databaseEnv(target), AUDIT_ANCHOR_FILE: anchorOf(installation) })

async function tableNames(db: Db): Promise<string[]> {
  const { rows } = isPostgres(db)
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema()`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
  return rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('sqlite_') && !name.startsWith('kysely_'))
    .sort()
}

/** As a refusal before the target is looked at leaves it: no SQLite file made, a PostgreSQL database without tables. */
async function untouched(location: string): Promise<boolean> {
  if (!isPostgresUrl(location)) return !existsSync(location)
  const db = openDatabase(location)
  try {
    return (await tableNames(db)).length === 0
  } finally {
    await db.destroy()
  }
}

/** Every row of a table, in an order both engines give alike. */
async function rowsOf(db: Db, table: string) {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)
  return rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

async function everyRow(db: Db) {
  const tables: Record<string, unknown[]> = {}
  for (const table of await tableNames(db)) tables[table] = await rowsOf(db, table)
  return tables
}

describe('npm run db:copy', () => {
  it('copies every row of every table, the copy verifies, and the app goes on writing there', async () => {
    const installation = anInstallation()
    const target = await freshDatabaseLocation(join(dir, 'copy.sqlite'))
    // Two rows a page: every table of more spans pages, those keyed by several columns or by text too.
    const copy = await dbCopy(installation, target, ['--batch-size', '2'])
    expect(copy.stderr).toBe('')
    expect(copy.code).toBe(0)
    expect(copy.stdout).toMatch(/^ {2}audit_event: \d+ of \d+ rows$/m)
    expect(copy.stdout).toMatch(/^measure +(\d+) +\1 +equal$/m)
    expect(copy.stdout).toContain(`AUDIT_ANCHOR_FILE=${anchorOf(installation)}`)

    const source = openDatabase(installation)
    const copied = openDatabase(target)
    try {
      const rows = await everyRow(source)
      expect(Object.entries(rows).filter(([, r]) => r.length === 0)).toEqual([])
      expect(await everyRow(copied)).toEqual(rows)
    } finally {
      await source.destroy()
      await copied.destroy()
    }
    expect(await auditVerify(installation, target)).toMatchObject({ code: 0, stderr: '' })

    // The app on the copy, as the message says to start it: new ids, and the log anchored in the same file.
    const app = openAuditedDatabase(
      loadConfig({ NODE_ENV: 'test', ...databaseEnv(target), AUDIT_ANCHOR_FILE: anchorOf(installation) }),
    )
    try {
      const risk = await app.selectFrom('risk').select(['id', 'plan_id']).orderBy('id').executeTakeFirstOrThrow()
      const unit = await app.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
      const measureId = await auditedTransaction(
        app,
        actor,
        'create',
        { entity: 'measure', planId: risk.plan_id },
        (trx) => aMeasure(trx, risk.id, unit.id),
      )
      expect(measureId).toBe(deletedMeasureId + 1)
      const mail = await queueMail(app, { at: new Date() })
      const token = await app
        .transaction()
        .execute((trx) => createToken(trx, actor, { municipalityId: 1, name: 'Ny integration' }))
      expect([mail.id, token.id]).toEqual([2, 2])
    } finally {
      await app.destroy()
    }
    expect(await auditVerify(installation, target)).toMatchObject({ code: 0, stderr: '' })
  })

  it('refuses a target that holds rows, and leaves it as it was', async () => {
    const target = await migratedDatabaseLocation(join(dir, 'used.sqlite'))
    const db = openDatabase(target)
    try {
      await db.insertInto('municipality').values({ name: 'Grannkommunen' }).execute()
      const before = await everyRow(db)
      expect(await dbCopy(anInstallation(), target)).toMatchObject({
        code: 1,
        stdout: '',
        stderr: expect.stringMatching(/: it already holds rows, in municipality\. Copy into an empty database\.\n$/),
      })
      expect(await everyRow(db)).toEqual(before)
    } finally {
      await db.destroy()
    }
  })

  it(`${onPostgres ? 'refuses' : 'copies'} a text holding a NUL${onPostgres ? ', naming where it is' : ''}`, async () => {
    const installation = anInstallation()
    const source = openAuditedDatabase(loadConfig({ NODE_ENV: 'test', DATABASE_FILE: installation }))
    const measure = await source.selectFrom('measure').select(['id', 'risk_id']).orderBy('id').executeTakeFirstOrThrow()
    const risk = await source
      .selectFrom('risk')
      .select('plan_id')
      .where('id', '=', measure.risk_id)
      .executeTakeFirstOrThrow()
    await auditedTransaction(
      source,
      actor,
      'update',
      { entity: 'measure', id: measure.id, planId: risk.plan_id },
      (trx) =>
        trx
          .updateTable('measure')
          .set({ progress: 'Rutinen\u0000 är reviderad.' })
          .where('id', '=', measure.id)
          .execute(),
    )
    await source.destroy()
    const target = await freshDatabaseLocation(join(dir, 'nul.sqlite'))
    const copy = await dbCopy(installation, target)
    if (onPostgres) {
      expect(copy.code).toBe(1)
      expect(copy.stderr).toContain('PostgreSQL cannot store the character NUL (U+0000)')
      expect(copy.stderr).toContain(`\n  - measure.progress in the row id = ${measure.id}\n`)
      expect(await untouched(target)).toBe(true)
      return
    }
    // SQLite holds it: the copy is exact.
    expect(copy.code).toBe(0)
    const copied = openDatabase(target)
    try {
      const { progress } = await copied
        .selectFrom('measure')
        .select('progress')
        .where('id', '=', measure.id)
        .executeTakeFirstOrThrow()
      expect(progress).toBe('Rutinen\u0000 är reviderad.')
    } finally {
      await copied.destroy()
    }
  })

  it('refuses a source not at the latest schema, or whose audit log does not verify', async () => {
    const old = join(dir, 'old.sqlite')
    const db = openDatabase(old)
    await new Migrator({ db, provider: migrationProvider }).migrateTo('0020-api-tokens')
    await db.destroy()
    const notRun = Object.keys(await migrationProvider.getMigrations()).filter((name) => name > '0020-api-tokens')
    const target = await freshDatabaseLocation(join(dir, 'refused.sqlite'))
    expect(await dbCopy(old, target)).toMatchObject({
      code: 1,
      stderr:
        `Nothing was copied into ${describeDatabase(target)}: ${old} is not at the latest schema ` +
        `(${notRun.join(', ')} not run). Run npm run db:migrate on it first.\n`,
    })

    const changed = anInstallation()
    const sqlite = new SQLite(changed)
    sqlite.prepare("update measure set title = 'Ändrad utanför programmet' where id = 1").run()
    sqlite.close()
    const refused = await dbCopy(changed, target)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/: the audit log of .* does not verify .*\n {2}- .*Ändrad utanför programmet/)
    expect(await untouched(target)).toBe(true)
  })
})

describe('copyTables', () => {
  /**
   * What copyTables throws when, while it copies `table`, a server still running changes the source with `change`:
   * its change is not in the snapshot the copy reads. The copy must have been rolled back.
   */
  async function copiedWhileChanged(name: string, table: string, change: string) {
    const installation = anInstallation()
    const target = await migratedDatabaseLocation(join(dir, `${name}.sqlite`))
    const source = openDatabase(installation)
    const copied = openDatabase(target)
    const server = new SQLite(installation)
    try {
      const progress = (copying: string) => {
        if (copying === table) server.prepare(change).run()
      }
      const error = await copyTables(source, copied, await sourceTables(source), { progress }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CopyMismatch)
      expect(Object.values(await everyRow(copied)).flat()).toEqual([])
      return (error as CopyMismatch).tables.filter((t) => t.sourceRows !== t.targetRows || !t.sameContents)
    } finally {
      server.close()
      await source.destroy()
      await copied.destroy()
    }
  }

  it('rolls the copy back when the source changes meanwhile', async () => {
    const insert = `insert into login_failure (subject, at) values ('x', 'y')`
    expect(await copiedWhileChanged('meanwhile', 'login_failure', insert)).toEqual([
      { name: 'login_failure', sourceRows: 3, targetRows: 2, sameContents: false },
    ])
  })

  it('rolls the copy back when a row of the source is changed meanwhile, its count unchanged', async () => {
    // A running server's sender marking a mail sent after the copy read it: the copy would send it again.
    const update = `update outbox_mail set state = 'sent' where id = (select min(id) from outbox_mail)`
    const differing = await copiedWhileChanged('changed-meanwhile', 'outbox_mail', update)
    expect(differing).toEqual([
      { name: 'outbox_mail', sourceRows: expect.any(Number), targetRows: expect.any(Number), sameContents: false },
    ])
    expect(differing[0]?.sourceRows).toBe(differing[0]?.targetRows)
  })
})
