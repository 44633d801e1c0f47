import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Selectable } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, describeDatabase, isPostgresUrl, migrateToLatest, openDatabase } from '../../db/connection.js'
import type { AuditEventTable } from '../../db/schema.js'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { copiedDatabaseLocation, freshDatabaseLocation } from '../../test/helpers/test-database.js'
import { loadConfig } from '../config.js'
import { ensureOrganisation } from '../organisation/repository.js'
import { insertReportVersion } from '../reports/repository.js'
import { auditHead, openAuditedDatabase } from './anchor.js'
import { auditedTransaction } from './audited.js'
import { openCurrentDatabase, signLegacyLog, upgradeActorName } from './baseline.js'
import { eventHash, genesis } from './chain.js'
import type { Actor } from './repository.js'
import { type ReportHead, verifyAudit } from './verify.js'

type Row = Omit<Selectable<AuditEventTable>, 'hash'>

const dir = mkdtempSync(join(tmpdir(), 'ik-verify-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** How a database is named to the app and the scripts: an SQLite file, or PostgreSQL's URL. */
const databaseEnv = (location: string) =>
  isPostgresUrl(location) ? { DATABASE_URL: location } : { DATABASE_FILE: location }
/**
 * The settings of the installation `name` keeping its data at `location`: its anchor beside it in `dir`, where the
 * app keeps it for an SQLite file by default and where AUDIT_ANCHOR_FILE names it for PostgreSQL.
 */
const settingsOf = (name: string, location: string) => ({
  ...databaseEnv(location),
  AUDIT_ANCHOR_FILE: join(dir, `${name}.audit-anchor`),
})
const configOf = (name: string, location: string) => loadConfig({ NODE_ENV: 'test', ...settingsOf(name, location) })
let original: ReturnType<typeof configOf>
const sara: Actor = { userId: null, userName: 'Sara Sekreterare', at: '2021-03-15T08:00:00Z' }
let measure: { id: number; planId: number; title: string }
let printedHead: Awaited<ReturnType<typeof auditHead>>

const saveProgress = (db: Db, progress: string) =>
  auditedTransaction(db, sara, 'update', { entity: 'measure', id: measure.id, planId: measure.planId }, (trx) =>
    trx.updateTable('measure').set({ progress }).where('id', '=', measure.id).execute(),
  )

// The demo plans (2020 and 2021), then 150 saved progress notes: a real database and its anchor, as the server leaves them.
beforeAll(async () => {
  original = configOf('original', await freshDatabaseLocation(join(dir, 'original.sqlite')))
  const db = openAuditedDatabase(original, () => new Date('2021-03-15T09:02:00Z'))
  await migrateToLatest(db)
  await loadDemoDataIfEmpty(db, new Date('2021-03-15T07:00:00Z'))
  measure = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select(['measure.id', 'risk.plan_id as planId', 'measure.title'])
    .orderBy('measure.id')
    .executeTakeFirstOrThrow()
  printedHead = await auditHead(db)
  await auditedTransaction(db, sara, 'create', { entity: 'report_version', planId: measure.planId }, async (trx) => {
    const pdf = new TextEncoder().encode('%PDF-1.7 Uppföljning förbättringsåtgärder 2020')
    const fields = { planId: measure.planId, versionNumber: 1, fileName: 'Uppföljning 2020 version 1.pdf', pdf }
    return (await insertReportVersion(trx, { ...fields, createdAt: sara.at, createdBy: 'Sara Sekreterare' })).id
  })
  for (let note = 1; note <= 150; note++) {
    await saveProgress(db, `Anteckning ${note}`)
  }
  await db.destroy()
})

/** A copy of the database and its anchor to tamper with, opened without the app (as an attacker would). */
async function copy(name: string) {
  const location = await copiedDatabaseLocation(original.database, join(dir, `${name}.sqlite`))
  const config = configOf(name, location)
  copyFileSync(original.auditAnchorFile as string, config.auditAnchorFile as string)
  return { location, config, db: openDatabase(location) }
}

const findings = (db: Db, config: typeof original, reportHeads: ReportHead[] = []) =>
  verifyAudit(db, { key: config.auditKey, anchorFile: config.auditAnchorFile, reportHeads })

/** Every record the log keeps, counted table by table (named here, apart from verify.ts's own list). */
async function recordCount(db: Db) {
  const tables = [
    'municipality',
    'administration',
    'committee',
    'owner_unit',
    'app_user',
    'plan',
    'risk',
    'review',
    'measure',
    'report_version',
    'inspection',
    'development_area',
    'control',
    'control_run',
    'control_deviation',
    'municipal_item',
  ] as const
  let records = 0
  for (const table of tables) {
    const { n } = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    records += Number(n)
  }
  return records
}

const lastId = async (db: Db) =>
  (await db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id

/** Rewrites the chain from a row on, as someone with the database would after editing it. */
async function rechain(db: Db, from: number, hash: (row: Row) => string) {
  const rows = await db.selectFrom('audit_event').selectAll().where('id', '>=', from).orderBy('id').execute()
  let previous = (
    await db
      .selectFrom('audit_event')
      .select('hash')
      .where('id', '=', from - 1)
      .executeTakeFirstOrThrow()
  ).hash
  for (const { hash: _old, ...row } of rows) {
    const next = hash({ ...row, prev_hash: previous })
    await db.updateTable('audit_event').set({ prev_hash: previous, hash: next }).where('id', '=', row.id).execute()
    previous = next
  }
}

const plainSha256 = (row: Row) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        row.id,
        row.at,
        row.user_id,
        row.user_name,
        row.action,
        row.entity,
        row.entity_id,
        row.plan_id,
        row.before,
        row.after,
        row.prev_hash,
        ...(row.committee_id === null ? [] : [row.committee_id]),
      ]),
    )
    .digest('hex')

