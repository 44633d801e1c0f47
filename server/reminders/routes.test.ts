import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import type { MailState } from '../../db/schema.js'
import { demoDataActor } from '../../db/seed/demo.js'
import { createTestApp, type DemoLogin, html, logIn, submitForm } from '../../test/helpers/test-app.js'
import { audited } from '../audit/audited.js'

const userId = async (db: Db, login: DemoLogin) =>
  (
    await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', `${login}@demo.internkontroll.se`)
      .executeTakeFirstOrThrow()
  ).id

/** The audit rows of changes people made (not the demo data's creations) to one record. */
const changesOf = (db: Db, entity: string, id: number) =>
  db
    .selectFrom('audit_event')
    .select(['action', 'user_name', 'before', 'after'])
    .where('entity', '=', entity)
    .where('entity_id', '=', id)
    .where('user_name', '!=', demoDataActor)
    .orderBy('id')
    .execute()

const texts = ($: ReturnType<typeof html>, selector: string) =>
  $(selector)
    .map((_, e) => $(e).text().replace(/\s+/g, ' ').trim())
    .get()

const sender = { userId: null, userName: 'Påminnelser (automatiskt)' }

/** A mail in the outbox as the reminder pass writes it: an audited create. */
async function aMail(
  db: Db,
  mail: { to: string; subject: string; state?: MailState; createdAt: string; lastError?: string; attempts?: number },
): Promise<number> {
  return audited(db, { ...sender, at: mail.createdAt }, 'create', { entity: 'outbox_mail', planId: null }, async () => {
    const { id } = await db
      .insertInto('outbox_mail')
      .values({
        user_id: null,
        to_address: mail.to,
        subject: mail.subject,
        text_body: 'Text',
        html_body: '<p>Text</p>',
        state: mail.state ?? 'queued',
        attempts: mail.attempts ?? 0,
        next_attempt_at: mail.createdAt,
        last_error: mail.lastError ?? '',
        created_at: mail.createdAt,
        sent_at: mail.state === 'sent' ? mail.createdAt : null,
        message_id: `<${mail.createdAt}.${Math.random()}@internkontroll>`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return id
  })
}

/** The rows of the outbox list as "subject | state". */
const listed = ($: ReturnType<typeof html>) =>
  $('tbody tr')
    .map((_, tr) => `${$(tr).find('td[data-label="Ämne"]').text()} | ${$(tr).find('td[data-label="Status"]').text()}`)
    .get()

describe('reminder preferences', () => {
  it('lets every kind of user choose their own, audited, with a notice', async () => {
    const { app, db } = await createTestApp({ as: null })
    const choices: [DemoLogin, string][] = [
      ['lasare', 'weekly'],
      ['hr', 'daily'],
      ['utbildning', 'none'],
      ['sekreterare', 'weekly'],
      ['admin', 'daily'],
    ]
    for (const [login, preference] of choices) {
      const agent = supertest.agent(app)
      await logIn(agent, login)
      const form = html((await agent.get('/konto/paminnelser').expect(200)).text)
      // Everyone starts with each reminder on its own.
      expect(form('input[name="preference"][checked]').val()).toBe('immediate')
      expect(texts(form, 'fieldset legend')).toEqual(['Hur vill du få påminnelser?'])
      expect(texts(form, 'fieldset label')).toEqual([
        'Varje påminnelse för sig',
        'En sammanfattning om dagen',
        'En sammanfattning i veckan (måndagar)',
        'Inga påminnelser',
      ])
      await submitForm(agent, '/konto/paminnelser', { preference }, 303)
      const saved = html((await agent.get('/konto/paminnelser').expect(200)).text)
      expect(saved('.notice').text()).toContain('Ditt val är sparat')
      expect(saved('input[name="preference"][checked]').val()).toBe(preference)
    }
    const stored = await db.selectFrom('app_user').select(['email', 'reminder_preference']).execute()
    for (const [login, preference] of choices) {
      expect(stored.find((u) => u.email === `${login}@demo.internkontroll.se`)?.reminder_preference).toBe(preference)
    }
    const hr = await userId(db, 'hr')
    const log = await changesOf(db, 'app_user', hr)
    expect(log.map((e) => [e.action, e.user_name])).toEqual([['update', 'Hanna Holm']])
    expect(JSON.parse(String(log[0]?.before)).reminder_preference).toBe('immediate')
    expect(JSON.parse(String(log[0]?.after)).reminder_preference).toBe('daily')
  })

  it('refuses a choice not offered, in Swedish, and changes nothing', async () => {
    const { agent, db } = await createTestApp({ as: 'hr' })
    for (const preference of ['monthly', '']) {
      const page = html((await submitForm(agent, '/konto/paminnelser', { preference }, 400)).text)
      expect(texts(page, '.error-summary li')).toEqual(['Välj hur du vill få påminnelser.'])
      expect(page('#field-preference-error').text()).toContain('Välj hur du vill få påminnelser.')
    }
    const hr = await userId(db, 'hr')
    const user = await db.selectFrom('app_user').select('reminder_preference').where('id', '=', hr).executeTakeFirst()
    expect(user?.reminder_preference).toBe('immediate')
    expect(await changesOf(db, 'app_user', hr)).toEqual([])
  })

  it('tells a secretary that the overdue list comes anyway, an owner what their unit is reminded of', async () => {
    const { app } = await createTestApp({ as: null })
    const pageOf = async (login: DemoLogin) => {
      const agent = supertest.agent(app)
      await logIn(agent, login)
      return html((await agent.get('/konto/paminnelser').expect(200)).text)
    }
    const overdueList = 'Listan över nämndens försenade åtgärder skickas till dig ändå'
    const secretary = await pageOf('sekreterare')
    expect(secretary('main').text()).toContain(overdueList)
    expect(secretary('main').text()).toContain('Som sekreterare för Grundskolenämnden')
    expect(secretary('.lead').text()).toBe(
      'Påminnelserna skickas till sekreterare@demo.internkontroll.se varje morgon kl. 06.00.',
    )
    const hr = await pageOf('hr')
    expect(hr('main').text()).not.toContain(overdueList)
    expect(hr('main').text()).toContain('som HR-avdelningen ansvarar för')
    const reader = await pageOf('lasare')
    expect(reader('main').text()).toContain('Du har ingen roll som ger påminnelser just nu.')
    // Without SMTP_URL nothing goes out, and the page says so.
    expect(reader('main').text()).toContain('Just nu skickas ingen e-post härifrån')
    // The account area of the header leads here, beside the password.
    expect(texts(reader, '.site-header__account a')).toEqual(['Påminnelser', 'Byt lösenord'])
  })
})

describe("a committee's reminder days", () => {
  it('are kept as whole days, largest first, and audited as the committee’s change', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const committee = await db
      .selectFrom('committee')
      .select(['id', 'name', 'administration_id'])
      .where('name', '=', 'Grundskolenämnden')
      .executeTakeFirstOrThrow()
    const edit = `/admin/namnder/${committee.id}/redigera`
    const form = html((await agent.get(edit).expect(200)).text)
    expect(form('label[for="field-reminderDays"]').text()).toBe('Påminnelse till ansvariga, dagar före slutdatum')
    expect(form('#field-reminderDays').val()).toBe('14, 3')

    const fields = { name: committee.name, kind: 'committee', administrationId: String(committee.administration_id) }
    await submitForm(agent, edit, { ...fields, reminderDays: ' 7, 30 1,7 ' }, 303)
    const stored = await db.selectFrom('committee').select('reminder_days').where('id', '=', committee.id).execute()
    expect(stored).toEqual([{ reminder_days: '30,7,1' }])
    expect(html((await agent.get(edit).expect(200)).text)('#field-reminderDays').val()).toBe('30, 7, 1')
    const list = html((await agent.get('/admin/namnder').expect(200)).text)
    expect(list('td[data-label="Påminnelser, dagar före"]').first().text()).toBe('30, 7, 1')

    const log = await changesOf(db, 'committee', committee.id)
    expect(log.map((e) => [e.action, e.user_name])).toEqual([['update', 'Ada Administratör']])
    expect(JSON.parse(String(log[0]?.before)).reminder_days).toBe('14,3')
    expect(JSON.parse(String(log[0]?.after)).reminder_days).toBe('30,7,1')
  })

  it('refuses what is not one to five whole days from 1 to 365, in Swedish, keeping the input', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const committee = await db
      .selectFrom('committee')
      .select(['id', 'name', 'administration_id'])
      .where('name', '=', 'Grundskolenämnden')
      .executeTakeFirstOrThrow()
    const edit = `/admin/namnder/${committee.id}/redigera`
    const fields = { name: committee.name, kind: 'committee', administrationId: String(committee.administration_id) }
    const cases: [string, string][] = [
      ['', 'Ange dagarna, till exempel 14, 3.'],
      ['fjorton', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['14, 2.5', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['-3', 'Ange dagarna som heltal med kommatecken emellan, till exempel 14, 3.'],
      ['14, 0', 'Ange dagar från 1 till 365.'],
      ['366', 'Ange dagar från 1 till 365.'],
      ['60, 30, 14, 7, 3, 1', 'Ange högst fem dagar.'],
    ]
    for (const [reminderDays, message] of cases) {
      const page = html((await submitForm(agent, edit, { ...fields, reminderDays }, 400)).text)
      expect(texts(page, '.error-summary li'), reminderDays).toEqual([message])
      expect(page('#field-reminderDays').val()).toBe(reminderDays)
    }
    // The same day twice is one day: five values, four days.
    await submitForm(agent, edit, { ...fields, reminderDays: '30, 14, 7, 3, 3' }, 303)
    const stored = await db.selectFrom('committee').select('reminder_days').where('id', '=', committee.id).execute()
    expect(stored).toEqual([{ reminder_days: '30,14,7,3' }])
  })
})

describe("the administrator's mail page", () => {
  it('is the administrator’s only, linked from their start page and the user list', async () => {
    const { app, agent } = await createTestApp({ as: 'admin' })
    const start = html((await agent.get('/').expect(200)).text)
    expect(start('main a[href="/admin/e-post"]').text()).toBe('E-post')
    const users = html((await agent.get('/admin/anvandare').expect(200)).text)
    expect(users('main a[href="/admin/e-post"]').text()).toBe('E-post')
    for (const login of ['sekreterare', 'hr', 'lasare'] as const) {
      const other = supertest.agent(app)
      await logIn(other, login)
      await other.get('/admin/e-post').expect(403)
    }
  })

  it('says that nothing is sent without SMTP_URL', async () => {
    const { agent } = await createTestApp({ as: 'admin' })
    const page = html((await agent.get('/admin/e-post').expect(200)).text)
    expect(page('main .warning').text()).toContain('SMTP_URL är inte satt: inga påminnelser skickas.')
    expect(page('main').text()).not.toContain('E-post skickas via')
    expect(page('main').text()).toContain('Inga meddelanden ännu.')
    expect(texts(page, 'nav[aria-label="Meddelanden per status"] a')).toEqual([
      'Alla (0)',
      'I kö (0)',
      'Skickas (0)',
      'Skickat (0)',
      'Misslyckat (0)',
      'Osäkert om det skickades (0)',
    ])
  })

  it('names the relay’s host with SMTP_URL, never the credentials in it', async () => {
    const { agent } = await createTestApp({ as: 'admin', smtpUrl: 'smtp://ikapp:hemligt-losen@relay.malmo.se:587' })
    const page = html((await agent.get('/admin/e-post').expect(200)).text)
    expect(page('main .lead').text()).toContain('E-post skickas via relay.malmo.se:587')
    expect(page('main .warning').length).toBe(0)
    expect(page.html()).not.toContain('hemligt-losen')
    expect(page.html()).not.toContain('ikapp')
  })

  it('lists the mails newest first, counts them per state, filters by state and shows the server’s answer', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const refused = '550 5.1.1 <nobody@malmo.se>: Recipient address rejected: User unknown'
    await aMail(db, { to: 'hanna@malmo.se', subject: 'Påminnelse 1', state: 'sent', createdAt: '2021-03-01T05:00:00Z' })
    await aMail(db, {
      to: 'nobody@malmo.se',
      subject: 'Påminnelse 2',
      state: 'failed',
      attempts: 1,
      lastError: refused,
      createdAt: '2021-03-02T05:00:00Z',
    })
    await aMail(db, {
      to: 'sara@malmo.se',
      subject: 'Påminnelse 3',
      state: 'uncertain',
      createdAt: '2021-03-03T05:00:00Z',
    })
    await aMail(db, {
      to: 'olle@malmo.se',
      subject: 'Påminnelse 4',
      attempts: 2,
      lastError: 'connect ECONNREFUSED 127.0.0.1:25',
      createdAt: '2021-03-04T05:00:00Z',
    })
    const page = html((await agent.get('/admin/e-post').expect(200)).text)
    expect(listed(page)).toEqual([
      'Påminnelse 4 | I kö, nytt försök 2021-03-04 06:00',
      'Påminnelse 3 | Osäkert om det skickades',
      'Påminnelse 2 | Misslyckat',
      'Påminnelse 1 | Skickat',
    ])
    expect(texts(page, 'nav[aria-label="Meddelanden per status"] a')).toEqual([
      'Alla (4)',
      'I kö (1)',
      'Skickas (0)',
      'Skickat (1)',
      'Misslyckat (1)',
      'Osäkert om det skickades (1)',
    ])
    // The failed and the uncertain ones may be sent again; the others not.
    expect(texts(page, 'tbody button')).toEqual([
      'Försök igen med meddelandet till sara@malmo.se',
      'Försök igen med meddelandet till nobody@malmo.se',
    ])
    expect(page('main').text()).toContain('Osäkert om det skickades betyder att')

    const failed = html((await agent.get('/admin/e-post?status=failed').expect(200)).text)
    expect(listed(failed)).toEqual(['Påminnelse 2 | Misslyckat'])
    expect(failed('td[data-label="Serverns svar"]').text()).toBe(refused)
    expect(failed('td[data-label="Mottagare"]').text()).toBe('nobody@malmo.se')
    expect(failed('nav[aria-label="Meddelanden per status"] a[aria-current="page"]').text()).toBe('Misslyckat (1)')
    const sending = html((await agent.get('/admin/e-post?status=sending').expect(200)).text)
    expect(sending('main').text()).toContain('Inga meddelanden med status Skickas.')
    // A state the page does not know shows them all.
    expect(listed(html((await agent.get('/admin/e-post?status=okand').expect(200)).text))).toHaveLength(4)
  })

  it('shows 50 mails a page, in order across pages, the last page for one past the end', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const at = (i: number) => new Date(Date.UTC(2021, 0, 1, 5) + i * 3_600_000).toISOString()
    for (let i = 1; i <= 120; i++) {
      await aMail(db, {
        to: 'hanna@malmo.se',
        subject: `Påminnelse ${i}`,
        state: i % 2 === 0 ? 'sent' : 'failed',
        createdAt: at(i),
      })
    }
    const subjects = (page: ReturnType<typeof html>) => texts(page, 'td[data-label="Ämne"]')
    const first = html((await agent.get('/admin/e-post').expect(200)).text)
    expect(subjects(first)).toHaveLength(50)
    expect(subjects(first)[0]).toBe('Påminnelse 120')
    expect(texts(first, 'nav[aria-label="Sidor"] li')).toEqual(['Sida 1 av 3', 'Nästa sida'])
    expect(first('nav[aria-label="Sidor"] a').attr('href')).toBe('/admin/e-post?sida=2')
    const last = html((await agent.get('/admin/e-post?sida=3').expect(200)).text)
    expect(subjects(last)).toHaveLength(20)
    expect(subjects(last).at(-1)).toBe('Påminnelse 1')
    expect(texts(last, 'nav[aria-label="Sidor"] li')).toEqual(['Föregående sida', 'Sida 3 av 3'])
    expect(subjects(html((await agent.get('/admin/e-post?sida=99').expect(200)).text))).toEqual(subjects(last))
    expect(subjects(html((await agent.get('/admin/e-post?sida=x').expect(200)).text))).toEqual(subjects(first))

    // The filter stays on while paging: 60 failed ones, two pages.
    const failed = html((await agent.get('/admin/e-post?status=failed&sida=2').expect(200)).text)
    expect(subjects(failed)).toEqual([
      'Påminnelse 19',
      'Påminnelse 17',
      'Påminnelse 15',
      'Påminnelse 13',
      'Påminnelse 11',
      'Påminnelse 9',
      'Påminnelse 7',
      'Påminnelse 5',
      'Påminnelse 3',
      'Påminnelse 1',
    ])
    expect(failed('nav[aria-label="Sidor"] a').attr('href')).toBe('/admin/e-post?status=failed')
    // Its retry buttons come back to the same page.
    expect(failed('input[name="tillbaka"]').first().val()).toBe('/admin/e-post?status=failed&sida=2')
  })
})

