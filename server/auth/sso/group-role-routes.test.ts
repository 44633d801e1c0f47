import { describe, expect, it } from 'vitest'
import { createTestApp, html, submitForm } from '../../../test/helpers/test-app.js'
import { auditedTransaction } from '../../audit/audited.js'
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
    ).toEqual(['Ange gruppen exakt som den skickas från organisationens inloggning.', 'Välj en roll.'])
    await submitForm(agent, page, { groupName: 'IK-Admin', role: 'admin' }, 303)
    const twice = html((await submitForm(agent, page, { groupName: 'ik-admin', role: 'admin' }, 400)).text)
    expect(twice('.error-summary li').text()).toBe('Gruppen ger redan den rollen.')
  })

  it('takes the role away at once from those who held it through the group alone, each in the audit log', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    await submitForm(agent, page, { groupName: 'IK-Läsare', role: 'reader', committeeId: String(committee.id) }, 303)
    const userId = async (email: string) =>
      (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
    const [fromGroup, byHand] = [
      await userId('hr@demo.internkontroll.se'),
      await userId('utbildning@demo.internkontroll.se'),
    ]
    // As a sign-in leaves them: one has the role through the group, the other was given it by an administrator.
    const actor = { userId: null, userName: 'Inloggningen', at: '2021-03-15T09:00:00Z' }
    for (const id of [fromGroup, byHand]) {
      await auditedTransaction(db, actor, 'update', { entity: 'app_user', id, planId: null }, async (trx) => {
        await trx
          .insertInto('committee_role')
          .values({ user_id: id, committee_id: committee.id, role: 'reader' })
          .execute()
        if (id === fromGroup) {
          await trx
            .insertInto('sso_role_grant')
            .values({ user_id: id, role: 'reader', target_id: committee.id })
            .execute()
        }
      })
    }
    const mapping = await db.selectFrom('sso_group_role').select('id').executeTakeFirstOrThrow()
    const removed = await submitForm(agent, page, {}, 303, `${page}/${mapping.id}/ta-bort`)
    const readers = await db.selectFrom('committee_role').select('user_id').where('role', '=', 'reader').execute()
    expect(readers.map((r) => r.user_id)).not.toContain(fromGroup)
    expect(readers.map((r) => r.user_id)).toContain(byHand)
    expect(await db.selectFrom('sso_role_grant').selectAll().execute()).toEqual([])
    const change = await db
      .selectFrom('audit_event')
      .select(['entity_id', 'before', 'after'])
      .where('entity', '=', 'app_user')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(change.entity_id).toBe(fromGroup)
    expect(JSON.parse(String(change.before)).roles).toContain(`reader:${committee.id}`)
    expect(JSON.parse(String(change.after)).roles).not.toContain(`reader:${committee.id}`)
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
    const notice = html((await agent.get(removed.headers.location as string).expect(200)).text)
    expect(notice('.notice').text()).toContain(
      'Gruppen IK-Läsare ger inte längre rollen. En person som hade rollen enbart genom gruppen har förlorat den.',
    )
    // The audit log names the mapping by its group.
    const log = html((await agent.get('/logg').expect(200)).text)
    expect(log('main').text()).toContain('Roll från grupp ”IK-Läsare”')
  })

  it('keeps a mapping whose removal would leave no active administrator', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    await submitForm(agent, page, { groupName: 'IK-Admin', role: 'admin' }, 303)
    // The demo's only administrator holds the role through the group alone, as a sign-in would leave it.
    const admin = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'admin@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    await db.insertInto('sso_role_grant').values({ user_id: admin.id, role: 'admin', target_id: 0 }).execute()
    const mapping = await db.selectFrom('sso_group_role').select('id').executeTakeFirstOrThrow()
    const log = await db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    const kept = await submitForm(agent, page, {}, 303, `${page}/${mapping.id}/ta-bort`)
    expect(html((await agent.get(kept.headers.location as string).expect(200)).text)('.notice').text()).toContain(
      'Kopplingen av IK-Admin är kvar: utan den finns ingen aktiv administratör.',
    )
    expect(await db.selectFrom('sso_group_role').select('id').execute()).toEqual([mapping])
    expect(await db.selectFrom('app_user').select('is_admin').where('id', '=', admin.id).execute()).toEqual([
      { is_admin: 1 },
    ])
    expect(await db.selectFrom('audit_event').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).toEqual(log)
  })

  it('knows a group typed with a letter in another Unicode form as the same group', async () => {
    const { agent } = await createTestApp({ as: 'admin' })
    await submitForm(agent, page, { groupName: 'IK-L\u00e4sare', role: 'admin' }, 303)
    const twice = html((await submitForm(agent, page, { groupName: 'ik-la\u0308sare', role: 'admin' }, 400)).text)
    expect(twice('.error-summary li').text()).toBe('Gruppen ger redan den rollen.')
  })

  it('is the administrator’s alone, and a post needs the page’s CSRF token', async () => {
    const { agent } = await createTestApp({ as: 'sekreterare' })
    await agent.get(page).expect(403)
    const admin = (await createTestApp({ as: 'admin' })).agent
    await admin.post(page).type('form').send({ groupName: 'X', role: 'admin' }).expect(403)
  })
})
