import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { demoDataActor } from '../../db/seed/demo.js'
import { createTestApp, html, logIn, submitForm } from '../../test/helpers/test-app.js'

// Kommunstyrelsen's oversight: municipal companies beside the committees, and the kommunövergripande samordnare.

const userId = async (db: Db, email: string) =>
  (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id

const eventsOf = (db: Db, entity: string, id: number) =>
  db
    .selectFrom('audit_event')
    .select(['action', 'before', 'after'])
    .where('entity', '=', entity)
    .where('entity_id', '=', id)
    .where('user_name', '!=', demoDataActor)
    .orderBy('id')
    .execute()

/** The demo municipality's administration; a company registered for it through the form, and its id. */
async function aCompany(agent: ReturnType<typeof supertest.agent>, db: Db) {
  const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
  const fields = { name: 'Malmö Stadsfastigheter AB', kind: 'company', administrationId: String(administration.id) }
  await submitForm(agent, '/admin/namnder', fields, 303)
  const { id } = await db.selectFrom('committee').select('id').where('name', '=', fields.name).executeTakeFirstOrThrow()
  return { id, fields }
}

describe('a municipal company (bolag)', () => {
  it('is created and renamed by the administrator, who must say which kind it is, and is audited with its kind', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const form = html((await agent.get('/admin/namnder').expect(200)).text)
    expect(
      form('fieldset[role="radiogroup"] label')
        .map((_, e) => form(e).text())
        .get(),
    ).toEqual(['Nämnd', 'Kommunalt bolag'])

    const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
    const unsaid = html(
      (
        await submitForm(
          agent,
          '/admin/namnder',
          { name: 'Malmö Stadsfastigheter AB', administrationId: String(administration.id) },
          400,
        )
      ).text,
    )
    expect(unsaid('#field-kind-error').text()).toContain('Välj om det är en nämnd eller ett kommunalt bolag.')
    expect(unsaid('#field-name').val()).toBe('Malmö Stadsfastigheter AB')

    const company = await aCompany(agent, db)
    const list = html((await agent.get('/admin/namnder').expect(200)).text)
    expect(
      list('tbody tr')
        .map(
          (_, tr) =>
            `${list(tr).find('td[data-label="Namn"]').text()}: ${list(tr).find('td[data-label="Typ"]').text()}`,
        )
        .get(),
    ).toEqual(['Grundskolenämnden: Nämnd', 'Malmö Stadsfastigheter AB: Kommunalt bolag'])

    const edit = `/admin/namnder/${company.id}/redigera`
    expect(html((await agent.get(edit).expect(200)).text)('#field-kind-company').attr('checked')).toBe('checked')
    await submitForm(agent, edit, { ...company.fields, name: 'MKB Fastighets AB', reminderDays: '14, 3' }, 303)
    // Made a committee by mistake, and back.
    await submitForm(
      agent,
      edit,
      { ...company.fields, name: 'MKB Fastighets AB', kind: 'committee', reminderDays: '14, 3' },
      303,
    )

    const log = await eventsOf(db, 'committee', company.id)
    expect(log.map((e) => [e.action, JSON.parse(String(e.after)).name, JSON.parse(String(e.after)).kind])).toEqual([
      ['create', 'Malmö Stadsfastigheter AB', 'company'],
      ['update', 'MKB Fastighets AB', 'company'],
      ['update', 'MKB Fastighets AB', 'committee'],
    ])
    const page = html((await agent.get('/logg?typ=committee').expect(200)).text)
    const kindChange = page('tbody tr').filter((_, tr) => page(tr).text().includes('Typ'))
    expect(kindChange.text()).toContain('Kommunalt bolag')
    expect(kindChange.text()).toContain('Nämnd')
    expect(page('tbody').text()).not.toContain('Typ av granskning')
  })
})

