import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { type Db, openDatabase } from '../../db/connection.js'
import { migratedDatabaseLocation } from '../../test/helpers/test-database.js'
import { developmentAuditKey } from '../config.js'
import { inTransaction } from '../reminders/transaction.js'
import { recordEvent } from './repository.js'
import { verifyAudit } from './verify.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-concurrent-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** An event of the log's own, as instance `i % 2` records it. */
const anEvent = (db: Db, i: number) =>
  inTransaction(db, (trx) =>
    recordEvent(
      trx,
      { userId: null, userName: `Instans ${i % 2}`, at: '2026-12-07T10:00:00.000Z' },
      {
        action: 'create',
        entity: 'audit_log',
        entityId: i + 1,
        planId: null,
        committeeId: null,
        before: null,
        after: { i },
      },
    ),
  )

/** Two instances' connections to one database: on PostgreSQL two pools, on SQLite two handles on one file. */
async function twoInstances(file: string) {
  const location = await migratedDatabaseLocation(join(dir, file))
  return [openDatabase(location), openDatabase(location)] as const
}

it('keeps one unbroken chain when two instances record events at the same time', async () => {
  const [first, second] = await twoInstances('shared.sqlite')
  try {
    await Promise.all(Array.from({ length: 40 }, (_, i) => anEvent(i % 2 === 0 ? first : second, i)))
    const rows = await first.selectFrom('audit_event').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect((await verifyAudit(first, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
  } finally {
    await Promise.all([first.destroy(), second.destroy()])
  }
})

it('lets the other instance write while a read-only snapshot, as audit:verify reads in, is open', async () => {
  const [reader, writer] = await twoInstances('read-while-writing.sqlite')
  const events = (db: Db) =>
    db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n))
  try {
    for (let i = 0; i < 3; i++) await anEvent(writer, i)
    const seen = await reader
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (snapshot) => {
        const before = await events(snapshot)
        // Would wait for ever if the snapshot held the writers' lock: it is awaited inside it.
        for (let i = 3; i < 6; i++) await anEvent(writer, i)
        return [before, await events(snapshot)]
      })
    expect(seen).toEqual([3, 3])
    expect(await events(reader)).toBe(6)
    expect((await verifyAudit(reader, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
  } finally {
    await Promise.all([reader.destroy(), writer.destroy()])
  }
})
