import { describe, expect, it } from 'vitest'
import { demoDataActor } from '../../db/seed/demo.js'
import { demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, openForm, submitForm } from '../../test/helpers/test-app.js'
import { developmentAuditKey } from '../config.js'
import { listEvents, searchEvents } from './repository.js'
import { verifyAudit } from './verify.js'

async function hrMeasure(db: Awaited<ReturnType<typeof createTestApp>>['db']) {
  const { planId, unit } = await demoPlan(db)
  const measure = await db
    .selectFrom('measure')
    .select(['id', 'title'])
    .where('owner_unit_id', '=', unit('HR-avdelningen'))
    .executeTakeFirstOrThrow()
  return { planId, measure, page: `/planer/${planId}/atgarder/${measure.id}` }
}

describe('the audit trail', () => {
  it('records who changed what, before and after, for every change made through the app', async () => {
    const { agent, db, app } = await createTestApp()
    const { planId, measure, page } = await hrMeasure(db)
    const form = html((await agent.get(`${page}/redigera`).expect(200)).text)
    const fields = Object.fromEntries(
      form('main form [name]')
        .map((_, e) => [
          [
            form(e).attr('name'),
            form(e).is('select') ? form(e).find('option[selected]').val() : (form(e).val() ?? form(e).text()),
          ],
        ])
        .get(),
    )
    await submitForm(agent, `${page}/redigera`, { ...fields, title: 'Informationsinsats, reviderad' }, 303)

    const hr = (await import('supertest')).default.agent(app)
    await logIn(hr, 'hr')
    expect((await (await openForm(hr, `${page}/uppdatera`)).post({ status: 'in_progress' })).status).toBe(303)
    const risk = (await demoPlan(db)).risks[5] as { id: number; title: string }
    await submitForm(agent, `/planer/${planId}/risker/${risk.id}/ta-bort`, {}, 303)

    const events = (await listEvents(db)).filter((e) => e.user_name !== demoDataActor)
    // Deleting the risk also records the development area it unlinked (Landskrona's, in the demo), the two
    // measures it took with it and the review it unlinked. Each login is in the log too.
    expect(events.map((e) => [e.user_name, e.action, e.entity])).toEqual([
      ['Sara Sekreterare', 'create', 'login'],
      ['Sara Sekreterare', 'update', 'measure'],
      ['Hanna Holm', 'create', 'login'],
      ['Hanna Holm', 'update', 'measure'],
      ['Sara Sekreterare', 'update', 'development_area'],
      ['Sara Sekreterare', 'delete', 'measure'],
      ['Sara Sekreterare', 'delete', 'measure'],
      ['Sara Sekreterare', 'update', 'review'],
      ['Sara Sekreterare', 'delete', 'risk'],
    ])
    const [, edit, , status, area, , , unlinked, removal] = events
    expect(JSON.parse(unlinked?.after ?? '{}').risk_id).toBeNull()
    expect(JSON.parse(area?.before ?? '{}')).toMatchObject({
      risks: [risk.id],
      measures: [expect.any(Number), expect.any(Number)],
    })
    expect(JSON.parse(area?.after ?? '{}')).toMatchObject({ risks: [], measures: [] })
    expect(area?.committee_id).toEqual(expect.any(Number))
    expect(JSON.parse(edit?.before ?? '{}').title).toBe(measure.title)
    expect(JSON.parse(edit?.after ?? '{}').title).toBe('Informationsinsats, reviderad')
    expect([JSON.parse(status?.before ?? '{}').status, JSON.parse(status?.after ?? '{}').status]).toEqual([
      'done',
      'in_progress',
    ])
    expect(JSON.parse(removal?.before ?? '{}').title).toBe(risk.title)
    expect(removal?.after).toBeNull()
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })

    const shown = html((await agent.get(page).expect(200)).text)
    const rows = shown('h2:contains("Ändringshistorik") + table tbody tr')
    expect(rows.first().text()).toContain('Hanna Holm')
    expect(rows.first().find('.field-changes li').text()).toBe('Status: Genomförd → Pågående')
    expect(rows.eq(1).find('.field-changes li').text()).toBe(`Rubrik: ${measure.title} → Informationsinsats, reviderad`)
    // The demo data's own creation is where each record's history begins.
    expect(rows.last().text()).toContain('Demodata (db:seed)')
    expect(rows.last().text()).toContain('Skapad')
  })

  it('lets the secretary search the log', async () => {
    const { agent, db } = await createTestApp()
    const { page } = await hrMeasure(db)
    expect((await (await openForm(agent, `${page}/uppdatera`)).post({ status: 'cancelled' })).status).toBe(303)
    const found = html((await agent.get('/logg?q=Sara&typ=measure').expect(200)).text)
    expect(found('tbody tr')).toHaveLength(1)
    expect(found('tbody tr').text()).toContain('Ändrad: Åtgärd')
    const none = html((await agent.get('/logg?q=Ingen+sådan').expect(200)).text)
    expect(none('main').text()).toContain('Inga ändringar hittades.')
  })

  it('shows the log 50 rows at a time, every row once, the search kept from page to page', async () => {
    const { agent, db } = await createTestApp()
    const { page } = await hrMeasure(db)
    // Enough changes of one measure for its rows alone to fill more than a page.
    for (const status of Array.from({ length: 45 }, (_, i) => (i % 2 ? 'in_progress' : 'not_started'))) {
      expect((await (await openForm(agent, `${page}/uppdatera`)).post({ status })).status).toBe(303)
    }
    /** Follows *Äldre ändringar* from `first` to the end: each page's rows and links. */
    async function walk(first: string) {
      const pages = []
      for (let path: string | undefined = first; path; ) {
        const $ = html((await agent.get(path).expect(200)).text)
        const link = (text: string) => $(`nav[aria-label="Fler ändringar"] a:contains("${text}")`).attr('href')
        pages.push({ rows: $('tbody tr').length, latest: link('Senaste ändringarna'), path })
        path = link('Äldre ändringar')
      }
      return pages
    }
    const secretary = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', 'like', 'sekreterare@%')
      .executeTakeFirstOrThrow()
    const committee = await db
      .selectFrom('committee_role')
      .select('committee_id')
      .where('user_id', '=', secretary.id)
      .executeTakeFirstOrThrow()
    const count = async (entity: string) =>
      (
        await searchEvents(db, {
          planCommitteeIds: [committee.committee_id],
          committeeIds: [committee.committee_id],
          accounts: false,
          text: '',
          entity,
          limit: 100_000,
        })
      ).length

    // An id out of any row's range (PostgreSQL's integer ends at 2³¹ − 1) or no number shows the latest rows.
    for (const fore of ['3000000000', '0', 'x']) {
      const $ = html((await agent.get(`/logg?fore=${fore}`).expect(200)).text)
      expect($('tbody tr')).toHaveLength(50)
      expect($('nav[aria-label="Fler ändringar"] a:contains("Senaste ändringarna")')).toHaveLength(0)
    }
    for (const [first, entity] of [
      ['/logg', ''],
      ['/logg?typ=measure', 'measure'],
    ] as const) {
      const pages = await walk(first)
      const all = await count(entity)
      expect(all).toBeGreaterThan(50)
      expect(pages.length).toBe(Math.ceil(all / 50))
      expect(pages.slice(0, -1).every((p) => p.rows === 50)).toBe(true)
      expect(pages.reduce((sum, p) => sum + p.rows, 0)).toBe(all)
      expect(pages[0]?.latest).toBeUndefined()
      expect(pages.slice(1).every((p) => p.latest === first)).toBe(true)
      expect(pages.slice(1).every((p) => p.path.startsWith(`${first}${entity ? '&' : '?'}fore=`))).toBe(true)
    }
  })

  it('shows the secretary the changes to their committee’s inspections, which belong to no plan', async () => {
    const { agent, db } = await createTestApp()
    const area = await db.selectFrom('development_area').select(['id', 'inspection_id']).executeTakeFirstOrThrow()
    const areaPage = `/externa-granskningar/${area.inspection_id}/omraden/${area.id}`
    const risk = (await demoPlan(db)).risks[0] as { id: number; title: string }
    await submitForm(agent, areaPage, { riskId: String(risk.id) }, 303, `${areaPage}/risker`)
    const found = html((await agent.get('/logg?typ=development_area&q=Sara').expect(200)).text)
    expect(found('tbody tr')).toHaveLength(1)
    expect(found('tbody tr td').eq(3).text().trim()).toBe(`Kopplade risker: tillagd ${risk.title}`)
    expect(found('tbody tr a').attr('href')).toBe(`/externa-granskningar/${area.inspection_id}`)
    // Nobody outside the committee's secretaries and the administrator sees them.
    const reader = await createTestApp({ as: 'lasare' })
    await reader.agent.get('/logg').expect(403)
  })
})
