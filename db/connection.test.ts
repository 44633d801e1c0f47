import { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openTestDatabase } from '../test/helpers/test-database.js'
import { describeDatabase } from './connection.js'

describe('openDatabase', () => {
  it('runs afterCommit once a transaction commits, on its connection, and not after a rollback', async () => {
    const seen: unknown[] = []
    const db = await openTestDatabase({
      afterCommit: async (connection) => {
        const { rows } = await connection.executeQuery(CompiledQuery.raw('select count(*) as "leases" from job_lease'))
        seen.push(rows[0])
      },
    })
    await db
      .transaction()
      .execute((trx) => trx.insertInto('job_lease').values({ name: 'a', holder: 'h', expires_at: '' }).execute())
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('job_lease').values({ name: 'b', holder: 'h', expires_at: '' }).execute()
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    // A count, as a number on both engines.
    expect(seen).toEqual([{ leases: 1 }])
  })

  it('names a PostgreSQL database without its password', () => {
    expect(describeDatabase('postgres://ik:secret@db.kommun.se/ik')).toBe('postgres://ik:***@db.kommun.se/ik')
    expect(describeDatabase('data/internkontroll.sqlite')).toBe('data/internkontroll.sqlite')
  })
})
