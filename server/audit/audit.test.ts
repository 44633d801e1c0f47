import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { migrateToLatest, openDatabase } from '../../db/connection.js'
import { demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, submitForm } from '../../test/helpers/test-app.js'
import { firstBrokenEvent } from './chain.js'
import { type Actor, listEvents, recordEvent } from './repository.js'

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
    await submitForm(hr, page, { status: 'in_progress' }, 303, `${page}/status`)
    const risk = (await demoPlan(db)).risks[5] as { id: number; title: string }
    await submitForm(agent, `/planer/${planId}/risker/${risk.id}/ta-bort`, {}, 303)

    const events = await listEvents(db)
    // Deleting the risk also records the development area it unlinked (Landskrona's, in the demo), the two
    // measures it took with it and the review it unlinked.
    expect(events.map((e) => [e.user_name, e.action, e.entity])).toEqual([
      ['Sara Sekreterare', 'update', 'measure'],
      ['Hanna Holm', 'update', 'measure'],
      ['Sara Sekreterare', 'update', 'development_area'],
      ['Sara Sekreterare', 'delete', 'measure'],
      ['Sara Sekreterare', 'delete', 'measure'],
      ['Sara Sekreterare', 'update', 'review'],
      ['Sara Sekreterare', 'delete', 'risk'],
    ])
    const [edit, status, area, , , unlinked, removal] = events
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
    expect(firstBrokenEvent(events)).toBeUndefined()

    const shown = html((await agent.get(page).expect(200)).text)
    const rows = shown('h2:contains("Ändringshistorik") + table tbody tr')
    expect(rows.first().text()).toContain('Hanna Holm')
    expect(rows.first().find('.field-changes li').text()).toBe('Status: Genomförd → Pågående')
    expect(rows.last().find('.field-changes li').text()).toBe(
      `Rubrik: ${measure.title} → Informationsinsats, reviderad`,
    )
  })

  it('lets the secretary search the log', async () => {
    const { agent, db } = await createTestApp()
    const { page } = await hrMeasure(db)
    await submitForm(agent, page, { status: 'cancelled' }, 303, `${page}/status`)
    const found = html((await agent.get('/logg?q=Sara&typ=measure').expect(200)).text)
    expect(found('tbody tr')).toHaveLength(1)
    expect(found('tbody tr').text()).toContain('Ändrad: Åtgärd')
    const none = html((await agent.get('/logg?q=Ingen+sådan').expect(200)).text)
    expect(none('main').text()).toContain('Inga ändringar hittades.')
  })

  it('shows the secretary the changes to their committee’s inspections, which belong to no plan', async () => {
    const { agent, db } = await createTestApp()
    const area = await db.selectFrom('development_area').select(['id', 'inspection_id']).executeTakeFirstOrThrow()
    const areaPage = `/externa-granskningar/${area.inspection_id}/omraden/${area.id}`
    const risk = (await demoPlan(db)).risks[0] as { id: number; title: string }
    await submitForm(agent, areaPage, { riskId: String(risk.id) }, 303, `${areaPage}/risker`)
    const found = html((await agent.get('/logg?typ=development_area').expect(200)).text)
    expect(found('tbody tr')).toHaveLength(1)
    expect(found('tbody tr td').eq(3).text().trim()).toBe(`Kopplade risker: tillagd ${risk.title}`)
    expect(found('tbody tr a').attr('href')).toBe(`/externa-granskningar/${area.inspection_id}`)
    // Nobody outside the committee's secretaries and the administrator sees them.
    const reader = await createTestApp({ as: 'lasare' })
    await reader.agent.get('/logg').expect(403)
  })

  it('finds the first row that was altered or removed', async () => {
    const { db } = await createTestApp({ as: null })
    const actor: Actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    for (const id of [1, 2, 3, 4]) {
      await recordEvent(db, actor, {
        action: 'update',
        entity: 'risk',
        entityId: id,
        planId: 1,
        committeeId: null,
        before: { id },
        after: { id },
      })
    }
    expect(firstBrokenEvent(await listEvents(db))).toBeUndefined()
    await db.updateTable('audit_event').set({ after: '{"id":99}' }).where('id', '=', 3).execute()
    expect(firstBrokenEvent(await listEvents(db))).toEqual({ id: 3, reason: 'its contents were altered' })
    await db.deleteFrom('audit_event').where('id', '=', 3).execute()
    expect(firstBrokenEvent(await listEvents(db))).toEqual({ id: 4, reason: 'row 3 is missing' })
  })
})

describe('npm run audit:verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-audit-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports an intact log, and the row changed directly in the database', async () => {
    const file = join(dir, 'ik.sqlite')
    const db = openDatabase(file)
    await migrateToLatest(db)
    const actor: Actor = { userId: null, userName: 'Test', at: '2021-03-15T09:00:00Z' }
    for (const id of [1, 2]) {
      await recordEvent(db, actor, {
        action: 'create',
        entity: 'risk',
        entityId: id,
        planId: 1,
        committeeId: null,
        before: null,
        after: { id },
      })
    }
    const verify = () =>
      promisify(execFile)('node_modules/.bin/tsx', ['scripts/verify-audit.ts'], {
        env: { ...process.env, DATABASE_FILE: file, NODE_ENV: 'test' },
      })
    expect((await verify()).stdout).toContain('is intact: 2 rows')
    await db.updateTable('audit_event').set({ user_name: 'Någon annan' }).where('id', '=', 2).execute()
    await db.destroy()
    const failed = await verify().catch((error: { code: number; stderr: string }) => error)
    expect(failed).toMatchObject({ code: 1 })
    expect((failed as { stderr: string }).stderr).toContain('is broken at row 2: its contents were altered')
  })
})
