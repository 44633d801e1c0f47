import { describe, expect, it } from 'vitest'
import { createTestApp, html, submitForm } from '../../../test/helpers/test-app.js'
import { verifyAudit } from '../../audit/verify.js'
import { developmentAuditKey } from '../../config.js'

const page = '/admin/grupper'

describe('the administrator’s mapping from groups to roles', () => {
  it('lists, adds and removes mappings, each in the audit log', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const users = html((await agent.get('/admin/anvandare').expect(200)).text)
    expect(users('a:contains("Roller från grupper")').attr('href')).toBe(page)
    expect(html((await agent.get(page).expect(200)).text)('main').text()).toContain('Inga grupper ger någon roll ännu.')

    const committee = await db.selectFrom('committee').select(['id', 'name']).executeTakeFirstOrThrow()
    const unit = await db.selectFrom('owner_unit').select(['id', 'name']).executeTakeFirstOrThrow()
    await submitForm(
      agent,
      page,
      { groupName: 'IK-Sekreterare', role: 'secretary', committeeId: String(committee.id) },
      303,
    )
    // Only the list the role needs counts: the unit chosen beside the administrator role is not kept.
    await submitForm(agent, page, { groupName: 'IK-Admin', role: 'admin', unitId: String(unit.id) }, 303)
    await submitForm(agent, page, { groupName: 'IK-HR', role: 'unit', unitId: String(unit.id) }, 303)
    const list = html((await agent.get(page).expect(200)).text)
    const rows = list('tbody tr')
      .map((_, row) =>
        [list(row).find('td').eq(0).text(), list(row).find('td').eq(1).text(), list(row).find('td').eq(2).text()].join(
          ' | ',
        ),
      )
      .get()
    expect(rows).toEqual([
      'IK-Admin | Administratör | Hela Internkontroll',
      `IK-HR | Ansvarig för en enhet | ${unit.name}`,
      `IK-Sekreterare | Sekreterare i en nämnd eller ett bolag | ${committee.name}`,
    ])

    // A unit a group gives a role in stays until the mapping goes.
    const unitDelete = html((await agent.get(`/admin/enheter/${unit.id}/ta-bort`).expect(200)).text)
    expect(unitDelete('main').text()).toContain('är kopplad till 1 grupp under Roller från grupper')

    const admin = await db
      .selectFrom('sso_group_role')
      .select('id')
      .where('group_name', '=', 'IK-Admin')
      .executeTakeFirstOrThrow()
    const removed = await submitForm(agent, page, {}, 303, `${page}/${admin.id}/ta-bort`)
    expect(removed.headers.location).toBe(page)
    expect(await db.selectFrom('sso_group_role').select('group_name').orderBy('group_name').execute()).toEqual([
      { group_name: 'IK-HR' },
      { group_name: 'IK-Sekreterare' },
    ])
    const log = await db
      .selectFrom('audit_event')
      .select(['entity', 'action'])
      .where('entity', '=', 'sso_group_role')
      .orderBy('id')
      .execute()
    expect(log.map((e) => e.action)).toEqual(['create', 'create', 'create', 'delete'])
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('refuses a mapping without what the role needs, in Swedish, keeping what was typed', async () => {
    const { agent } = await createTestApp({ as: 'admin' })
    const refused = html((await submitForm(agent, page, { groupName: 'IK-Läsare', role: 'reader' }, 400)).text)
    expect(
      refused('.error-summary li')
        .map((_, e) => refused(e).text())
        .get(),
    ).toEqual(['Välj nämnden eller bolaget som rollen gäller.'])
    expect(refused('#field-groupName').val()).toBe('IK-Läsare')
    expect(refused('input[name="role"][value="reader"]').attr('checked')).toBeDefined()
    const empty = html((await submitForm(agent, page, { groupName: '', committeeId: '999999' }, 400)).text)
    expect(
      empty('.error-summary li')
        .map((_, e) => empty(e).text())
        .get(),
    ).toEqual(['Ange gruppen så som organisationens inloggning skickar den.', 'Välj en roll.'])
    await submitForm(agent, page, { groupName: 'IK-Admin', role: 'admin' }, 303)
    const twice = html((await submitForm(agent, page, { groupName: 'ik-admin', role: 'admin' }, 400)).text)
    expect(twice('.error-summary li').text()).toBe('Gruppen ger redan den rollen.')
  })

  it('is the administrator’s alone, and a post needs the page’s CSRF token', async () => {
    const { agent } = await createTestApp({ as: 'sekreterare' })
    await agent.get(page).expect(403)
    const admin = (await createTestApp({ as: 'admin' })).agent
    await admin.post(page).type('form').send({ groupName: 'X', role: 'admin' }).expect(403)
  })
})
