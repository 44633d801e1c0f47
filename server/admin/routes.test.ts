import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { demoDataActor } from '../../db/seed/demo.js'
import { createTestApp, html, logIn, submitForm } from '../../test/helpers/test-app.js'

describe('the administrator', () => {
  it('creates an ansvarig who can then log in, resets a password, and disables an account', async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const units = await db.selectFrom('owner_unit').select(['id', 'name']).execute()
    const hrUnit = units.find((u) => u.name === 'HR-avdelningen')?.id as number

    const invalid = html(
      (await submitForm(agent, '/admin/anvandare/ny', { name: '', email: 'inte-en-adress', password: 'kort' }, 400))
        .text,
    )
    expect(
      invalid('.error-summary li')
        .map((_, e) => invalid(e).text())
        .get(),
    ).toEqual([
      'Ange namnet.',
      'Ange en giltig e-postadress, till exempel anna@malmo.se.',
      'Lösenordet ska vara minst 12 tecken långt.',
    ])

    await submitForm(
      agent,
      '/admin/anvandare/ny',
      { name: 'Nina Ny', email: 'nina@malmo.se', password: 'ett långt lösenord', units: String(hrUnit) },
      303,
    )
    const list = html((await agent.get('/admin/anvandare').expect(200)).text)
    const row = list('tbody tr').filter((_, e) => list(e).text().includes('nina@malmo.se'))
    expect(row.text()).toContain('ansvarig, HR-avdelningen')

    const nina = supertest.agent(app)
    await submitForm(nina, '/logga-in', { email: 'nina@malmo.se', password: 'ett långt lösenord' }, 303, '/logga-in')
    await nina.get('/planer').expect(200)

    const user = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'nina@malmo.se')
      .executeTakeFirstOrThrow()
    await submitForm(agent, `/admin/anvandare/${user.id}/losenord`, { password: 'ett helt nytt lösenord' }, 303)
    // The reset ends her sessions; the new password works.
    await nina.get('/planer').expect(303)
    await submitForm(
      nina,
      '/logga-in',
      { email: 'nina@malmo.se', password: 'ett helt nytt lösenord' },
      303,
      '/logga-in',
    )

    // Two clicks on "Spärra" from the same page leave the account disabled.
    const list2 = html((await agent.get('/admin/anvandare').expect(200)).text)
    const lock = list2(`form[action="/admin/anvandare/${user.id}/sparr"]`)
    const lockFields = {
      _csrf: String(lock.find('[name="_csrf"]').val()),
      disable: String(lock.find('[name="disable"]').val()),
    }
    for (let i = 0; i < 2; i++)
      await agent.post(`/admin/anvandare/${user.id}/sparr`).type('form').send(lockFields).expect(303)
    await nina.get('/planer').expect(303)
    await submitForm(
      nina,
      '/logga-in',
      { email: 'nina@malmo.se', password: 'ett helt nytt lösenord' },
      401,
      '/logga-in',
    )

    const log = await db
      .selectFrom('audit_event')
      .select(['action', 'entity', 'after'])
      .where('entity', '=', 'app_user')
      .where('user_name', '!=', demoDataActor)
      .orderBy('id')
      .execute()
    // Created, password reset, disabled; the second click on "Spärra" changed nothing and is no event.
    expect(log.map((e) => e.action)).toEqual(['create', 'update', 'update'])
    expect(log.every((e) => !String(e.after).includes('scrypt'))).toBe(true)
    const page = html((await agent.get('/logg?typ=app_user&q=nina').expect(200)).text)
    expect(page('tbody tr')).toHaveLength(3)
    expect(page('tbody tr').last().text()).toContain('Skapad: Användare ”nina@malmo.se”')
  })

  it('adds an owner unit that measures can then be given to', async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
    const fields = { administrationId: String(administration.id), name: 'Ekonomiavdelningen' }
    await submitForm(agent, '/admin/enheter', fields, 303)
    const again = html((await submitForm(agent, '/admin/enheter', fields, 400)).text)
    expect(again('#field-name-error').text()).toContain('Förvaltningen har redan en enhet med det namnet.')
    const page = html((await agent.get('/admin/enheter').expect(200)).text)
    expect(page('tbody').text()).toContain('Ekonomiavdelningen')
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const plan = await db.selectFrom('plan').select('id').executeTakeFirstOrThrow()
    const form = html((await secretary.get(`/planer/${plan.id}/atgarder/ny`).expect(200)).text)
    expect(
      form('#field-ownerUnitId option')
        .map((_, e) => form(e).text())
        .get(),
    ).toContain('Ekonomiavdelningen')
  })
})

