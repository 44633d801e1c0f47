import { describe, expect, it } from 'vitest'
import { loadDemoDataIfEmpty } from '../../db/seed/demo.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { displayValue, fieldChange, loadNames } from './values.js'

describe('a stored value as a person reads it', () => {
  it('names committees, administrations and units, and says so when the record is gone', async () => {
    const db = await openTestDatabase()
    await loadDemoDataIfEmpty(db, new Date('2021-03-15T09:00:00Z'))
    const committee = await db.selectFrom('committee').select(['id', 'name']).executeTakeFirstOrThrow()
    const unit = await db.selectFrom('owner_unit').select(['id', 'name']).executeTakeFirstOrThrow()
    const administration = await db.selectFrom('administration').select(['id', 'name']).executeTakeFirstOrThrow()
    const names = await loadNames(db, [
      ['administration_id', administration.id],
      ['roles', [`secretary:${committee.id}`]],
      ['units', [unit.id]],
      ['owner_unit_id', 9999],
    ])
    expect(displayValue('roles', [`secretary:${committee.id}`, `reader:${committee.id}`], names)).toBe(
      `sekreterare i ${committee.name}, läsare i ${committee.name}`,
    )
    expect(fieldChange('Ansvarig för enheter', 'units', [], [unit.id], names)).toEqual({
      label: 'Ansvarig för enheter',
      added: unit.name,
      removed: '',
    })
    expect(displayValue('owner_unit_id', 9999, names)).toBe('borttagen')
    expect(displayValue('administration_id', administration.id, names)).toBe(administration.name)
    await db.destroy()
  })

  it('labels codes, scores and yes or no, and shows nothing as a dash', () => {
    const none = new Map()
    expect(displayValue('treatment', 'monitor', none)).toBe('Bevakning')
    expect(displayValue('consequence', 2, none)).toBe('2 – Lindrig')
    expect(displayValue('closed', 1, none)).toBe('Ja')
    expect(displayValue('closed', 'on', none)).toBe('Ja')
    expect(displayValue('due_date', null, none)).toBe('–')
  })
})
