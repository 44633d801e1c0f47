import { describe, expect, it } from 'vitest'
import { createTestApp, submitForm } from '../../test/helpers/test-app.js'
import { hashPassword } from '../auth/passwords.js'
import { grantCommitteeRole, insertUser } from '../auth/repository.js'
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
    const actor = { userId: null, userName: 'Kommandoraden (org:add)', at: '2021-03-15T09:00:00Z' }
    const committeeId = await ensureOrganisation(db, actor, org)
    expect(await ensureOrganisation(db, actor, { ...org, units: ['Elevhälsan', 'Ekonomiavdelningen'] })).toBe(
      committeeId,
    )
    // Each record is created once, and logged once.
    const logged = await db.selectFrom('audit_event').select(['action', 'entity']).orderBy('id').execute()
    expect(logged.map((e) => `${e.action} ${e.entity}`)).toEqual([
      'create municipality',
      'create administration',
      'create committee',
      'create owner_unit',
      'create owner_unit',
    ])
    const units = await db.selectFrom('owner_unit').select('name').orderBy('name').execute()
    expect(units.map((u) => u.name)).toEqual(['Ekonomiavdelningen', 'Elevhälsan'])
    const userId = await insertUser(db, {
      email: 'sekreterare@landskrona.se',
      name: 'Sekreterare',
      passwordHash: await hashPassword('ett långt lösenord'),
      isAdmin: false,
      createdAt: '2021-03-15T09:00:00Z',
    })
    await grantCommitteeRole(db, userId, committeeId, 'secretary')
    await submitForm(agent, '/logga-in', { email: 'sekreterare@landskrona.se', password: 'ett långt lösenord' }, 303)
    const form = await agent.get('/planer/ny').expect(200)
    expect(form.text).toContain('Utbildningsnämnden (Landskrona stad)')
  })
})