describe('verifying the audit log', () => {
  it('finds nothing wrong in the database the app left, demo data included', async () => {
    const { db, config } = await copy('untouched')
    const result = await findings(db, config)
    expect(result.findings).toEqual([])
    const rows = await lastId(db)
    // The demo's size is the database's, not a number here: the anchor begins at the demo's last row, which the
    // report printed as its head, and every record of the audited tables is compared.
    expect(printedHead.count).toBeGreaterThan(0)
    expect(result.summary).toBe(
      `Ändringsloggen är hel: ${rows} rader, alla i obruten följd, signerade med loggens nyckel, ` +
        `förankrade från 2021-03-15 10:02 (rad ${printedHead.count}) till 2021-03-15 10:02 (rad ${rows}), ` +
        `och alla ${await recordCount(db)} poster stämmer med sin senast loggade version.`,
    )
    await db.destroy()
  })

  it('finds the last row, the last 100 rows and all rows deleted', async () => {
    const { db, config } = await copy('truncated')
    const rows = await lastId(db)
    await db.deleteFrom('audit_event').where('id', '=', rows).execute()
    expect((await findings(db, config)).findings).toContainEqual({
      kind: 'rows-deleted-at-end',
      message: `Den sista raden i ändringsloggen saknas: loggen har ${rows - 1} rader men förankringen från 2021-03-15 10:02 anger ${rows}.`,
    })
    await db
      .deleteFrom('audit_event')
      .where('id', '>', rows - 100)
      .execute()
    expect((await findings(db, config)).findings).toContainEqual({
      kind: 'rows-deleted-at-end',
      message: `De 100 sista raderna i ändringsloggen saknas: loggen har ${rows - 100} rader men förankringen från 2021-03-15 10:02 anger ${rows}.`,
    })
    await db.deleteFrom('audit_event').execute()
    const all = (await findings(db, config)).findings
    expect(all).toContainEqual({
      kind: 'rows-deleted-at-end',
      message: `Alla rader i ändringsloggen saknas: loggen är tom men förankringen från 2021-03-15 10:02 anger ${rows}.`,
    })
    expect(all).toContainEqual({
      kind: 'record-unaudited',
      message: `Åtgärd ${measure.id} (”${measure.title}”) finns inte i ändringsloggen: posten har lagts in utan att det loggats.`,
    })
    await db.destroy()
  })

  it('finds a row edited and the chain after it recomputed, with plain SHA-256 or with another key', async () => {
    for (const [name, hash] of [
      ['sha256', plainSha256],
      ['wrong-key', (row: Row) => eventHash(row, 'a key that is not the audit key')],
    ] as const) {
      const { db, config } = await copy(name)
      const edited = (await lastId(db)) - 10
      await db.updateTable('audit_event').set({ user_name: 'Någon annan' }).where('id', '=', edited).execute()
      await rechain(db, edited, hash)
      const found = (await findings(db, config)).findings
      expect(found).toContainEqual({
        kind: 'row-altered',
        message:
          `Rad ${edited} i ändringsloggen (2021-03-15, Någon annan) är inte signerad med loggens nyckel: den har ` +
          'ändrats eller lagts till utanför programmet. 10 fler rader efter den är också felaktiga.',
      })
      expect(found).toContainEqual({
        kind: 'log-rewritten',
        message: `Ändringsloggen har skrivits om: rad ${edited} är inte den rad som förankrades 2021-03-15 10:02.`,
      })
      await db.destroy()
    }
  })

  it('finds a forged row appended to the log', async () => {
    const { db, config } = await copy('appended')
    const last = await db.selectFrom('audit_event').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
    const forged = { ...last, id: last.id + 1, user_name: 'Sara Sekreterare', prev_hash: last.hash }
    await db
      .insertInto('audit_event')
      .values({ ...forged, hash: plainSha256(forged) })
      .execute()
    const found = (await findings(db, config)).findings
    expect(found.map((f) => f.kind)).toEqual(['row-altered', 'anchor-behind'])
    expect(found[0]?.message).toBe(
      `Rad ${last.id + 1} i ändringsloggen (2021-03-15, Sara Sekreterare) är inte signerad med loggens nyckel: ` +
        'den har ändrats eller lagts till utanför programmet.',
    )
    await db.destroy()
  })

  it('finds the log cut short and written on by the app, though its last head matches again', async () => {
    const { db, config } = await copy('cut')
    const rows = await lastId(db)
    await db
      .deleteFrom('audit_event')
      .where('id', '>', rows - 5)
      .execute()
    await db.destroy()
    const app = openAuditedDatabase(config)
    for (const note of [1, 2, 3, 4, 5, 6]) {
      await saveProgress(app, `Ny anteckning ${note}`)
    }
    const found = (await findings(app, config)).findings
    expect(found.map((f) => f.kind)).toEqual(['log-rewritten'])
    expect(found[0]?.message).toMatch(new RegExp(`^Ändringsloggen har skrivits om: rad ${rows - 4} är inte den rad`))
    await app.destroy()
  })

  it('tells an anchor left behind by a crash from tampering', async () => {
    const { db, config } = await copy('behind')
    await db.destroy()
    // Committed but never anchored: what a process killed between the two leaves.
    const unanchored = openDatabase(config.database)
    await saveProgress(unanchored, 'Sparad före avbrottet')
    const rows = await lastId(unanchored)
    expect((await findings(unanchored, config)).findings).toEqual([
      {
        kind: 'anchor-behind',
        message:
          `Förankringen ligger 1 rad efter ändringsloggen: loggen har ${rows} rader, förankringen från ` +
          `2021-03-15 10:02 anger ${rows - 1}. Raden efter förankringen är signerad med loggens nyckel och ` +
          'alltså skriven av programmet, som troligen avbröts mellan att en ändring sparades och att den ' +
          'förankrades. Nästa ändring i programmet förankrar den.',
      },
    ])
    await unanchored.destroy()
    // A crash in the middle of an append leaves half a line; the next change's head still anchors everything.
    appendFileSync(config.auditAnchorFile as string, '{"at":"2021-03-15T09:03:00.000Z","count":2')
    const app = openAuditedDatabase(config)
    await saveProgress(app, 'Sparad efter avbrottet')
    expect((await findings(app, config)).findings).toEqual([])
    await app.destroy()
  })

  it('finds an anchor line changed by hand, and a missing anchor file', async () => {
    const { db, config } = await copy('anchor')
    const anchorFile = config.auditAnchorFile as string
    const lines = readFileSync(anchorFile, 'utf8').trimEnd().split('\n')
    const last = JSON.parse(lines.at(-1) as string)
    appendFileSync(anchorFile, `${JSON.stringify({ ...last, count: last.count + 50 })}\n`)
    expect((await findings(db, config)).findings).toEqual([
      {
        kind: 'anchor-forged',
        message: `En rad i förankringsfilen ${anchorFile} är inte signerad med loggens nyckel: filen har ändrats utanför programmet.`,
      },
    ])
    writeFileSync(anchorFile, '')
    expect((await findings(db, config)).findings.map((f) => f.kind)).toEqual(['anchor-missing'])
    await db.destroy()
  })

  it('finds a record changed, removed or added behind the app’s back', async () => {
    const { db, config } = await copy('records')
    await db
      .updateTable('measure')
      .set({ progress: 'Ändrat direkt i databasen' })
      .where('id', '=', measure.id)
      .execute()
    const review = await db.selectFrom('review').select(['id', 'title']).orderBy('id').executeTakeFirstOrThrow()
    await db.deleteFrom('review').where('id', '=', review.id).execute()
    const risk = await db.selectFrom('risk').select(['id', 'title']).orderBy('id').executeTakeFirstOrThrow()
    await db.updateTable('risk').set({ likelihood: 4, version: 7 }).where('id', '=', risk.id).execute()
    const administration = await db.selectFrom('administration').select('id').orderBy('id').executeTakeFirstOrThrow()
    // A final version's PDF swapped for other bytes of the same length, the row otherwise untouched.
    const version = await db.selectFrom('report_version').select(['id', 'pdf']).executeTakeFirstOrThrow()
    const swapped = new TextEncoder().encode('%PDF-1.7 Uppföljning förbättringsåtgärder 2021')
    await db.updateTable('report_version').set({ pdf: swapped }).where('id', '=', version.id).execute()
    const { id: unit } = await db
      .insertInto('owner_unit')
      .values({ administration_id: administration.id, name: 'Ekonomiavdelningen' })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect((await findings(db, config)).findings).toEqual([
      {
        kind: 'record-unaudited',
        message: `Ansvarig enhet ${unit} (”Ekonomiavdelningen”) finns inte i ändringsloggen: posten har lagts in utan att det loggats.`,
      },
      {
        kind: 'record-changed',
        message:
          `Risk ${risk.id} (”${risk.title}”) har ändrats utan att ändringen loggats: fälten Sannolikhet och ` +
          'Versionsnummer skiljer sig från den senast loggade versionen (2021-03-15 08:00, Demodata (db:seed)).',
      },
      {
        kind: 'record-removed',
        message:
          `Granskning ${review.id} (”${review.title}”) har tagits bort utan att borttagningen loggats; den senast ` +
          'loggade versionen är från 2021-03-15 08:00 (Demodata (db:seed)).',
      },
      {
        kind: 'record-changed',
        message:
          `Åtgärd ${measure.id} (”${measure.title}”) har ändrats utan att ändringen loggats: fältet Genomförda ` +
          'åtgärder skiljer sig från den senast loggade versionen (2021-03-15 09:00, Sara Sekreterare).',
      },
      {
        kind: 'record-changed',
        message:
          `Fastställd rapport ${version.id} (”Uppföljning 2020 version 1.pdf”) har ändrats utan att ändringen ` +
          'loggats: PDF-filen är inte den som fastställdes, dess SHA-256 skiljer sig från den sparade.',
      },
    ])
    await db.destroy()
  })

  it('accepts the rows from before the key at the start of the log, and nowhere else', async () => {
    const config = configOf('upgraded', await freshDatabaseLocation(join(dir, 'upgraded.sqlite')))
    // As the version before the key left it: one record and its row, hashed with plain SHA-256, no anchor.
    const old = openDatabase(config.database)
    await migrateToLatest(old)
    await old.insertInto('municipality').values({ name: 'Malmö stad' }).execute()
    const legacy = {
      id: 1,
      at: '2020-01-10T09:00:00Z',
      user_id: null,
      user_name: 'Ada Administratör',
      action: 'create' as const,
      entity: 'municipality',
      entity_id: 1,
      plan_id: null,
      committee_id: null,
      before: null,
      after: JSON.stringify({ id: 1, name: 'Malmö stad' }),
      prev_hash: '0'.repeat(64),
    }
    await old
      .insertInto('audit_event')
      .values({ ...legacy, hash: plainSha256(legacy) })
      .execute()
    await old.destroy()

    const db = openAuditedDatabase(config)
    const org = { municipality: 'Malmö stad', administration: 'Grundskoleförvaltningen', diaryPrefix: 'GRF' }
    await db
      .transaction()
      .execute((trx) => ensureOrganisation(trx, sara, { ...org, committee: 'Grundskolenämnden', units: [] }))
    const result = await findings(db, config)
    expect(result.findings).toEqual([])
    expect(result.summary).toMatch(
      /^Ändringsloggen är hel: 3 rader, alla i obruten följd, den första, från före signeringen, kontrollerad med SHA-256 och resten signerade med loggens nyckel, förankrade från/,
    )
    const last = await db.selectFrom('audit_event').selectAll().where('id', '=', 3).executeTakeFirstOrThrow()
    const appended = { ...last, id: 4, prev_hash: last.hash }
    await db
      .insertInto('audit_event')
      .values({ ...appended, hash: plainSha256(appended) })
      .execute()
    expect((await findings(db, config)).findings.map((f) => f.kind)).toEqual(['row-altered', 'anchor-behind'])
    await db.destroy()
  })

  it('finds the head a final report printed, until the log before it is rewritten', async () => {
    const { db, config } = await copy('report')
    expect((await findings(db, config, [printedHead])).findings).toEqual([])
    // A head typed in with a made-up tag is not one the app printed.
    expect((await findings(db, config, [{ ...printedHead, tag: '0123456789abcdef' }])).findings).toEqual([
      {
        kind: 'report-head-missing',
        message:
          `Rapportens förankring (rad ${printedHead.count}, ${printedHead.shortHash}) finns inte i ändringsloggen: ` +
          'loggen fram till rapporten har ändrats eller tagits bort.',
      },
    ])
    await db.deleteFrom('audit_event').where('id', '<=', printedHead.count).execute()
    expect((await findings(db, config, [printedHead])).findings).toContainEqual({
      kind: 'report-head-missing',
      message:
        `Rapportens förankring (rad ${printedHead.count}, ${printedHead.shortHash}) finns inte i ändringsloggen: ` +
        'loggen fram till rapporten har ändrats eller tagits bort.',
    })
    await db.destroy()
  })
})

