import { CompiledQuery } from 'kysely'
import { describe, expect, it } from 'vitest'
import { openTestDatabase } from '../test/helpers/test-database.js'
import { describeDatabase, keepingStatements } from './connection.js'
import SQLite from './sqlite.js'

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

describe('an SQLite connection keeping its statements', () => {
  it('prepares a query once, still reads a column added since, and lets the least recently used statement go', () => {
    const sqlite = new SQLite(':memory:')
    sqlite.exec('create table t (a integer); insert into t values (1)')
    const database = keepingStatements(sqlite)
    const query = 'select * from t'
    const first = database.prepare(query)
    expect(database.prepare(query)).toBe(first)
    // A migration changes the schema under a kept statement: SQLite prepares it again by itself.
    sqlite.exec("alter table t add column b text not null default 'x'")
    expect(database.prepare(query).all()).toEqual([{ a: 1, b: 'x' }])
    // Five hundred other queries later, the first has gone and is prepared anew; one used meanwhile stays.
    const recent = database.prepare('select a from t')
    for (let i = 0; i < 499; i++) {
      database.prepare(`select ${i} as n`)
      if (i === 250) database.prepare('select a from t')
    }
    expect(database.prepare('select a from t')).toBe(recent)
    expect(database.prepare(query)).not.toBe(first)
    database.close()
  })
})
