import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { aMeasure, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, type TestAgent } from '../../test/helpers/test-app.js'
import { insertOwnerUnit } from '../organisation/repository.js'

// The demo plan on 2021-03-15: 12 measures, none with a due date; Utbildningsområden's "Kompetenshöjande insats"
// is the only one in progress.
async function setup() {
  const app = await createTestApp({ today: '2021-03-15' })
  const demo = await demoPlan(app.db)
  const setDue = async (title: string, due: string, status?: 'not_started' | 'done') => {
    await app.db
      .updateTable('measure')
      .set({ due_date: due, ...(status ? { status } : {}) })
      .where('title', '=', title)
      .execute()
  }
  return { ...app, ...demo, setDue, list: `/planer/${demo.planId}/atgarder` }
}

const kortnytt = 'Informationsinsats till chefer och medarbetare via KortNytt'
const competence = 'Kompetenshöjande insats för skolledare kring elevhälsouppdraget'
const routine =
  'Revidera och tydliggöra delar i förvaltningens Rutin för referenstagning och kontroll av uttag ur belastningsregistret'
const analysis = 'Fördjupad analys och upprättande av handlingsplan'

async function open(agent: TestAgent, path: string, status = 200) {
  const $ = html((await agent.get(path).expect(status)).text)
  return {
    $,
    titles: $('table.measure-list tbody tr td:first-child')
      .map((_, td) => $(td).text().trim())
      .get(),
    count: $('.result-count').text().trim(),
  }
}