describe('a database from before the signed log', () => {
  /** As an older version left it: records no row speaks of, a log of plain SHA-256 rows, and no anchor. */
  async function legacyCopy(name: string) {
    const { location, config, db } = await copy(name)
    const last = await db.selectFrom('audit_event').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow()
    await db.deleteFrom('audit_event').execute()
    const { hash: _hash, ...row } = { ...last, id: 1, prev_hash: genesis }
    await db
      .insertInto('audit_event')
      .values({ ...row, hash: plainSha256(row) })
      .execute()
    await db.destroy()
    rmSync(config.auditAnchorFile as string)
    return { location, config }
  }

  it('is signed from its start at the first start with the key, so an upgrade verifies clean', async () => {
    const { location, config } = await legacyCopy('upgrade')
    const before = openDatabase(location)
    const kinds = new Set((await findings(before, config)).findings.map((f) => f.kind))
    expect([...kinds].sort()).toEqual(['anchor-missing', 'log-unsigned', 'record-unaudited'])
    await before.destroy()

    const db = await openCurrentDatabase(config, new Date('2021-03-16T08:00:00Z'))
    expect((await findings(db, config)).findings).toEqual([])
    const baseline = await db
      .selectFrom('audit_event')
      .select('user_name')
      .where('entity', '=', 'committee')
      .executeTakeFirstOrThrow()
    expect(baseline.user_name).toBe(upgradeActorName)
    // Once is enough: the log's last row is signed now.
    expect(await signLegacyLog(db, new Date())).toBe(0)
    await saveProgress(db, 'Efter uppgraderingen')
    expect((await findings(db, config)).findings).toEqual([])
    await db.destroy()
  })

  it('reports a log with no signed row as one that may have been rewritten without the key', async () => {
    const { db, config } = await copy('unsigned')
    const first = await db.selectFrom('audit_event').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()
    await db
      .updateTable('audit_event')
      .set({ hash: plainSha256(first) })
      .where('id', '=', 1)
      .execute()
    await rechain(db, 2, plainSha256)
    rmSync(config.auditAnchorFile as string)
    const found = (await findings(db, config)).findings
    expect(found.map((f) => f.kind)).toContain('log-unsigned')
    expect(found.find((f) => f.kind === 'log-unsigned')?.message).toMatch(
      /^Ingen av ändringsloggens \d+ rader är signerad med loggens nyckel, så hela loggen kan ha skrivits om/,
    )
    await db.destroy()
  })
})

