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

it('runs audit:verify while another instance is in the middle of a write, and verifies the log as committed', async () => {
  const [reader, writer] = await twoInstances('verify-while-writing.sqlite')
  try {
    for (let i = 0; i < 3; i++) await anEvent(writer, i)
    // Verified inside the other instance's open write transaction, which holds the writers' lock (on PostgreSQL the
    // advisory lock, on SQLite the file's write lock): a verification that waited for it would wait for ever.
    const { findings, summary } = await writer.transaction().execute(async (trx) => {
      await recordEvent(
        trx,
        { userId: null, userName: 'Instans 1', at: '2026-12-07T10:00:00.000Z' },
        {
          action: 'create',
          entity: 'audit_log',
          entityId: 4,
          planId: null,
          committeeId: null,
          before: null,
          after: {},
        },
      )
      return verifyAudit(reader, { key: developmentAuditKey, anchorFile: null })
    })
    expect(findings).toEqual([])
    expect(summary).toMatch(/\b3 rader/)
    expect((await verifyAudit(reader, { key: developmentAuditKey, anchorFile: null })).summary).toMatch(/\b4 rader/)
  } finally {
    await Promise.all([reader.destroy(), writer.destroy()])
  }
})
