import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { demoDataActor } from '../../db/seed/demo.js'
import { demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'

const cellsOf = ($: ReturnType<typeof html>, row: string) =>
  $(row)
    .map((_, tr) =>
      $(tr)
        .find('td')
        .slice(0, 3)
        .map((_, td) => $(td).text().trim())
        .get()
        .join(' | '),
    )
    .get()

const userId = async (db: Db, email: string) =>
  (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id

/** Malmö stad's Sociala resursförvaltningen (SRF), registered through the form; its id. */
async function socialAdministration(agent: TestAgent, db: Db): Promise<number> {
  await submitForm(
    agent,
    '/admin/forvaltningar',
    { municipality: 'Malmö stad', name: 'Sociala resursförvaltningen', diaryPrefix: 'SRF' },
    303,
  )
  const { id } = await db
    .selectFrom('administration')
    .select('id')
    .where('diary_prefix', '=', 'SRF')
    .executeTakeFirstOrThrow()
  return id
}

describe('the administrator manages the organisation', () => {
  it('creates and renames administrations, with unique names and prefixes in a municipality, in Swedish order', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const page = '/admin/forvaltningar'
    const social = { municipality: 'Lunds kommun', name: 'Socialförvaltningen', diaryPrefix: 'SOC' }
    await submitForm(agent, page, social, 303)
    await submitForm(agent, page, { ...social, name: 'Äldreförvaltningen', diaryPrefix: 'ÄLD' }, 303)
    await submitForm(agent, page, { ...social, name: 'Arbetsmarknadsförvaltningen', diaryPrefix: 'AMF' }, 303)

    const clash = html((await submitForm(agent, page, { ...social, name: ' Socialförvaltningen ' }, 400)).text)
    expect(clash('#field-name-error').text()).toContain('Kommunen har redan en förvaltning med det namnet.')
    expect(clash('#field-diaryPrefix-error').text()).toContain('Socialförvaltningen har redan prefixet SOC.')
    expect(clash('#field-municipality').val()).toBe('Lunds kommun')
    const badPrefix = html((await submitForm(agent, page, { ...social, name: 'Ny', diaryPrefix: 'NY-2021' }, 400)).text)
    expect(badPrefix('#field-diaryPrefix-error').text()).toContain('utan bindestreck')
    expect(badPrefix('#field-diaryPrefix').val()).toBe('NY-2021')
    // Another municipality may use the same name and prefix.
    await submitForm(agent, page, { ...social, municipality: 'Malmö stad' }, 303)

    const list = html((await agent.get(page).expect(200)).text)
    expect(cellsOf(list, 'tbody tr')).toEqual([
      'Lunds kommun | Arbetsmarknadsförvaltningen | AMF',
      'Lunds kommun | Socialförvaltningen | SOC',
      'Lunds kommun | Äldreförvaltningen | ÄLD',
      'Malmö stad | Grundskoleförvaltningen | GRF',
      'Malmö stad | Socialförvaltningen | SOC',
    ])

    const lund = await db
      .selectFrom('administration')
      .innerJoin('municipality', 'municipality.id', 'administration.municipality_id')
      .select('administration.id')
      .where('municipality.name', '=', 'Lunds kommun')
      .where('administration.name', '=', 'Socialförvaltningen')
      .executeTakeFirstOrThrow()
    const edit = `${page}/${lund.id}/redigera`
    expect(html((await agent.get(edit).expect(200)).text)('#field-diaryPrefix').val()).toBe('SOC')
    const taken = html((await submitForm(agent, edit, { name: 'Socialförvaltningen', diaryPrefix: 'AMF' }, 400)).text)
    expect(taken('#field-diaryPrefix-error').text()).toContain('Arbetsmarknadsförvaltningen har redan prefixet AMF.')
    await submitForm(agent, edit, { name: 'Social resursförvaltning', diaryPrefix: 'SRF' }, 303)
    expect(html((await agent.get(page).expect(200)).text)('tbody').text()).toContain('Social resursförvaltning')

    const log = html((await agent.get('/logg').expect(200)).text)('tbody').text()
    expect(log).toContain('Skapad: Kommun ”Lunds kommun”')
    expect(log).toContain('Skapad: Förvaltning ”Äldreförvaltningen”')
    expect(log).toContain('Ändrad: Förvaltning ”Social resursförvaltning”')
    expect(log).toContain('Diarieprefix')
  })

  it('creates a committee for an administration, renames it, and keeps the administration of one with plans', async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const social = { id: await socialAdministration(agent, db) }
    const form = html((await agent.get('/admin/namnder').expect(200)).text)
    expect(
      form('#field-administrationId option')
        .map((_, e) => form(e).text())
        .get(),
    ).toEqual(['Välj förvaltning', 'Grundskoleförvaltningen (Malmö stad)', 'Sociala resursförvaltningen (Malmö stad)'])

    const committee = { name: 'Sociala resursnämnden', kind: 'committee', administrationId: String(social.id) }
    await submitForm(agent, '/admin/namnder', committee, 303)
    const twice = html((await submitForm(agent, '/admin/namnder', committee, 400)).text)
    expect(twice('#field-name-error').text()).toContain('Kommunen har redan en nämnd eller ett bolag med det namnet.')
    expect(twice('#field-name').val()).toBe('Sociala resursnämnden')
    const none = html(
      (await submitForm(agent, '/admin/namnder', { name: 'X', kind: 'committee', administrationId: '' }, 400)).text,
    )
    expect(none('#field-administrationId-error').text()).toContain('Välj en förvaltning i listan.')

    const created = await db
      .selectFrom('committee')
      .select('id')
      .where('name', '=', 'Sociala resursnämnden')
      .executeTakeFirstOrThrow()
    await submitForm(
      agent,
      `/admin/namnder/${created.id}/redigera`,
      { ...committee, name: 'Socialnämnden', reminderDays: '14, 3' },
      303,
    )
    const list = html((await agent.get('/admin/namnder').expect(200)).text)
    expect(cellsOf(list, 'tbody tr')).toEqual([
      'Malmö stad | Grundskolenämnden | Nämnd',
      'Malmö stad | Socialnämnden | Nämnd',
    ])

    // The demo committee has a plan whose measures belong to Grundskoleförvaltningen's units.
    const demo = await db
      .selectFrom('committee')
      .select(['id', 'administration_id'])
      .where('name', '=', 'Grundskolenämnden')
      .executeTakeFirstOrThrow()
    const moved = html(
      (
        await submitForm(
          agent,
          `/admin/namnder/${demo.id}/redigera`,
          { name: 'Grundskolenämnden', kind: 'committee', administrationId: String(social.id), reminderDays: '14, 3' },
          400,
        )
      ).text,
    )
    expect(moved('#field-administrationId-error').text()).toContain('Förvaltningen kan inte bytas.')
    expect(
      await db.selectFrom('committee').select('administration_id').where('id', '=', demo.id).executeTakeFirst(),
    ).toEqual({ administration_id: demo.administration_id })

    // The secretary, given the new committee, registers a plan for it; its review form hints at its prefix.
    const secretaryId = await userId(db, 'sekreterare@demo.internkontroll.se')
    const grundskola = demo.id
    await submitForm(
      agent,
      `/admin/anvandare/${secretaryId}/roller`,
      { secretaryOf: [String(grundskola), String(created.id)] } as unknown as Record<string, string>,
      303,
    )
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    // Of two committees with different prefixes, the plan form cannot tell which the decision's number has.
    const planForm = html((await secretary.get('/planer/ny').expect(200)).text)
    expect(planForm('#field-adoptedDiaryNumber-hint').text()).toBe('Beslutets diarienummer hos förvaltningen')
    await submitForm(
      secretary,
      '/planer/ny',
      { committeeId: String(created.id), year: '2021', title: 'Internkontrollplan 2021' },
      303,
    )
    const plan = await db
      .selectFrom('plan')
      .select('id')
      .where('committee_id', '=', created.id)
      .executeTakeFirstOrThrow()
    const reviewForm = html((await secretary.get(`/planer/${plan.id}/granskningar/ny`).expect(200)).text)
    expect(reviewForm('#field-diaryNumber-hint').text()).toContain('SRF-2021-')

    const log = html((await agent.get('/logg').expect(200)).text)('tbody').text()
    expect(log).toContain('Skapad: Nämnd ”Sociala resursnämnden”')
    expect(log).toContain('Ändrad: Nämnd ”Socialnämnden”')
  })

  it("changes a user's roles: a second committee, no läsare role, other units, and administratör", async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const social = { id: await socialAdministration(agent, db) }
    await submitForm(
      agent,
      '/admin/namnder',
      { name: 'Sociala resursnämnden', kind: 'committee', administrationId: String(social.id) },
      303,
    )
    const committees = await db.selectFrom('committee').select(['id', 'name']).execute()
    const id = (name: string) => String(committees.find((c) => c.name === name)?.id)
    const { unit } = await demoPlan(db)

    const reader = await userId(db, 'lasare@demo.internkontroll.se')
    const form = html((await agent.get(`/admin/anvandare/${reader}/roller`).expect(200)).text)
    expect(form(`#readerOf-${id('Grundskolenämnden')}`).attr('checked')).toBe('checked')
    expect(form(`#secretaryOf-${id('Grundskolenämnden')}`).attr('checked')).toBeUndefined()
    expect(
      form('fieldset')
        .last()
        .find('label')
        .map((_, e) => form(e).text())
        .get(),
    ).toEqual([
      'Grundskolenämnden (Grundskoleförvaltningen)',
      'HR-avdelningen (Grundskoleförvaltningen)',
      'Utbildningsområden (Grundskoleförvaltningen)',
    ])

    // The läsare becomes secretary of the new committee and ansvarig of HR-avdelningen, and reads no more.
    await submitForm(
      agent,
      `/admin/anvandare/${reader}/roller`,
      { secretaryOf: id('Sociala resursnämnden'), units: String(unit('HR-avdelningen')) },
      303,
    )
    const list = html((await agent.get('/admin/anvandare').expect(200)).text)
    const row = list('tbody tr').filter((_, e) => list(e).text().includes('lasare@demo.internkontroll.se'))
    expect(row.find('td').eq(2).text()).toBe('sekreterare, Sociala resursnämndenansvarig, HR-avdelningen')
    const lasare = supertest.agent(app)
    await logIn(lasare, 'lasare')
    const newPlan = html((await lasare.get('/planer/ny').expect(200)).text)
    expect(
      newPlan('#field-committeeId option')
        .map((_, e) => newPlan(e).text())
        .get(),
    ).toEqual(['Sociala resursnämnden (Malmö stad)'])
    expect(newPlan('#field-adoptedDiaryNumber-hint').text()).toBe(
      'Beslutets diarienummer hos förvaltningen, som börjar med SRF-',
    )

    // Unknown choices are refused with the choices kept.
    const unknown = html(
      (
        await submitForm(
          agent,
          `/admin/anvandare/${reader}/roller`,
          { admin: 'on', readerOf: '99999', units: String(unit('Utbildningsområden')) },
          400,
        )
      ).text,
    )
    expect(unknown('.field-error').text()).toContain('Välj nämnder i listan.')
    expect(unknown('#field-admin').attr('checked')).toBe('checked')
    expect(unknown(`#units-${unit('Utbildningsområden')}`).attr('checked')).toBe('checked')

    // Made administratör, the former läsare reaches the user list.
    await submitForm(agent, `/admin/anvandare/${reader}/roller`, { admin: 'on' }, 303)
    await lasare.get('/admin/anvandare').expect(200)

    const log = await db
      .selectFrom('audit_event')
      .select(['action', 'after'])
      .where('entity', '=', 'app_user')
      .where('entity_id', '=', reader)
      .where('user_name', '!=', demoDataActor)
      .execute()
    expect(log.map((e) => JSON.parse(String(e.after)).roles)).toEqual([
      [`secretary:${id('Sociala resursnämnden')}`],
      [],
    ])
    const page = html((await agent.get('/logg?typ=app_user').expect(200)).text)
    expect(page('tbody').text()).toContain('Administratör')
  })

  it('lists the users in Swedish order', async () => {
    const { agent } = await createTestApp({ as: 'admin' })
    for (const [name, email] of [
      ['Örjan Öst', 'orjan@malmo.se'],
      ['Ärla Ek', 'arla@malmo.se'],
      ['Åsa Ås', 'asa@malmo.se'],
    ]) {
      await submitForm(
        agent,
        '/admin/anvandare/ny',
        { name, email, password: 'ett långt lösenord' } as Record<string, string>,
        303,
      )
    }
    const list = html((await agent.get('/admin/anvandare').expect(200)).text)
    expect(
      list('tbody tr td:first-child')
        .map((_, e) => list(e).text())
        .get()
        .slice(-3),
    ).toEqual(['Åsa Ås', 'Ärla Ek', 'Örjan Öst'])
  })

  it('keeps the last administrator: one cannot give up the role while nobody else holds it', async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const adminId = await userId(db, 'admin@demo.internkontroll.se')
    const refused = html((await submitForm(agent, `/admin/anvandare/${adminId}/roller`, {}, 400)).text)
    expect(refused('#field-admin-error').text()).toContain(
      'Ada Administratör är den enda aktiva administratören. Ge någon annan rollen först.',
    )
    expect(await db.selectFrom('app_user').select('is_admin').where('id', '=', adminId).executeTakeFirst()).toEqual({
      is_admin: 1,
    })

    // A disabled administrator does not count.
    const secretaryId = await userId(db, 'sekreterare@demo.internkontroll.se')
    await db.updateTable('app_user').set({ is_admin: 1, disabled: 1 }).where('id', '=', secretaryId).execute()
    await submitForm(agent, `/admin/anvandare/${adminId}/roller`, {}, 400)
    await db.updateTable('app_user').set({ disabled: 0 }).where('id', '=', secretaryId).execute()

    // With another administrator, giving up the role leads to the start page, and the admin pages close.
    const done = await submitForm(agent, `/admin/anvandare/${adminId}/roller`, {}, 303)
    expect(done.headers.location).toBe('/')
    await agent.get('/admin/anvandare').expect(403)
    const other = supertest.agent(app)
    await logIn(other, 'sekreterare')
    await other.get('/admin/anvandare').expect(200)
  })

  it('renames an owner unit, removes an unused one, and says why one in use stays', async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const { planId, unit } = await demoPlan(db)
    const hr = unit('HR-avdelningen')
    const taken = html(
      (await submitForm(agent, `/admin/enheter/${hr}/redigera`, { name: 'Utbildningsområden' }, 400)).text,
    )
    expect(taken('#field-name-error').text()).toContain('Förvaltningen har redan en enhet med det namnet.')
    expect(taken('#field-name').val()).toBe('Utbildningsområden')
    await submitForm(agent, `/admin/enheter/${hr}/redigera`, { name: 'Personalavdelningen' }, 303)
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const measures = html((await secretary.get(`/planer/${planId}/atgarder`).expect(200)).text)
    expect(measures('main').text()).toContain('Personalavdelningen')
    expect(measures('#field-enhet option').text()).not.toContain('HR-avdelningen')

    const blocked = html((await agent.get(`/admin/enheter/${hr}/ta-bort`).expect(200)).text)
    const inUse = await db
      .selectFrom('measure')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_unit_id', '=', hr)
      .executeTakeFirstOrThrow()
    expect(blocked('.warning').text()).toContain(
      `Personalavdelningen kan inte tas bort eftersom enheten äger ${inUse.n} åtgärder och har 1 ansvarig.`,
    )
    expect(blocked('form[action$="/ta-bort"]')).toHaveLength(0)
    const csrf = String(blocked('input[name="_csrf"]').val())
    const post = await agent.post(`/admin/enheter/${hr}/ta-bort`).type('form').send({ _csrf: csrf }).expect(400)
    expect(html(post.text)('.warning').text()).toContain('kan inte tas bort')

    const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
    await submitForm(agent, '/admin/enheter', { administrationId: String(administration.id), name: 'Ekonomi' }, 303)
    const units = html((await agent.get('/admin/enheter').expect(200)).text)
    expect(cellsOf(units, 'tbody tr').map((r) => r.split(' | ')[1])).toEqual([
      'Ekonomi',
      'Grundskolenämnden',
      'Personalavdelningen',
      'Utbildningsområden',
    ])
    const economy = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('name', '=', 'Ekonomi')
      .executeTakeFirstOrThrow()
    const confirm = html((await agent.get(`/admin/enheter/${economy.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain(
      'Vill du ta bort den ansvariga enheten Ekonomi (Grundskoleförvaltningen)?',
    )
    await submitForm(agent, `/admin/enheter/${economy.id}/ta-bort`, {}, 303)
    expect(html((await agent.get('/admin/enheter').expect(200)).text)('tbody').text()).not.toContain('Ekonomi')

    const log = await db
      .selectFrom('audit_event')
      .select(['action', 'entity_id'])
      .where('entity', '=', 'owner_unit')
      .where('user_name', '!=', demoDataActor)
      .orderBy('id')
      .execute()
    expect(log).toEqual([
      { action: 'update', entity_id: hr },
      { action: 'create', entity_id: economy.id },
      { action: 'delete', entity_id: economy.id },
    ])
  })
})
