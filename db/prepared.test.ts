import { describe, expect, it } from 'vitest'
import { openTestDatabase } from '../test/helpers/test-database.js'
import { prepared } from './prepared.js'

describe('a prepared query', () => {
  it('runs with each call’s values, its literals kept, on the database and in a transaction', async () => {
    const db = await openTestDatabase()
    await db
      .insertInto('job_lease')
      .values([
        { name: 'a', holder: 'x', expires_at: '1' },
        { name: 'b', holder: 'x', expires_at: '2' },
        { name: 'c', holder: 'y', expires_at: '3' },
      ])
      .execute()
    const held = prepared((db, holder: string, after: string) =>
      db
        .selectFrom('job_lease')
        .select('name')
        .where('holder', '=', holder)
        .where('expires_at', '>', after)
        .where('name', '!=', 'zzz')
        .orderBy('name'),
    )
    expect(await held(db, 'x', '0')).toEqual([{ name: 'a' }, { name: 'b' }])
    expect(await held(db, 'x', '1')).toEqual([{ name: 'b' }])
    expect(await held(db, 'y', '0')).toEqual([{ name: 'c' }])
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('job_lease').where('name', '=', 'b').execute()
      expect(await held(trx, 'x', '0')).toEqual([{ name: 'a' }])
    })
    await db.destroy()
  })

  it('refuses a query whose shape depends on its values', async () => {
    const db = await openTestDatabase()
    // Compiled with a stand-in for the value, the clause the value decides would be left out for every call.
    const wrong = prepared((db, holder: string) =>
      db
        .selectFrom('job_lease')
        .select('name')
        .$if(holder.length > 0, (q) => q.where('holder', '=', holder)),
    )
    await expect(wrong(db, 'x')).rejects.toThrow('holds each argument once')
    // As many parameters as arguments, but one used twice and the other never: its value would be ignored.
    const twice = prepared((db, holder: string, _name: string) =>
      db.selectFrom('job_lease').select('name').where('holder', '=', holder).where('name', '=', holder),
    )
    await expect(twice(db, 'x', 'y')).rejects.toThrow('holds each argument once')
    await db.destroy()
  })
})
