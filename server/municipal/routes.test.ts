import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { createTestApp, type DemoLogin, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { audited } from '../audit/audited.js'
import { verifyAudit } from '../audit/verify.js'
import { hashPassword } from '../auth/passwords.js'
import { grantCoordinatorRole, insertUser } from '../auth/repository.js'
import { developmentAuditKey } from '../config.js'
import { createCarriedOverPlan } from '../next-year/repository.js'

// Kommungemensamma granskningar och risker: who may define them, and their copies in the committees' plans.

// The test app's clock stands at 2021-03-15: the demo's plans of "this year" are 2021's, and its municipality-wide
// review of bisysslor is in all three.
const today = '2021-03-15'
const year = 2021

async function world(as: DemoLogin = 'samordnare') {
  const { agent, db, app } = await createTestApp({ as, currentYear: true, today })
  const municipality = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  const committees = await db.selectFrom('committee').select(['id', 'name']).execute()
  const committee = (name: string) => committees.find((c) => c.name === name)?.id as number
  const planOf = async (name: string, y = year) =>
    (
      await db
        .selectFrom('plan')
        .select('id')
        .where('committee_id', '=', committee(name))
        .where('year', '=', y)
        .executeTakeFirstOrThrow()
    ).id
  const items = `/kommun/${municipality.id}/${year}/gemensamma`
  return { agent, db, app, municipality, committee, planOf, items }
}

/** Posts a form as a browser would, with its hidden fields and every checked committee as its own value. */
async function postForm(agent: TestAgent, formPage: string, fields: [string, string][], expected: number) {
  const $ = html((await agent.get(formPage).expect(200)).text)
  const form = $('main form[method="post"]').last()
  const body = new URLSearchParams([['_csrf', String(form.find('input[name="_csrf"]').val())], ...fields])
  for (const hidden of ['version', 'originalCommittees']) {
    const value = form.find(`input[name="${hidden}"]`).val()
    if (value !== undefined && !fields.some(([name]) => name === hidden)) body.append(hidden, String(value))
  }
  const response = await agent
    .post(String(form.attr('action')))
    .type('form')
    .send(body.toString())
  if (response.status !== expected) {
    throw new Error(`Expected ${expected}, got ${response.status}: ${response.text.slice(0, 1500)}`)
  }
  return response
}

const reviewFields = (title: string, committeeIds: number[]): [string, string][] => [
  ['kind', 'review'],
  ['title', title],
  ['description', 'Risk för att **leverantörer** betalas två gånger.'],
  ['treatment', 'review'],
  ['diaryNumber', 'KS 2021/0099'],
  ...committeeIds.map((id): [string, string] => ['committees', String(id)]),
]

/** The copies of the item titled so, per plan: its risk and its review row. */
const copiesOf = (db: Db, title: string) =>
  db
    .selectFrom('risk')
    .innerJoin('municipal_item', 'municipal_item.id', 'risk.municipal_item_id')
    .leftJoin('review', 'review.risk_id', 'risk.id')
    .select([
      'municipal_item.id as itemId',
      'risk.id as riskId',
      'risk.plan_id as planId',
      'risk.title',
      'risk.description',
      'risk.scope',
      'risk.position',
      'risk.likelihood',
      'review.id as reviewId',
      'review.title as reviewTitle',
      'review.diary_number',
      'review.result',
      'review.meeting_date',
    ])
    .where('municipal_item.title', '=', title)
    .orderBy('risk.plan_id')
    .execute()

const verifies = async (db: Db) => {
  expect((await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).findings).toEqual([])
}

describe('municipality-wide reviews and risks: who may', () => {
  it('lets the coordinator and the administrator write, and turns away the secretary, an owner, a reader and another municipality’s coordinator', async () => {
    const { app, db, agent, items, committee } = await world('samordnare')
    const list = html((await agent.get(items).expect(200)).text)
    expect(list('h1').text()).toBe(`Kommungemensamma granskningar och risker ${year}`)
    expect(list('tbody a').first().text()).toBe('Hantering av bisysslor')
    await postForm(agent, `${items}/ny`, reviewFields('Dubbla utbetalningar', [committee('Grundskolenämnden')]), 303)

    const admin = supertest.agent(app)
    await logIn(admin, 'admin')
    await postForm(admin, `${items}/ny`, reviewFields('Leverantörsregistret', [committee('Förskolenämnden')]), 303)

    for (const account of ['sekreterare', 'hr', 'lasare'] as const) {
      const other = supertest.agent(app)
      await logIn(other, account)
      await other.get(items).expect(403)
      await other.get(`${items}/ny`).expect(403)
    }
    // A coordinator of Lunds kommun: the same role, another municipality.
    const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    const lund = await audited(db, actor, 'create', { entity: 'municipality', planId: null }, async () => {
      const { id } = await db
        .insertInto('municipality')
        .values({ name: 'Lunds kommun' })
        .returning('id')
        .executeTakeFirstOrThrow()
      return id
    })
    await audited(db, actor, 'create', { entity: 'app_user', planId: null }, async () => {
      const userId = await insertUser(db, {
        email: 'samordnare@lund.example',
        name: 'Lena Lund',
        passwordHash: await hashPassword('internkontroll-demo'),
        isAdmin: false,
        createdAt: actor.at,
      })
      await grantCoordinatorRole(db, userId, lund)
      return userId
    })
    const lundsCoordinator = supertest.agent(app)
    await submitForm(
      lundsCoordinator,
      '/logga-in',
      { email: 'samordnare@lund.example', password: 'internkontroll-demo' },
      303,
      '/logga-in',
    )
    await lundsCoordinator.get(items).expect(403)
    await lundsCoordinator.get(`${items}/ny`).expect(403)
    await lundsCoordinator.get(`/kommun/${lund}/${year}/gemensamma`).expect(200)
    // Nor can they write with a token of their own.
    const token = html((await lundsCoordinator.get(`/kommun/${lund}/${year}/gemensamma/ny`).expect(200)).text)(
      'input[name="_csrf"]',
    ).val()
    await lundsCoordinator
      .post(`${items}/ny`)
      .type('form')
      .send(
        new URLSearchParams([
          ['_csrf', String(token)],
          ...reviewFields('Lunds försök', [committee('Grundskolenämnden')]),
        ]).toString(),
      )
      .expect(403)
    expect(await copiesOf(db, 'Lunds försök')).toEqual([])
    await verifies(db)
  })

  it('refuses committees of another municipality and an empty choice, keeping what was typed', async () => {
    const { agent, items } = await world()
    const none = html((await postForm(agent, `${items}/ny`, reviewFields('Inga nämnder', []), 400)).text)
    expect(none('#field-committees-error').text()).toContain('Välj minst en nämnd eller ett bolag')
    expect(none('#field-title').val()).toBe('Inga nämnder')
    const foreign = html((await postForm(agent, `${items}/ny`, reviewFields('Fel kommun', [99999]), 400)).text)
    expect(foreign('#field-committees-error').text()).toContain('Välj nämnder och bolag i listan.')
  })
})

describe('the follow-up side by side', () => {
  it('names each body’s decision as it is: the nämnd’s, or a company’s board’s', async () => {
    const { agent, db } = await createTestApp({ as: 'samordnare', currentYear: true, today })
    const item = await db
      .selectFrom('municipal_item')
      .select(['id', 'municipality_id', 'year'])
      .where('kind', '=', 'review')
      .executeTakeFirstOrThrow()
    const $ = html(
      (await agent.get(`/kommun/${item.municipality_id}/${item.year}/gemensamma/${item.id}`).expect(200)).text,
    )
    const headings = $('.side-by-side__column')
      .map((_, c) => `${$(c).find('h3').text().replace(/\s+/g, ' ').trim()}: ${$(c).find('dt').eq(2).text()}`)
      .get()
    expect(headings).toEqual([
      'Förskolenämnden (Nämnd): Nämndens beslut',
      'Grundskolenämnden (Nämnd): Nämndens beslut',
      'Malmö Stadsfastigheter AB (Kommunalt bolag): Styrelsens beslut',
    ])
  })
})

describe('the push-down into the plans', () => {
  it('puts a copy into each chosen plan, locked for the secretary but for the committee’s own fields, and follows the item’s edits', async () => {
    const { app, db, agent, items, committee, planOf } = await world()
    const school = await planOf('Grundskolenämnden')
    const preschool = await planOf('Förskolenämnden')
    const company = await planOf('Malmö Stadsfastigheter AB')
    const lastPosition = async (planId: number) =>
      (
        await db
          .selectFrom('risk')
          .select('position')
          .where('plan_id', '=', planId)
          .orderBy('position', 'desc')
          .executeTakeFirstOrThrow()
      ).position
    const before = await lastPosition(school)
    const created = await postForm(
      agent,
      `${items}/ny`,
      reviewFields('Dubbla utbetalningar', [committee('Grundskolenämnden'), committee('Förskolenämnden')]),
      303,
    )
    const itemPage = String(created.headers.location)
    const copies = await copiesOf(db, 'Dubbla utbetalningar')
    expect(copies.map((c) => [c.planId, c.title, c.scope, c.reviewTitle, c.diary_number])).toEqual(
      [school, preschool].map((planId) => [
        planId,
        'Dubbla utbetalningar',
        'municipality_wide',
        'Dubbla utbetalningar',
        'KS 2021/0099',
      ]),
    )
    expect(copies[0]?.position).toBe(before + 1)
    expect(copies.some((c) => c.planId === company)).toBe(false)
    const [copy] = copies
    if (!copy?.reviewId) throw new Error('no copy')

    // The secretary sees it marked, cannot reword or delete it, and fills in the committee's own.
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const riskPage = `/planer/${school}/risker/${copy.riskId}`
    const shown = html((await secretary.get(riskPage).expect(200)).text)
    expect(shown('.locked-note').text()).toContain('Kommungemensam – beslutad av kommunstyrelsen (KS 2021/0099)')
    expect(shown(`a[href="${riskPage}/ta-bort"]`)).toHaveLength(0)
    const riskForm = html((await secretary.get(`${riskPage}/redigera`).expect(200)).text)
    expect(riskForm('#field-title, #field-description, #field-treatment')).toHaveLength(0)
    expect(riskForm('.locked-note').text()).toContain('(KS 2021/0099)')
    await postForm(secretary, `${riskPage}/redigera`, [['title', 'Nämndens egen rubrik']], 403)
    await postForm(secretary, `${riskPage}/redigera`, [['treatment', 'accept']], 403)
    await secretary.get(`${riskPage}/ta-bort`).expect(403)
    const token = String(shown('input[name="_csrf"]').first().val() ?? riskForm('input[name="_csrf"]').val())
    await secretary.post(`${riskPage}/ta-bort`).type('form').send({ _csrf: token }).expect(403)
    await postForm(
      secretary,
      `${riskPage}/redigera`,
      [
        ['title', 'Dubbla utbetalningar'],
        ['likelihood', '3'],
        ['consequence', '2'],
      ],
      303,
    )
    const reviewPage = `/planer/${school}/granskningar/${copy.reviewId}/redigera`
    const reviewForm = html((await secretary.get(reviewPage).expect(200)).text)
    expect(reviewForm('#field-diaryNumber, #field-title, #field-riskId')).toHaveLength(0)
    expect(reviewForm('#field-result')).toHaveLength(1)
    await postForm(secretary, reviewPage, [['diaryNumber', 'GRF-2021-1']], 403)
    await postForm(secretary, reviewPage, [['riskId', '']], 403)
    await secretary.get(`/planer/${school}/granskningar/${copy.reviewId}/ta-bort`).expect(403)
    await postForm(
      secretary,
      reviewPage,
      [
        ['meetingDate', '2021-03-10'],
        ['minutesParagraph', '§12'],
        ['result', 'Två fakturor av **200** betalades två gånger.'],
      ],
      303,
    )
    const [followed] = await copiesOf(db, 'Dubbla utbetalningar')
    expect(followed).toMatchObject({
      title: 'Dubbla utbetalningar',
      likelihood: 3,
      meeting_date: '2021-03-10',
      result: 'Två fakturor av **200** betalades två gånger.',
      diary_number: 'KS 2021/0099',
    })
    // The plan's review list shows the result and the mark, and offers no delete of the copy.
    const list = html((await secretary.get(`/planer/${school}/granskningar`).expect(200)).text)
    const row = list(`tr:contains("Dubbla utbetalningar")`)
    expect(row.find('.review-result strong').text()).toBe('200')
    expect(row.text()).toContain('Kommungemensam – beslutad av kommunstyrelsen (KS 2021/0099)')
    expect(row.find('a.action-delete')).toHaveLength(0)

    // The side-by-side page shows each committee's follow-up.
    const side = html((await agent.get(itemPage).expect(200)).text)
    const columns = side('.side-by-side__column')
    expect(columns.map((_, c) => side(c).find('h3').text().replace(/\s+/g, ' ').trim()).get()).toEqual([
      'Förskolenämnden (Nämnd)',
      'Grundskolenämnden (Nämnd)',
    ])
    expect(columns.eq(1).text()).toContain('Sammanträde 2021-03-10, protokoll §12')
    expect(columns.eq(1).text()).toContain('6 – Medel')
    expect(columns.eq(0).text()).toContain('Inget resultat registrerat')

    // The coordinator's edit reaches every copy's locked words, and a stale edit of the same field is a 409.
    const editPage = `${itemPage}/redigera`
    const stale = html((await agent.get(editPage).expect(200)).text)('input[name="version"]').val()
    await postForm(
      agent,
      editPage,
      reviewFields('Dubbla utbetalningar till leverantörer', [
        committee('Grundskolenämnden'),
        committee('Förskolenämnden'),
        committee('Malmö Stadsfastigheter AB'),
      ]),
      303,
    )
    const edited = await copiesOf(db, 'Dubbla utbetalningar till leverantörer')
    expect(edited.map((c) => [c.planId, c.title, c.reviewTitle])).toEqual(
      [school, preschool, company].map((planId) => [
        planId,
        'Dubbla utbetalningar till leverantörer',
        'Dubbla utbetalningar till leverantörer',
      ]),
    )
    // The committee's own work stays with its copy.
    expect(edited[0]).toMatchObject({ likelihood: 3, result: 'Två fakturor av **200** betalades två gånger.' })
    await postForm(
      agent,
      editPage,
      [...reviewFields('Ett annat namn', [committee('Grundskolenämnden')]), ['version', String(stale)]],
      409,
    )
    await verifies(db)
  })

  it('merges a stale edit: the copies get the item as saved, and a committee chosen meanwhile keeps its copy', async () => {
    const { app, db, agent, items, committee } = await world()
    const school = committee('Grundskolenämnden')
    const itemPage = String(
      (await postForm(agent, `${items}/ny`, reviewFields('Leasingavtal', [school]), 303)).headers.location,
    )
    const editPage = `${itemPage}/redigera`
    // The coordinator opens the form; meanwhile the administrator rewords the description and adds the company.
    const opened = html((await agent.get(editPage).expect(200)).text)
    const stale: [string, string][] = [
      ['version', String(opened('input[name="version"]').val())],
      ['originalCommittees', String(opened('input[name="originalCommittees"]').val())],
    ]
    expect(stale[1]?.[1]).toBe(String(school))
    const admin = supertest.agent(app)
    await logIn(admin, 'admin')
    const company = committee('Malmö Stadsfastigheter AB')
    await postForm(
      admin,
      editPage,
      [
        ...reviewFields('Leasingavtal', [school, company]).filter(([name]) => name !== 'description'),
        ['description', 'Avtal som **förlängs** utan beslut.'],
      ],
      303,
    )
    // The coordinator saves a new title only, on the form as opened.
    const saved = await postForm(
      agent,
      editPage,
      [...reviewFields('Leasingavtal och hyresavtal', [school]), ...stale],
      303,
    )
    const copies = await copiesOf(db, 'Leasingavtal och hyresavtal')
    expect(copies.map((c) => [c.title, c.reviewTitle, c.description])).toEqual([
      ['Leasingavtal och hyresavtal', 'Leasingavtal och hyresavtal', 'Avtal som **förlängs** utan beslut.'],
      ['Leasingavtal och hyresavtal', 'Leasingavtal och hyresavtal', 'Avtal som **förlängs** utan beslut.'],
    ])
    expect(
      (
        await db
          .selectFrom('municipal_item_committee')
          .select('committee_id')
          .where('item_id', '=', copies[0]?.itemId as number)
          .orderBy('committee_id')
          .execute()
      ).map((r) => r.committee_id),
    ).toEqual([school, company].sort((a, b) => a - b))
    // The user is told whose change was kept beside theirs.
    const page = html((await agent.get(String(saved.headers.location)).expect(200)).text)
    expect(page('.notice').text()).toContain('Ada Administratör')
    expect(page('.notice').text()).toContain('Beskrivning')
    expect(page('.notice').text()).toContain('Gäller nämnder och bolag')

    // Had the coordinator changed the choice of committees too, the edit is refused, nothing written.
    const opened2 = html((await agent.get(editPage).expect(200)).text)
    const stale2: [string, string][] = [
      ['version', String(opened2('input[name="version"]').val())],
      ['originalCommittees', String(opened2('input[name="originalCommittees"]').val())],
    ]
    await postForm(admin, editPage, reviewFields('Leasingavtal och hyresavtal', [company]), 303)
    const conflict = html(
      (
        await postForm(
          agent,
          editPage,
          [...reviewFields('Leasingavtal och hyresavtal', [school, committee('Förskolenämnden')]), ...stale2],
          409,
        )
      ).text,
    )
    // The 409 page names both choices, by name.
    const clash = conflict('main').text().replace(/\s+/g, ' ')
    expect(clash).toContain('Gäller nämnder och bolag')
    expect(clash).toContain('Malmö Stadsfastigheter AB')
    expect(clash).toContain('Grundskolenämnden, Förskolenämnden')
    expect(clash).not.toContain('original')
    expect((await copiesOf(db, 'Leasingavtal och hyresavtal')).map((c) => c.planId)).toHaveLength(1)
    await verifies(db)
  })

  it('deletes an un-chosen committee’s copy when it holds nothing of its own, and refuses, naming it, when it does', async () => {
    const { app, db, agent, items, committee, planOf } = await world()
    const school = await planOf('Grundskolenämnden')
    const both = [committee('Grundskolenämnden'), committee('Förskolenämnden')]
    const itemPage = String(
      (await postForm(agent, `${items}/ny`, reviewFields('Attestordning', both), 303)).headers.location,
    )
    const [copy] = await copiesOf(db, 'Attestordning')
    // Grundskolenämnden decides a measure under its copy.
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const unit = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('name', '=', 'HR-avdelningen')
      .executeTakeFirstOrThrow()
    await submitForm(
      secretary,
      `/planer/${school}/atgarder/ny?risk=${copy?.riskId}`,
      {
        riskId: String(copy?.riskId),
        title: 'Se över attestlistorna',
        ownerUnitId: String(unit.id),
        status: 'not_started',
      },
      303,
    )

    const refused = html(
      (
        await postForm(
          agent,
          `${itemPage}/redigera`,
          reviewFields('Attestordning', [committee('Förskolenämnden')]),
          400,
        )
      ).text,
    )
    expect(refused('#field-committees-error').text()).toContain(
      'Det går inte att välja bort: Grundskolenämnden (1 åtgärd) har redan eget arbete i sin plan',
    )
    // Kept as chosen, with the choice the user made.
    expect(refused('input[name="committees"]:checked').length).toBe(1)
    expect((await copiesOf(db, 'Attestordning')).length).toBe(2)

    // Förskolenämnden's copy holds nothing: un-choosing it deletes it.
    await postForm(agent, `${itemPage}/redigera`, reviewFields('Attestordning', [committee('Grundskolenämnden')]), 303)
    expect((await copiesOf(db, 'Attestordning')).map((c) => c.planId)).toEqual([school])

    // Nor may the item be deleted while a copy holds work.
    const confirm = html((await agent.get(`${itemPage}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain('Posten kan inte tas bort: Grundskolenämnden (1 åtgärd)')
    await postForm(agent, `${itemPage}/redigera`, reviewFields('Attestordning', both), 303)
    const token = String(html((await agent.get(items).expect(200)).text)('input[name="_csrf"]').val())
    await agent.post(`${itemPage}/ta-bort`).type('form').send({ _csrf: token }).expect(400)
    expect((await copiesOf(db, 'Attestordning')).length).toBe(2)
    await verifies(db)
  })

  it('counts as the committee’s work an own review of a copy’s risk, which un-choosing would unlink, and names it', async () => {
    const { db, agent, items, committee, planOf } = await world()
    const preschool = await planOf('Förskolenämnden')
    const both = [committee('Grundskolenämnden'), committee('Förskolenämnden')]
    const itemPage = String(
      (await postForm(agent, `${items}/ny`, reviewFields('Inköp utanför avtal', both), 303)).headers.location,
    )
    const copy = (await copiesOf(db, 'Inköp utanför avtal')).find((c) => c.planId === preschool)
    // Förskolenämnden has a review of its own of the copy's risk (its review form lets it choose any risk).
    const own = await db
      .insertInto('review')
      .values({
        plan_id: preschool,
        risk_id: copy?.riskId as number,
        diary_number: 'FSK 2021/7',
        title: 'Egen granskning av inköp',
        position: 99,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const refused = html(
      (
        await postForm(
          agent,
          `${itemPage}/redigera`,
          reviewFields('Inköp utanför avtal', [committee('Grundskolenämnden')]),
          400,
        )
      ).text,
    )
    expect(refused('#field-committees-error').text()).toContain('Förskolenämnden (1 egen granskning)')
    const kept = await db.selectFrom('review').select('risk_id').where('id', '=', own.id).executeTakeFirstOrThrow()
    expect(kept.risk_id).toBe(copy?.riskId)
    const confirm = html((await agent.get(`${itemPage}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain('Förskolenämnden (1 egen granskning)')
  })

  it('deletes an item with its copies when none holds work', async () => {
    const { db, agent, items, committee } = await world()
    const itemPage = String(
      (await postForm(agent, `${items}/ny`, reviewFields('Kassahantering', [committee('Förskolenämnden')]), 303))
        .headers.location,
    )
    expect(await copiesOf(db, 'Kassahantering')).toHaveLength(1)
    await submitForm(agent, `${itemPage}/ta-bort`, {}, 303)
    expect(await copiesOf(db, 'Kassahantering')).toEqual([])
    expect(await db.selectFrom('municipal_item').select('id').where('title', '=', 'Kassahantering').execute()).toEqual(
      [],
    )
    await verifies(db)
  })

  it('gives a plan made later its copies, and carries a copy into next year as the committee’s own risk', async () => {
    const { app, db, agent, municipality, committee, planOf } = await world()
    const next = `/kommun/${municipality.id}/${year + 1}/gemensamma`
    await postForm(
      agent,
      `${next}/ny`,
      [
        ['kind', 'risk'],
        ['title', 'Bristande informationssäkerhet'],
        ['description', ''],
        ['treatment', 'monitor'],
        ['diaryNumber', ''],
        ['committees', String(committee('Malmö Stadsfastigheter AB'))],
      ],
      303,
    )
    // No plan of 2022 yet: nothing copied.
    expect(await copiesOf(db, 'Bristande informationssäkerhet')).toEqual([])

    // Next year's carry-over of the company's 2021 plan takes this year's copies as its own risks, and 2022's item.
    const from = {
      id: await planOf('Malmö Stadsfastigheter AB'),
      committee_id: committee('Malmö Stadsfastigheter AB'),
      year,
    }
    const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    const planId = await db
      .transaction()
      .execute((trx) => createCarriedOverPlan(trx, actor, from, { year: year + 1, title: 'Internkontrollplan 2022' }))
    const risks = await db
      .selectFrom('risk')
      .select(['title', 'scope', 'municipal_item_id', 'previous_risk_id'])
      .where('plan_id', '=', planId as number)
      .orderBy('position')
      .execute()
    const bisysslor = risks.find((r) => r.title === 'Hantering av bisysslor')
    expect(bisysslor).toMatchObject({ scope: 'committee', municipal_item_id: null })
    expect(bisysslor?.previous_risk_id).not.toBeNull()
    expect(risks.at(-1)).toMatchObject({ title: 'Bristande informationssäkerhet', scope: 'municipality_wide' })
    expect(risks.at(-1)?.municipal_item_id).not.toBeNull()

    // A plan made with the form gets the copies too.
    await postForm(agent, `${next}/ny`, reviewFields('Delegationsordning', [committee('Grundskolenämnden')]), 303)
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const made = await submitForm(
      secretary,
      '/planer/ny',
      { committeeId: String(committee('Grundskolenämnden')), year: '2022', title: 'Internkontrollplan 2022' },
      303,
    )
    const newPlan = Number(String(made.headers.location).split('/').pop())
    expect((await copiesOf(db, 'Delegationsordning')).map((c) => [c.planId, c.reviewTitle])).toEqual([
      [newPlan, 'Delegationsordning'],
    ])
    await verifies(db)
  })

  it('moves a plan’s copies with its year: the old year’s go, the new year’s come, and work under a copy stops the move', async () => {
    const { app, db, agent, municipality, committee } = await world()
    const school = committee('Grundskolenämnden')
    for (const y of [2022, 2023]) {
      await postForm(
        agent,
        `/kommun/${municipality.id}/${y}/gemensamma/ny`,
        reviewFields(`Avtalstrohet ${y}`, [school]),
        303,
      )
    }
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const made = await submitForm(
      secretary,
      '/planer/ny',
      { committeeId: String(school), year: '2022', title: 'Internkontrollplan 2022' },
      303,
    )
    const planId = Number(String(made.headers.location).split('/').pop())
    expect((await copiesOf(db, 'Avtalstrohet 2022')).map((c) => c.planId)).toEqual([planId])

    const moveTo = (y: number, expected: number) =>
      postForm(
        secretary,
        `/planer/${planId}/redigera`,
        [
          ['committeeId', String(school)],
          ['year', String(y)],
          ['title', `Internkontrollplan ${y}`],
        ],
        expected,
      )
    await moveTo(2023, 303)
    expect(await copiesOf(db, 'Avtalstrohet 2022')).toEqual([])
    const [copy] = await copiesOf(db, 'Avtalstrohet 2023')
    expect(copy?.planId).toBe(planId)

    // The committee decides a measure under the 2023 copy: moving the plan to 2024 would take it away.
    const unit = await db
      .selectFrom('owner_unit')
      .select('id')
      .where('name', '=', 'HR-avdelningen')
      .executeTakeFirstOrThrow()
    await submitForm(
      secretary,
      `/planer/${planId}/atgarder/ny?risk=${copy?.riskId}`,
      { riskId: String(copy?.riskId), title: 'Följ upp avtalen', ownerUnitId: String(unit.id), status: 'not_started' },
      303,
    )
    const refused = html((await moveTo(2024, 400)).text)
    expect(refused('#field-year-error').text()).toContain(
      'Året kan inte ändras: planen har eget arbete under den kommungemensamma posten ”Avtalstrohet 2023” (1 åtgärd)',
    )
    expect(refused('#field-year').val()).toBe('2024')
    const plan = await db.selectFrom('plan').select('year').where('id', '=', planId).executeTakeFirstOrThrow()
    expect(plan.year).toBe(2023)
    expect((await copiesOf(db, 'Avtalstrohet 2023')).map((c) => c.planId)).toEqual([planId])
    await verifies(db)
  })

  it('has the database refuse a second copy of an item in one plan', async () => {
    const { db } = await world()
    const copy = await db
      .selectFrom('risk')
      .selectAll()
      .where('municipal_item_id', 'is not', null)
      .executeTakeFirstOrThrow()
    const { id: _id, ...row } = copy
    // SQLite says "UNIQUE constraint failed", PostgreSQL "duplicate key value violates unique constraint".
    await expect(
      db
        .insertInto('risk')
        .values({ ...row, position: row.position + 100 })
        .execute(),
    ).rejects.toThrow(/UNIQUE constraint failed|violates unique constraint/)
    // The committee's own risks, with no item, are not concerned.
    const own = { ...row, municipal_item_id: null, scope: 'committee' as const }
    await db
      .insertInto('risk')
      .values([
        { ...own, position: 201 },
        { ...own, position: 202 },
      ])
      .execute()
  })

  it('turns a review into a risk and back, its copies following, and logs the change in words', async () => {
    const { db, agent, items, committee } = await world()
    const preschool = [committee('Förskolenämnden')]
    const itemPage = String(
      (await postForm(agent, `${items}/ny`, reviewFields('Representation', preschool), 303)).headers.location,
    )
    const asRisk: [string, string][] = [
      ['kind', 'risk'],
      ['title', 'Representation'],
      ['description', ''],
      ['treatment', 'monitor'],
      ['diaryNumber', 'KS 2021/0099'],
      ['committees', String(preschool[0])],
    ]
    await postForm(agent, `${itemPage}/redigera`, asRisk, 303)
    const [risk] = await copiesOf(db, 'Representation')
    expect(risk).toMatchObject({ reviewId: null, description: '' })
    expect(
      (
        await db
          .selectFrom('risk')
          .select('treatment')
          .where('id', '=', risk?.riskId as number)
          .executeTakeFirst()
      )?.treatment,
    ).toBe('monitor')
    // In the plan, a risk that is not reviewed is still marked as kommunstyrelsen's.
    const plan = html((await agent.get(`/planer/${risk?.planId}`).expect(200)).text)
    const meta = plan('article.risk')
      .filter((_, e) => plan(e).find('h3').text().includes('Representation'))
      .find('.meta')
      .text()
    expect(meta).toContain('Bevakning · Kommungemensam')
    const page = html((await agent.get(itemPage).expect(200)).text)
    expect(page('.record-history').text().replace(/\s+/g, ' ')).toContain('Typ: Granskning → Risk')

    await postForm(agent, `${itemPage}/redigera`, reviewFields('Representation', preschool), 303)
    const [again] = await copiesOf(db, 'Representation')
    expect(again).toMatchObject({ riskId: risk?.riskId, reviewTitle: 'Representation', diary_number: 'KS 2021/0099' })
    await verifies(db)
  })
})
