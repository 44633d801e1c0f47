import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Db, migrateToLatest, openDatabase } from '../db/connection.js'
import { loadDemoDataIfEmpty } from '../db/seed/demo.js'
import SQLite from '../db/sqlite.js'
import { openAuditedDatabase } from '../server/audit/anchor.js'
import { auditedTransaction } from '../server/audit/audited.js'
import { verifyAudit } from '../server/audit/verify.js'
import { type Config, loadConfig } from '../server/config.js'
import { aMeasure, demoPlan, rowCount } from '../test/helpers/builders.js'
import { runScript } from '../test/helpers/scripts.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-backup-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let config: Config
let db: Db
let installations = 0

beforeEach(async () => {
  installations += 1
  config = loadConfig({ NODE_ENV: 'test', DATABASE_FILE: join(dir, `installation-${installations}.sqlite`) })
  db = openAuditedDatabase(config)
  await migrateToLatest(db)
  await loadDemoDataIfEmpty(db, new Date('2021-03-15T09:00:00Z'))
})
afterEach(() => db.destroy())

/** `npm run db:backup -- …args` in a process of its own, as an operator runs it. */
const backup = (args: string[], env: Record<string, string> = {}) =>
  runScript('scripts/db-backup.ts', args, { DATABASE_FILE: config.databaseFile, ...env })

/** Every table's rows, in the order of their ids: what a restore would bring back. */
function contents(file: string) {
  const sqlite = new SQLite(file, { readonly: true })
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[]
  const rows = Object.fromEntries(tables.map((t) => [t, sqlite.prepare(`select * from "${t}" order by rowid`).all()]))
  sqlite.close()
  return rows
}

describe('npm run db:backup', () => {
  it('copies the whole database, whose audit log then verifies against the anchor', async () => {
    const target = join(dir, 'backup.sqlite')
    const { code, stdout } = await backup([target])
    expect(code).toBe(0)
    expect(stdout).toMatch(/integrity checked, [1-9]\d* audit log rows\.\n$/)
    expect(existsSync(`${target}.partial`)).toBe(false)
    const source = contents(config.databaseFile)
    expect(source.measure).not.toHaveLength(0)
    expect(contents(target)).toEqual(source)
    const copy = openDatabase(target)
    expect(await verifyAudit(copy, { key: config.auditKey, anchorFile: config.auditAnchorFile })).toMatchObject({
      findings: [],
    })
    await copy.destroy()
  })

  it('makes a consistent copy while the app keeps writing', async () => {
    const { planId, risks, unit } = await demoPlan(db)
    const riskId = risks[0]?.id as number
    const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00.000Z' }
    const target = join(dir, 'during-writes.sqlite')
    const auditRows = (database: Db) => rowCount(database, 'audit_event')
    const atStart = await auditRows(db)
    const running = backup([target])
    let writes = 0
    let done = false
    void running.then(() => {
      done = true
    })
    while (!done) {
      // Audited as the app writes, so that the copy's log and records must agree.
      await auditedTransaction(db, actor, 'create', { entity: 'measure', planId }, (trx) =>
        aMeasure(trx, riskId, unit('HR-avdelningen'), { title: `Åtgärd under säkerhetskopieringen ${writes}` }),
      )
      writes += 1
      // better-sqlite3 answers at once, so without a turn of the event loop the child's exit would never be heard.
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect((await running).code).toBe(0)
    expect(writes).toBeGreaterThan(0)
    // One moment of the log: its chain is whole, whichever writes it caught. Its head is older than the anchor's last.
    const copy = openDatabase(target)
    // A moment between the first write and the last: writes went on while the backup ran.
    const copied = await auditRows(copy)
    expect(copied).toBeGreaterThan(atStart)
    expect(copied).toBeLessThan(await auditRows(db))
    expect(await verifyAudit(copy, { key: config.auditKey, anchorFile: null })).toMatchObject({ findings: [] })
    await copy.destroy()
  })

  it('refuses to write over a file, a missing database and a PostgreSQL location', async () => {
    const existing = join(dir, 'existing.sqlite')
    writeFileSync(existing, 'an older backup')
    expect(await backup([existing])).toMatchObject({
      code: 2,
      stderr: `${existing} already exists; name a new file.\n`,
    })
    const missing = join(dir, 'missing.sqlite')
    expect(await backup([join(dir, 'new.sqlite')], { DATABASE_FILE: missing })).toMatchObject({
      code: 2,
      stderr: `There is no database at ${missing}; name it with DATABASE_FILE.\n`,
    })
    expect(await backup([join(dir, 'new.sqlite')], { DATABASE_URL: 'postgres://ik@localhost/ik' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('pg_dump'),
    })
    expect(await backup([])).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage:') })
  })
})
