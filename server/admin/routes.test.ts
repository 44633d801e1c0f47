import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
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
