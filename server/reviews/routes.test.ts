import { describe, expect, it } from 'vitest'
import { demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'
import { grantCommitteeRole } from '../auth/repository.js'
import { ensureOrganisation } from '../organisation/repository.js'
import { insertPlan } from '../plans/repository.js'

describe('review pages', () => {
  it('lists the eight reviews with diary number, meeting date and §, in report order', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const $ = html((await agent.get(`/planer/${planId}/granskningar`).expect(200)).text)
    const rows = $('tbody tr')
    expect(rows).toHaveLength(8)
    const first = rows
      .first()
      .find('td')
      .map((_, e) => $(e).text().trim())
      .get()
    expect(first.slice(0, 5)).toEqual([
      'GRF-2020-11639',
      'Uppföljning av internkontrollplan 2020 - Försent betalda leverantörsfakturor',
      '2020-06-16',
      '§95',
      'Ingen risk kopplad',
    ])
    const secrecy = rows.filter((_, e) => $(e).text().includes('GRF-2020-11653'))
    expect(secrecy.text()).toContain('2020-09-23')
    expect(secrecy.text()).toContain('§137')
    expect(secrecy.find('a').first().text()).toBe('Röjande av sekretess')
  })

  it('shows the administration diary prefix as a hint and registers a review linked to a risk', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const form = html((await agent.get(`/planer/${planId}/granskningar/ny`).expect(200)).text)
    expect(form('#field-diaryNumber').val()).toBe('')
    expect(form('#field-diaryNumber-hint').text()).toContain('Börjar oftast med GRF-2020-.')
    await submitForm(
      agent,
      `/planer/${planId}/granskningar/ny`,
      {
        diaryNumber: 'GRF-2020-12000',
        title: 'Granskning av attestrutiner',
        meetingDate: '2020-12-18',
        minutesParagraph: '194',
        riskId: String(risks[1]?.id),
      },
      303,
    )
    const $ = html((await agent.get(`/planer/${planId}/granskningar`).expect(200)).text)
    expect($('tbody tr').last().text()).toContain('GRF-2020-12000')
    const risk = html((await agent.get(`/planer/${planId}/risker/${risks[1]?.id}`).expect(200)).text)
    expect(risk('.summary-list').text()).toContain(
      'GRF-2020-12000 Granskning av attestrutiner. Sammanträde 2020-12-18, protokoll §194.',
    )
  })

  it('stores a full number pasted after its own prefix once, and lands on the list without a doubt', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const fields = { diaryNumber: 'GRF-2020-GRF-2020-00999', title: 'Granskning av delegationsbeslut' }
    const saved = await submitForm(agent, `/planer/${planId}/granskningar/ny`, fields, 303)
    const stored = await db.selectFrom('review').select('diary_number').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(stored.diary_number).toBe('GRF-2020-00999')
    const $ = html((await agent.get(saved.headers.location as string).expect(200)).text)
    expect($('tbody').text()).toContain('GRF-2020-00999')
    expect($('tbody').text()).not.toContain('GRF-2020-GRF')
    expect($('.warning').length).toBe(0)
  })

  it('saves a number of another prefix or year, and says so on the page the secretary lands on', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const lastYear = { diaryNumber: 'GRF-2019-00999', title: 'Granskning av delegationsbeslut', meetingDate: '' }
    let landed = await submitForm(agent, `/planer/${planId}/granskningar/ny`, lastYear, 303)
    let $ = html((await agent.get(landed.headers.location as string).expect(200)).text)
    expect($('.notice').text()).toBe('Granskningen är tillagd.')
    expect($('.warning').text()).toContain('Diarienumret GRF-2019-00999 är från 2019, men planen gäller 2020.')
    const id = (await db.selectFrom('review').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id
    expect($('.warning a').attr('href')).toBe(`/planer/${planId}/granskningar/${id}/redigera`)
    // A review decided early in the year after may carry that year's number.
    const decidedNextYear = { ...lastYear, diaryNumber: 'GRF-2021-00012', meetingDate: '2021-02-10' }
    landed = await submitForm(agent, `/planer/${planId}/granskningar/${id}/redigera`, decidedNextYear, 303)
    expect(html((await agent.get(landed.headers.location as string).expect(200)).text)('.warning').length).toBe(0)
    const otherPrefix = { ...decidedNextYear, diaryNumber: 'SOC-2020-00012' }
    landed = await submitForm(agent, `/planer/${planId}/granskningar/${id}/redigera`, otherPrefix, 303)
    $ = html((await agent.get(landed.headers.location as string).expect(200)).text)
    expect($('.warning').text()).toContain('Diarienumret SOC-2020-00012 börjar inte med förvaltningens prefix GRF.')
    expect(await db.selectFrom('review').select('diary_number').where('id', '=', id).executeTakeFirst()).toEqual({
      diary_number: 'SOC-2020-00012',
    })
  })

  it("gives another committee's form its own prefix and year as hints, never the demo's numbers", async () => {
    const { agent, db } = await createTestApp()
    const actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    const committeeId = await ensureOrganisation(db, actor, {
      municipality: 'Malmö stad',
      administration: 'Sociala resursförvaltningen',
      diaryPrefix: 'SOC',
      committee: 'Sociala resursnämnden',
      units: [],
    })
    const planId = await insertPlan(db, {
      committee_id: committeeId,
      year: 2021,
      title: 'Internkontrollplan 2021',
      introduction: '',
      measures_introduction: '',
      adopted_meeting_date: null,
      adopted_minutes_paragraph: null,
    })
    const secretary = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'sekreterare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    await grantCommitteeRole(db, secretary.id, committeeId, 'secretary')
    const form = await submitForm(agent, `/planer/${planId}/granskningar/ny`, { diaryNumber: '', title: '' }, 400)
    const $ = html(form.text)
    expect($('#field-diaryNumber-hint').text()).toContain('Börjar oftast med SOC-2021-.')
    // The meeting date is the browser's date field: no example date to mislead.
    expect($('#field-meetingDate').attr('type')).toBe('date')
    expect($('#field-meetingDate-hint')).toHaveLength(0)
    expect($('#field-diaryNumber-error').text()).toContain('Ange granskningens diarienummer.')
    expect($('main').text()).not.toMatch(/GRF|2020-/)
  })

  it('refuses a risk from outside the plan and a paragraph that is not a number', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const fields = { diaryNumber: 'GRF-2020-1', title: 'X', meetingDate: '', minutesParagraph: 'sju', riskId: '9999' }
    const $ = html((await submitForm(agent, `/planer/${planId}/granskningar/ny`, fields, 400)).text)
    expect($('#field-minutesParagraph-error').text()).toContain('Ange paragrafen som ett heltal')
    const withRisk = { ...fields, minutesParagraph: '' }
    const again = html((await submitForm(agent, `/planer/${planId}/granskningar/ny`, withRisk, 400)).text)
    expect(again('#field-riskId-error').text()).toContain('Välj en risk i listan.')
    expect(await db.selectFrom('review').select('id').execute()).toHaveLength(8)
  })

  it('edits, moves and deletes a review', async () => {
    const { agent, db } = await createTestApp()
    const { planId } = await demoPlan(db)
    const reviews = await db.selectFrom('review').select(['id', 'diary_number']).orderBy('position').execute()
    const last = reviews.at(-1) as { id: number }
    await submitForm(
      agent,
      `/planer/${planId}/granskningar/${last.id}/redigera`,
      {
        diaryNumber: 'GRF-2020-11768',
        title: 'Otillåten påverkan, omprövad',
        meetingDate: '2020-10-21',
        minutesParagraph: '§150',
        riskId: '',
      },
      303,
    )
    const list = `/planer/${planId}/granskningar`
    await submitForm(agent, list, { direction: 'up' }, 303, `${list}/${last.id}/flytta`)
    let $ = html((await agent.get(list).expect(200)).text)
    const cells = $('tbody tr')
      .eq(6)
      .find('td')
      .map((_, e) => $(e).text().trim())
      .get()
    expect(cells.slice(0, 5)).toEqual([
      'GRF-2020-11768',
      'Otillåten påverkan, omprövad',
      '2020-10-21',
      '§150',
      'Ingen risk kopplad',
    ])
    await submitForm(agent, `${list}/${last.id}/ta-bort`, {}, 303)
    $ = html((await agent.get(list).expect(200)).text)
    expect($('tbody tr')).toHaveLength(7)
    expect($('tbody').text()).not.toContain('GRF-2020-11768')
  })
})