describe('the kommunövergripande samordnare', () => {
  it('is granted and removed per municipality on the role page, audited with the municipality by name', async () => {
    const { agent, db } = await createTestApp({ as: 'admin' })
    const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
    const hr = await userId(db, 'hr@demo.internkontroll.se')
    const unit = await db.selectFrom('unit_member').select('owner_unit_id').where('user_id', '=', hr).execute()
    const roles = `/admin/anvandare/${hr}/roller`
    const form = html((await agent.get(roles).expect(200)).text)
    expect(form(`label[for="coordinatorOf-${municipality.id}"]`).text()).toBe('Malmö stad')

    const keepUnits = { units: String(unit[0]?.owner_unit_id) }
    await submitForm(agent, roles, { ...keepUnits, coordinatorOf: String(municipality.id) }, 303)
    expect(html((await agent.get(roles).expect(200)).text)(`#coordinatorOf-${municipality.id}`).attr('checked')).toBe(
      'checked',
    )
    const users = html((await agent.get('/admin/anvandare').expect(200)).text)
    const row = users('tbody tr').filter((_, e) => users(e).text().includes('hr@demo.internkontroll.se'))
    expect(row.find('td[data-label="Roller"]').text()).toContain('kommunövergripande samordnare, Malmö stad')

    const unknown = html((await submitForm(agent, roles, { ...keepUnits, coordinatorOf: '99999' }, 400)).text)
    expect(unknown('.field-error').text()).toContain('Välj kommuner i listan.')

    await submitForm(agent, roles, keepUnits, 303)
    const log = await eventsOf(db, 'app_user', hr)
    expect(log.map((e) => JSON.parse(String(e.after)).coordinatorOf)).toEqual([[municipality.id], []])
    const page = html((await agent.get('/logg?typ=app_user').expect(200)).text)
    const changes = page('tbody tr')
      .map((_, tr) => page(tr).find('td[data-label="Ändringar"]').text().replace(/\s+/g, ' ').trim())
      .get()
      .filter((text) => text.includes('Kommunövergripande samordnare för'))
    expect(changes).toHaveLength(2)
    expect(changes.every((text) => text.includes('Malmö stad'))).toBe(true)
  })

  it("reads every committee's and company's plans and inspections of the municipality, and edits none", async () => {
    const { agent, db, app } = await createTestApp({ as: 'admin' })
    const company = await aCompany(agent, db)
    const { id: companyPlan } = await db
      .insertInto('plan')
      .values({
        committee_id: company.id,
        year: 2021,
        title: 'Internkontrollplan 2021',
        introduction: '',
        measures_introduction: '',
        adopted_meeting_date: null,
        adopted_minutes_paragraph: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const demoPlan = await db
      .selectFrom('plan')
      .select('id')
      .where('committee_id', '!=', company.id)
      .executeTakeFirstOrThrow()

    const coordinator = supertest.agent(app)
    await logIn(coordinator, 'samordnare')
    const plans = html((await coordinator.get('/planer').expect(200)).text)
    const linked = plans('main a')
      .map((_, a) => plans(a).attr('href'))
      .get()
    expect(linked).toEqual(expect.arrayContaining([`/planer/${demoPlan.id}`, `/planer/${companyPlan}`]))

    for (const plan of [demoPlan.id, companyPlan]) {
      await coordinator.get(`/planer/${plan}`).expect(200)
      await coordinator.get(`/planer/${plan}/redigera`).expect(403)
      await coordinator.get(`/planer/${plan}/risker/ny`).expect(403)
    }
    await coordinator.get('/planer/ny').expect(403)
    await coordinator.get('/admin/anvandare').expect(403)

    // The secretary's list of external inspections and the coordinator's are the same.
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const rows = async (a: ReturnType<typeof supertest.agent>) => {
      const $ = html((await a.get('/externa-granskningar').expect(200)).text)
      return $('main tbody tr')
        .map((_, tr) => $(tr).text().replace(/\s+/g, ' ').trim())
        .get()
    }
    const seen = await rows(coordinator)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen).toEqual(await rows(secretary))

    // The start page lists the municipality's committees and companies and leads to the roll-up of this year.
    const start = html((await coordinator.get('/').expect(200)).text)
    const section = start('section[aria-labelledby="municipality-heading"]')
    const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
    expect(section.find(`a[href="/kommun/${municipality.id}/2021"]`)).toHaveLength(1)
    expect(
      section
        .find('tbody tr')
        .map((_, tr) => start(tr).text().replace(/\s+/g, ' ').trim())
        .get(),
    ).toEqual([
      'Grundskolenämnden Nämnd Ingen plan ännu',
      'Malmö Stadsfastigheter AB Kommunalt bolag Internkontrollplan 2021, Malmö Stadsfastigheter AB',
    ])
    expect(start('main').text()).not.toContain('Ditt konto har ingen roll ännu')
  })
})
