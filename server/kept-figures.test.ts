import { describe, expect, it } from 'vitest'
import { openTestDatabase } from '../test/helpers/test-database.js'
import { recordEvent } from './audit/repository.js'
import { keptUntilChange } from './kept-figures.js'

const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00.000Z' }

describe('figures kept until a record changes', () => {
  it('counts once while the audit log stays, and again after each change it logs', async () => {
    const db = await openTestDatabase()
    const kept = keptUntilChange<number>(db, 10)
    let counted = 0
    const count = async () => ++counted
    expect([await kept('a', count), await kept('a', count), await kept('a', count)]).toEqual([1, 1, 1])
    // Another key is other figures (another committee, another day).
    expect(await kept('b', count)).toBe(2)
    await db.transaction().execute((trx) =>
      recordEvent(trx, actor, {
        action: 'update',
        entity: 'measure',
        entityId: 1,
        planId: null,
        committeeId: null,
        before: null,
        after: null,
      }),
    )
    expect([await kept('a', count), await kept('a', count), await kept('b', count)]).toEqual([3, 3, 4])
  })

  it('keeps no failed count, and only the most recently used keys', async () => {
    const db = await openTestDatabase()
    const kept = keptUntilChange<string>(db, 2)
    await expect(kept('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await kept('a', async () => 'counted again')).toBe('counted again')
    await kept('b', async () => 'b')
    await kept('a', async () => 'not asked')
    // A third key pushes out the least recently used, b; a was read after it.
    await kept('c', async () => 'c')
    expect(await kept('a', async () => 'not asked')).toBe('counted again')
    expect(await kept('b', async () => 'b again')).toBe('b again')
  })
})
