import { describe, expect, it } from 'vitest'
import { createTestApp } from '../../test/helpers/test-app.js'
import { ensureOrganisation } from './repository.js'

describe('ensureOrganisation', () => {
  it('creates a committee for an empty installation, and adds units to it later without duplicates', async () => {
    const { db, agent } = await createTestApp({ demo: false })
    const org = {
      municipality: 'Landskrona stad',
      administration: 'Utbildningsförvaltningen',
      diaryPrefix: 'UF',
      committee: 'Utbildningsnämnden',
      units: ['Elevhälsan'],
    }
    const committeeId = await ensureOrganisation(db, org)
    expect(await ensureOrganisation(db, { ...org, units: ['Elevhälsan', 'Ekonomiavdelningen'] })).toBe(committeeId)
    const units = await db.selectFrom('owner_unit').select('name').orderBy('name').execute()
    expect(units.map((u) => u.name)).toEqual(['Ekonomiavdelningen', 'Elevhälsan'])
    const form = await agent.get('/planer/ny').expect(200)
    expect(form.text).toContain('Utbildningsnämnden (Landskrona stad)')
  })
})
