import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { openDatabase } from '../../db/connection.js'
import { migratedDatabaseLocation } from '../../test/helpers/test-database.js'
import { developmentAuditKey } from '../config.js'
import { inTransaction } from '../reminders/transaction.js'
import { recordEvent } from './repository.js'
import { verifyAudit } from './verify.js'

const dir = mkdtempSync(join(tmpdir(), 'ik-concurrent-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('keeps one unbroken chain when two instances record events at the same time', async () => {
  const location = await migratedDatabaseLocation(join(dir, 'shared.sqlite'))
  // Two instances' connections to one database: on PostgreSQL two pools, on SQLite two handles on one file.
  const first = openDatabase(location)
  const second = openDatabase(location)
  try {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inTransaction(i % 2 === 0 ? first : second, (trx) =>
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
        ),
      ),
    )
    const rows = await first.selectFrom('audit_event').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect((await verifyAudit(first, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
  } finally {
    await Promise.all([first.destroy(), second.destroy()])
  }
})