describe('sending a mail again', () => {
  it('puts a failed mail back in the queue, for the administrator only, and comes back to the list', async () => {
    const { app, agent, db } = await createTestApp({ as: 'admin' })
    const id = await aMail(db, {
      to: 'nobody@malmo.se',
      subject: 'Påminnelse',
      state: 'failed',
      attempts: 1,
      lastError: '550 User unknown',
      createdAt: '2021-03-02T05:00:00Z',
    })
    const action = `/admin/e-post/${id}/forsok-igen`
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const csrf = html((await secretary.get('/konto/paminnelser').expect(200)).text)('input[name="_csrf"]').val()
    await secretary
      .post(action)
      .type('form')
      .send({ _csrf: String(csrf) })
      .expect(403)
    const state = async () =>
      (await db.selectFrom('outbox_mail').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state
    expect(await state()).toBe('failed')

    const sent = await submitForm(agent, '/admin/e-post?status=failed', {}, 303, action)
    expect(sent.headers.location).toBe('/admin/e-post?status=failed')
    expect(await state()).toBe('queued')
    const page = html((await agent.get('/admin/e-post').expect(200)).text)
    expect(page('.notice').text()).toContain('Meddelandet till nobody@malmo.se ligger i kön igen.')
    const log = await changesOf(db, 'outbox_mail', id)
    expect(log.map((e) => [e.action, e.user_name])).toEqual([
      ['create', 'Påminnelser (automatiskt)'],
      ['update', 'Ada Administratör'],
    ])
  })

  it('leaves a mail that is no longer failed as it is, and says so', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const id = await aMail(db, {
      to: 'sara@malmo.se',
      subject: 'Påminnelse',
      state: 'uncertain',
      createdAt: '2021-03-02T05:00:00Z',
    })
    const page = html((await agent.get('/admin/e-post').expect(200)).text)
    const action = `/admin/e-post/${id}/forsok-igen`
    // Meanwhile it was sent again (another administrator, another tab).
    await db.updateTable('outbox_mail').set({ state: 'sent' }).where('id', '=', id).execute()
    await agent
      .post(action)
      .type('form')
      .send({ _csrf: String(page(`form[action="${action}"] input[name="_csrf"]`).val()), tillbaka: '/admin/e-post' })
      .expect(303)
    expect(html((await agent.get('/admin/e-post').expect(200)).text)('.notice').text()).toContain(
      'Meddelandet till sara@malmo.se läggs inte i kön igen: dess status är nu ”Skickat”.',
    )
    const csrf = String(page('input[name="_csrf"]').first().val())
    await agent.post('/admin/e-post/999999/forsok-igen').type('form').send({ _csrf: csrf }).expect(404)
  })
})