describe('the user forms answer bad input with the form and a Swedish message', () => {
  const messages = ($: ReturnType<typeof html>) =>
    $('.error-summary li')
      .map((_, e) => $(e).text())
      .get()
  const theReader = (db: Db) =>
    db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'lasare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()

  it('creates one user of ten sent at once with the same e-mail, and tells the other nine it is taken', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const token = String(html((await agent.get('/admin/anvandare/ny').expect(200)).text)('input[name="_csrf"]').val())
    const fields = { _csrf: token, name: 'Nina Ny', email: 'nina@malmo.se', password: 'ett långt lösenord' }
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => agent.post('/admin/anvandare/ny').type('form').send(fields)),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([303, 400, 400, 400, 400, 400, 400, 400, 400, 400])
    for (const refused of responses.filter((r) => r.status === 400)) {
      const $ = html(refused.text)
      expect(messages($)).toEqual(['Det finns redan en användare med den e-postadressen.'])
      expect($('#field-name').val()).toBe('Nina Ny')
    }
    const created = await db.selectFrom('app_user').select('id').where('email', '=', 'nina@malmo.se').execute()
    expect(created).toHaveLength(1)
    const log = await db
      .selectFrom('audit_event')
      .select('action')
      .where('entity', '=', 'app_user')
      .where('entity_id', '=', created[0]?.id as number)
      .execute()
    expect(log.map((e) => e.action)).toEqual(['create'])
  })

  it('refuses committees and units that do not exist, on the new user form and the role form', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const unknown = { secretaryOf: '99999', readerOf: '99998', units: '99997' }
    const created = html(
      (
        await submitForm(
          agent,
          '/admin/anvandare/ny',
          { name: 'Nina Ny', email: 'nina@malmo.se', password: 'ett långt lösenord', ...unknown },
          400,
        )
      ).text,
    )
    expect(messages(created)).toEqual(['Välj nämnder i listan.', 'Välj nämnder i listan.', 'Välj enheter i listan.'])
    expect(await db.selectFrom('app_user').select('id').where('email', '=', 'nina@malmo.se').execute()).toEqual([])
    const reader = await theReader(db)
    const roles = html((await submitForm(agent, `/admin/anvandare/${reader.id}/roller`, unknown, 400)).text)
    expect(messages(roles)).toEqual(['Välj nämnder i listan.', 'Välj nämnder i listan.', 'Välj enheter i listan.'])
  })

  it('says in Swedish that a password or a name is too long, on every form that takes one', async () => {
    const { agent, app, db } = await createTestApp({ as: 'admin' })
    const long = 'x'.repeat(201)
    const reader = await theReader(db)
    const tooLong = 'Lösenordet får vara högst 200 tecken långt.'
    const create = html(
      (
        await submitForm(
          agent,
          '/admin/anvandare/ny',
          { name: long, email: `${'x'.repeat(250)}@malmo.se`, password: long },
          400,
        )
      ).text,
    )
    expect(messages(create)).toEqual([
      'Texten får vara högst 200 tecken lång.',
      'Texten får vara högst 254 tecken lång.',
      tooLong,
    ])
    const reset = html(
      (await submitForm(agent, `/admin/anvandare/${reader.id}/losenord`, { password: long }, 400)).text,
    )
    expect(messages(reset)).toEqual([tooLong])
    const own = html(
      (await submitForm(agent, '/konto/losenord', { current: long, password: long, repeat: long }, 400)).text,
    )
    expect(messages(own)).toEqual([tooLong])
    const stranger = supertest.agent(app)
    const login = html(
      (
        await submitForm(
          stranger,
          '/logga-in',
          { email: `${'x'.repeat(300)}@malmo.se`, password: 'x'.repeat(300) },
          400,
          '/logga-in',
        )
      ).text,
    )
    expect(messages(login)).toEqual(['Texten får vara högst 254 tecken lång.'])
  })
})

describe('the administrator and a user’s link to the organisation’s sign-in', () => {
  it('sees it on the user’s page and removes it, in the audit log, with the page’s CSRF token', async () => {
    const { agent, db } = await createTestApp({
      as: 'admin',
      env: {
        OIDC_ISSUER: 'https://login.example',
        OIDC_CLIENT_ID: 'internkontroll',
        OIDC_CLIENT_SECRET: 'secret',
        OIDC_NAME: 'Demokommunens konto',
        PUBLIC_URL: 'https://internkontroll.example',
      },
    })
    const lars = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'lasare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    const rolesPage = `/admin/anvandare/${lars.id}/roller`
    expect(html((await agent.get(rolesPage).expect(200)).text)('#links-heading')).toHaveLength(0)
    await db
      .insertInto('sso_identity')
      .values({ provider: 'oidc', subject: 'https://login.example lars', user_id: lars.id, created_at: '2021-03-15' })
      .execute()
    const page = html((await agent.get(rolesPage).expect(200)).text)
    expect(page('#links-heading').next('form').text()).toContain('Demokommunens konto')
    const action = `/admin/anvandare/${lars.id}/koppling/ta-bort`
    await agent.post(action).type('form').send({ provider: 'oidc' }).expect(403)
    const done = await submitForm(agent, rolesPage, {}, 303, action)
    expect(done.headers.location).toBe(rolesPage)
    expect(await db.selectFrom('sso_identity').selectAll().execute()).toEqual([])
    const change = await db
      .selectFrom('audit_event')
      .select(['entity', 'entity_id', 'before', 'after'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(change).toMatchObject({ entity: 'app_user', entity_id: lars.id })
    expect(JSON.parse(String(change.before)).identities).toEqual(['oidc https://login.example lars'])
    expect(JSON.parse(String(change.after)).identities).toEqual([])
    const after = html((await agent.get(rolesPage).expect(200)).text)
    expect(after('.notice').text()).toContain('Lars Lind är inte längre kopplad till Demokommunens konto.')
  })

  it('is the administrator’s alone', async () => {
    const { agent, db } = await createTestApp({ as: 'sekreterare' })
    const lars = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'lasare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    const form = html((await agent.get('/').expect(200)).text)
    const token = form('input[name="_csrf"]').first().val() as string
    await agent
      .post(`/admin/anvandare/${lars.id}/koppling/ta-bort`)
      .type('form')
      .send({ _csrf: token, provider: 'oidc' })
      .expect(403)
  })
})