describe('the measure list of a plan', () => {
  it('lists every measure in the plan’s order with links, and is linked from the plan page', async () => {
    const { agent, planId, list, db } = await setup()
    const plan = html((await agent.get(`/planer/${planId}`).expect(200)).text)
    expect(plan(`.summary-list a[href="${list}"]`).text()).toBe(
      '12 förbättringsåtgärder att söka, filtrera och sortera',
    )

    const { $, titles, count } = await open(agent, list)
    expect($('h1').text()).toBe('Förbättringsåtgärder i Internkontrollplan 2020')
    expect(count).toBe('Visar 12 av 12 åtgärder.')
    expect(titles).toHaveLength(12)
    expect(titles[0]).toBe(analysis)
    const first = await db.selectFrom('measure').select('id').where('title', '=', analysis).executeTakeFirstOrThrow()
    expect($('table.measure-list tbody tr').first().find('a').attr('href')).toBe(`${list}/${first.id}`)
    expect($('form[method="get"]').attr('action')).toBe(list)
    expect($('form[method="get"] input[name="_csrf"]')).toHaveLength(0)
  })

  it('filters by status and by owner unit, keeping the choice in the form', async () => {
    const { agent, list, unit } = await setup()
    const byStatus = await open(agent, `${list}?status=in_progress`)
    expect(byStatus.titles).toEqual([competence])
    expect(byStatus.count).toBe('Visar 1 av 12 åtgärder.')
    expect(byStatus.$('#field-status option[selected]').val()).toBe('in_progress')

    const hr = unit('HR-avdelningen')
    const byUnit = await open(agent, `${list}?enhet=${hr}`)
    expect(byUnit.titles).toHaveLength(4)
    expect(
      byUnit
        .$('table.measure-list tbody tr td:nth-child(3)')
        .map((_, td) => byUnit.$(td).text())
        .get(),
    ).toEqual(Array(4).fill('HR-avdelningen'))
    expect(byUnit.$('#field-enhet option[selected]').val()).toBe(String(hr))
  })

  it('shows only the overdue measures when asked, marked Försenad; a finished one past its date is not overdue', async () => {
    const { agent, list, setDue } = await setup()
    await setDue(competence, '2021-03-14')
    await setDue(kortnytt, '2021-01-31') // done
    await setDue(routine, '2021-03-15', 'not_started') // due today: not yet late
    const { $, titles } = await open(agent, `${list}?forsenade=ja`)
    expect(titles).toEqual([competence])
    expect($('table.measure-list .tag--overdue').text()).toBe('Försenad')
    expect($('#field-forsenade').attr('checked')).toBeDefined()
  })

  it('searches title, what to do and progress, case-insensitively with Swedish letters', async () => {
    const { agent, list, db, risks, unit } = await setup()
    await aMeasure(db, risks[0]?.id as number, unit('HR-avdelningen'), {
      title: 'Ny kontroll',
      progress: 'Arbetet är ÖVERLÄMNAT till förvaltningsledningen.',
    })
    expect((await open(agent, `${list}?sok=${encodeURIComponent('överlämnat')}`)).titles).toEqual(['Ny kontroll'])
    expect((await open(agent, `${list}?sok=kortnytt`)).titles).toEqual([kortnytt])
    // Every word, wherever it stands.
    const both = await open(agent, `${list}?sok=${encodeURIComponent('ELEVHÄLSOUPPDRAGET skolledare')}`)
    expect(both.titles).toEqual([competence])
    expect(both.$('#field-sok').val()).toBe('ELEVHÄLSOUPPDRAGET skolledare')
  })

  it('sorts by due date, earliest or latest first, those without a date last', async () => {
    const { agent, list, setDue } = await setup()
    await setDue(competence, '2021-06-30')
    await setDue(kortnytt, '2021-01-31')
    await setDue(routine, '2021-04-30')
    const ascending = (await open(agent, `${list}?sortering=klart-senast`)).titles
    expect(ascending.slice(0, 3)).toEqual([kortnytt, routine, competence])
    expect(ascending[3]).toBe(analysis) // then the plan's order
    const descending = await open(agent, `${list}?sortering=klart-senast-fallande`)
    expect(descending.titles.slice(0, 3)).toEqual([competence, routine, kortnytt])
    expect(descending.$('#field-sortering option[selected]').val()).toBe('klart-senast-fallande')
  })

  it('gives the same list to anyone who opens a shared filtered link', async () => {
    const { agent, app, list, unit, setDue } = await setup()
    await setDue(competence, '2021-03-01')
    await setDue(analysis, '2021-02-01', 'not_started')
    const shared = `${list}?status=&enhet=${unit('Utbildningsområden')}&forsenade=ja&sok=insats&sortering=klart-senast`
    const secretary = await open(agent, shared)
    const boardMember = supertest.agent(app)
    await logIn(boardMember, 'lasare')
    const seen = await open(boardMember, shared)
    expect(seen.titles).toEqual([competence])
    expect(seen.titles).toEqual(secretary.titles)
    expect(seen.count).toBe('Visar 1 av 12 åtgärder.')
    expect(seen.$('#field-enhet option[selected]').text()).toBe('Utbildningsområden')
    expect(seen.$('#field-sok').val()).toBe('insats')
    expect(seen.$('#field-forsenade').attr('checked')).toBeDefined()
  })

  it('says so when nothing matches, with a way back to all measures', async () => {
    const { agent, list } = await setup()
    const { $, titles, count } = await open(agent, `${list}?sok=finns-inte`)
    expect(titles).toEqual([])
    expect(count).toBe('Visar 0 av 12 åtgärder.')
    expect($('main p:contains("Inga åtgärder matchar filtret.")').find('a').attr('href')).toBe(list)
  })

  it('lists only this plan’s measures; an empty plan says it has none', async () => {
    const { agent, db, unit } = await setup()
    const planId = await anotherPlan(db)
    const empty = await open(agent, `/planer/${planId}/atgarder`)
    expect(empty.count).toBe('Visar 0 av 0 åtgärder.')
    expect(empty.$('main').text()).toContain('Planen har inga förbättringsåtgärder ännu.')
    const risk = await aRisk(db, planId)
    await aMeasure(db, risk, unit('HR-avdelningen'), { title: 'Bara i 2021' })
    expect((await open(agent, `/planer/${planId}/atgarder`)).titles).toEqual(['Bara i 2021'])
  })

  it('answers invalid values with Swedish messages and the values kept, not a crash', async () => {
    const { agent, list, db } = await setup()
    // A unit of another administration is not one of this plan's.
    const { municipality_id } = await db.selectFrom('committee').select('municipality_id').executeTakeFirstOrThrow()
    const administration = await db
      .insertInto('administration')
      .values({ municipality_id, name: 'Stadsbyggnadsförvaltningen', diary_prefix: 'SBF' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const otherUnit = await db
      .insertInto('owner_unit')
      .values({ administration_id: administration.id, name: 'Bygglovsavdelningen' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const { $, titles } = await open(
      agent,
      `${list}?status=forsenad&enhet=${otherUnit.id}&forsenade=kanske&sok=rutin&sortering=titel`,
      400,
    )
    expect(
      $('.error-summary li')
        .map((_, li) => $(li).text())
        .get(),
    ).toEqual([
      'Välj en status i listan.',
      'Välj en ansvarig enhet i listan.',
      'Kryssa i rutan för att bara visa försenade åtgärder, eller lämna den tom.',
      'Välj en sortering i listan.',
    ])
    expect($('.error-summary a').first().attr('href')).toBe('#field-status')
    expect($('#field-sok').val()).toBe('rutin')
    expect(titles).toEqual([])
    expect($('main').text()).toContain('Rätta filtret ovan för att se åtgärderna.')
    // A parameter given twice, as a hand-made link may.
    const twice = await open(agent, `${list}?status=done&status=cancelled&sok=a&sok=b`, 400)
    expect(
      twice
        .$('.error-summary li')
        .map((_, li) => twice.$(li).text())
        .get(),
    ).toEqual(['Välj en status i listan.', 'Skriv sökorden i rutan, högst 200 tecken.'])
  })
})

describe('the owner units to filter by', () => {
  it('are in Swedish alphabetical order, å, ä and ö after z', async () => {
    const { agent, db, list } = await setup()
    const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
    for (const name of [
      'Överförmyndarenheten',
      'Ärendeenheten',
      'Åtgärdsenheten',
      'Zonenheten',
      'ekonomiavdelningen',
    ]) {
      await insertOwnerUnit(db, administration.id, name)
    }
    const { $ } = await open(agent, list)
    expect(
      $('select[name="enhet"] option')
        .map((_, o) => $(o).text())
        .get()
        .slice(1),
    ).toEqual([
      'ekonomiavdelningen',
      'Grundskolenämnden',
      'HR-avdelningen',
      'Utbildningsområden',
      'Zonenheten',
      'Åtgärdsenheten',
      'Ärendeenheten',
      'Överförmyndarenheten',
    ])
  })
})