describe('npm run audit:verify', () => {
  const verify = (name: string, location: string) =>
    promisify(execFile)(
      'node_modules/.bin/tsx',
      ['scripts/verify-audit.ts', '--rapport', `${printedHead.count}:${printedHead.shortHash}:${printedHead.tag}`],
      { env: { PATH: process.env.PATH, NODE_ENV: 'test', ...settingsOf(name, location) } },
    )

  it('prints a summary and exits 0 when the log holds, and each finding with exit 1 when not', async () => {
    const { db, location } = await copy('script')
    expect((await verify('script', location)).stdout).toMatch(/: Ändringsloggen är hel: \d+ rader/)
    await db.updateTable('measure').set({ status: 'cancelled' }).where('id', '=', measure.id).execute()
    await db.destroy()
    const failed = await verify('script', location).catch((error: { code: number; stderr: string }) => error)
    expect(failed).toMatchObject({ code: 1 })
    expect((failed as { stderr: string }).stderr).toBe(
      `Kontrollen av ändringsloggen i ${describeDatabase(location)} hittade 1 fel:\n` +
        `- Åtgärd ${measure.id} (”${measure.title}”) har ändrats utan att ändringen loggats: fältet Status skiljer ` +
        'sig från den senast loggade versionen (2021-03-15 09:00, Sara Sekreterare).\n',
    )
  })

  it('finds the accounts and organisation the command line made in a log signed with the production key', async () => {
    const location = await freshDatabaseLocation(join(dir, 'installation.sqlite'))
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...settingsOf('installation', location),
      SECRET: 'a-production-secret-of-at-least-32-chars',
      AUDIT_KEY: 'the-installation-audit-key-of-32-chars-or-more',
    }
    const run = (script: string, args: string[], input = '') => {
      const child = execFile('node_modules/.bin/tsx', [script, ...args], { env })
      child.stdin?.end(input)
      return new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(code))))
    }
    await run('scripts/add-organisation.ts', [
      '--municipality',
      'Malmö stad',
      '--administration',
      'Grundskoleförvaltningen',
      '--prefix',
      'GRF',
      '--committee',
      'Grundskolenämnden',
      '--units',
      'HR-avdelningen',
    ])
    await run(
      'scripts/create-user.ts',
      ['--email', 'anna@malmo.se', '--name', 'Anna Andersson', '--secretary', 'Grundskolenämnden'],
      'ett-långt-lösenord\n',
    )
    const db = openDatabase(location)
    const logged = await db.selectFrom('audit_event').select(['user_name', 'entity']).orderBy('id').execute()
    expect(logged.map((e) => `${e.user_name}: ${e.entity}`)).toEqual([
      'Kommandoraden (org:add): municipality',
      'Kommandoraden (org:add): administration',
      'Kommandoraden (org:add): committee',
      'Kommandoraden (org:add): owner_unit',
      'Kommandoraden (user:create): app_user',
    ])
    await db.destroy()
    const { stdout } = await promisify(execFile)('node_modules/.bin/tsx', ['scripts/verify-audit.ts'], { env })
    expect(stdout).toContain('Ändringsloggen är hel: 5 rader, alla i obruten följd, signerade med loggens nyckel')
    // Without the key, the same log proves nothing.
    const unkeyed = await promisify(execFile)('node_modules/.bin/tsx', ['scripts/verify-audit.ts'], {
      env: { ...env, AUDIT_KEY: 'someone-else-s-key-of-32-characters-long' },
    }).catch((error: { code: number; stderr: string }) => error)
    expect(unkeyed).toMatchObject({ code: 1 })
    expect((unkeyed as { stderr: string }).stderr).toContain('Rad 1 i ändringsloggen')
  })
})

describe('the audit settings', () => {
  it('require a key in production, and keep the anchor beside the database unless told where', () => {
    const production = { NODE_ENV: 'production', SECRET: 'a-production-secret-of-at-least-32-chars' }
    expect(() => loadConfig(production)).toThrow('AUDIT_KEY is required when NODE_ENV=production')
    expect(() => loadConfig({ ...production, AUDIT_KEY: 'short' })).toThrow('AUDIT_KEY must be at least 32 characters')
    expect(loadConfig({ ...production, AUDIT_KEY: 'k'.repeat(32) }).auditAnchorFile).toBe(
      'data/internkontroll.audit-anchor',
    )
    expect(loadConfig({ AUDIT_ANCHOR_FILE: '/mnt/logg/ik.audit-anchor' }).auditAnchorFile).toBe(
      '/mnt/logg/ik.audit-anchor',
    )
    expect(loadConfig({ DATABASE_FILE: ':memory:' }).auditAnchorFile).toBeNull()
  })
})
