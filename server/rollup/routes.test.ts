import ExcelJS from 'exceljs'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import type { Db } from '../../db/connection.js'
import { download } from '../../test/helpers/spreadsheets.js'
import { createTestApp, html, logIn, openForm } from '../../test/helpers/test-app.js'
import { listControlsOfPlan } from '../controls/repository.js'
import { insertReportVersion } from '../reports/repository.js'
import { isOverdue, measureStatuses } from '../vocabulary.js'

// The test app's clock stands at 2021-03-15: the demo's plans of "this year" are 2021's.
const today = '2021-03-15'
const year = Number(today.slice(0, 4))

async function rollup() {
  const { agent, db, app } = await createTestApp({ as: 'admin', currentYear: true, today })
  const municipality = await db.selectFrom('municipality').select(['id', 'name']).executeTakeFirstOrThrow()
  const page = (query = '', y = year) => `/kommun/${municipality.id}/${y}${query}`
  return { agent, db, app, municipality, page }
}

/** What the roll-up should say about a plan, counted the slow way: every row read and judged in JavaScript. */
async function expectedFigures(db: Db, planId: number) {
  const measures = await db
    .selectFrom('measure')
    .innerJoin('risk', 'risk.id', 'measure.risk_id')
    .select(['measure.status', 'measure.due_date'])
    .where('risk.plan_id', '=', planId)
    .execute()
  const risks = await db.selectFrom('risk').selectAll().where('plan_id', '=', planId).execute()
  const controls = await listControlsOfPlan(db, planId, today)
  const scores = risks.flatMap((r) =>
    r.likelihood !== null && r.consequence !== null ? [r.likelihood * r.consequence] : [],
  )
  return {
    statuses: measureStatuses.map((s) => String(measures.filter((m) => m.status === s.code).length)),
    overdue: String(measures.filter((m) => isOverdue(m, today)).length),
    total: String(measures.length),
    lights: ['green', 'yellow', 'red'].map((code) => String(controls.filter((c) => c.light.code === code).length)),
    highest: scores.length ? Math.max(...scores) : null,
  }
}

const planOf = (db: Db, committee: string, y = year) =>
  db
    .selectFrom('plan')
    .innerJoin('committee', 'committee.id', 'plan.committee_id')
    .select(['plan.id', 'plan.committee_id', 'plan.adopted_meeting_date', 'plan.adopted_minutes_paragraph'])
    .where('committee.name', '=', committee)
    .where('plan.year', '=', y)
    .executeTakeFirstOrThrow()

const cellTexts = ($: ReturnType<typeof html>, row: ReturnType<ReturnType<typeof html>>, selector: string) =>
  row
    .find(selector)
    .map((_, td) => $(td).text().replace(/\s+/g, ' ').trim())
    .get()

describe('the roll-up of a municipality', () => {
  it('counts again once a measure is changed in the app, though it keeps its figures until then', async () => {
    const { agent, db, app, page } = await rollup()
    const plan = await planOf(db, 'Grundskolenämnden')
    const statusesShown = async () => {
      const $ = html((await agent.get(page()).expect(200)).text)
      const row = $(`table.rollup--measures tr[data-committee="${plan.committee_id}"]`)
      return cellTexts($, row, 'td[data-status]').map((t) => t.split(' ')[0])
    }
    const before = await statusesShown()
    expect(before).toEqual((await expectedFigures(db, plan.id)).statuses)
    const measure = await db
      .selectFrom('measure')
      .innerJoin('risk', 'risk.id', 'measure.risk_id')
      .select(['measure.id', 'measure.status'])
      .where('risk.plan_id', '=', plan.id)
      .where('measure.status', '!=', 'cancelled')
      .executeTakeFirstOrThrow()
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    const form = await openForm(secretary, `/planer/${plan.id}/atgarder/${measure.id}/uppdatera`)
    expect((await form.post({ status: 'cancelled' })).status).toBe(303)
    const after = await statusesShown()
    expect(after).toEqual((await expectedFigures(db, plan.id)).statuses)
    expect(after).not.toEqual(before)
  })

  it('shows one row per committee with its plan’s adoption, report, measures, lights and highest risk, counted as the plans count them', async () => {
    const { agent, db, municipality, page } = await rollup()
    const $ = html((await agent.get(page()).expect(200)).text)
    expect($('h1').text()).toBe(`Sammanställning av intern kontroll ${year} – ${municipality.name}`)
    expect($('nav.breadcrumbs a').first().attr('href')).toBe('/')
    expect($(`a[href="${page('', year - 1)}"]`).text()).toContain(String(year - 1))
    expect($(`a[href="${page('', year + 1)}"]`).text()).toContain(String(year + 1))

    const rows = $('table.rollup--plans tbody tr')
    expect(
      rows
        .find('th[scope="row"]')
        .map((_, th) => $(th).text().replace(/\s+/g, ' ').trim())
        .get(),
    ).toEqual([
      'Förskolenämnden Nämnd · Förskoleförvaltningen',
      'Grundskolenämnden Nämnd · Grundskoleförvaltningen',
      'Malmö Stadsfastigheter AB Kommunalt bolag · Malmö Stadsfastigheter AB',
    ])

    for (const committee of ['Förskolenämnden', 'Grundskolenämnden', 'Malmö Stadsfastigheter AB']) {
      const plan = await planOf(db, committee)
      const row = $(`table.rollup--plans tr[data-committee="${plan.committee_id}"]`)
      const measureRow = $(`table.rollup--measures tr[data-committee="${plan.committee_id}"]`)
      const want = await expectedFigures(db, plan.id)
      expect(measureRow.find('th[scope="row"]').text()).toBe(committee)
      expect(cellTexts($, measureRow, 'td[data-status]').map((t) => t.split(' ')[0])).toEqual(want.statuses)
      expect(measureRow.find('td.overdue').text().trim().split(' ')[0]).toBe(want.overdue)
      expect(measureRow.find('td.total').text().trim().split(' ')[0]).toBe(want.total)
      if (want.lights.every((n) => n === '0')) expect(row.find('td.no-controls').text()).toBe('Inga kontrollmoment')
      else expect(cellTexts($, row, 'td[data-light]').map((t) => t.split(' ')[0])).toEqual(want.lights)
      if (want.highest === null) expect(row.find('td.highest').text()).toContain('Ingen risk bedömd')
      else expect(row.find('td.highest .band').text()).toMatch(new RegExp(`^${want.highest} (Låg|Medel|Hög)$`))
      // Adopted: date and § linked to the plan, or not yet.
      const adopted = row.find('td.adopted a')
      expect(adopted.attr('href')).toBe(`/planer/${plan.id}`)
      if (plan.adopted_meeting_date)
        expect(adopted.text()).toContain(`${plan.adopted_meeting_date}, §${plan.adopted_minutes_paragraph}`)
      else expect(adopted.text()).toContain('Inte antagen')
      expect(row.find('td.report').text().trim()).toBe('Inte fastställd')
    }

    // The demo's Förskolenämnden keeps its plan through controls, one of them overdue (red) by mid-March.
    const preschool = await planOf(db, 'Förskolenämnden')
    const preschoolRow = $(`table.rollup--plans tr[data-committee="${preschool.committee_id}"]`)
    expect(preschoolRow.find('td[data-light="red"]').text()).toMatch(/^[1-9]/)
    // Each light's count links to the control list showing that light alone.
    for (const code of ['green', 'yellow', 'red'])
      expect(preschoolRow.find(`td[data-light="${code}"] a`).attr('href')).toBe(
        `/planer/${preschool.id}/kontroller?ljus=${code}`,
      )
    // Each count links to the measure list it counts.
    const school = await planOf(db, 'Grundskolenämnden')
    const schoolRow = $(`table.rollup--measures tr[data-committee="${school.committee_id}"]`)
    const counted = schoolRow.find('td[data-status] a').first()
    expect(counted.attr('href')).toMatch(new RegExp(`^/planer/${school.id}/atgarder\\?status=\\w+$`))
    if (schoolRow.find('td.overdue a').length)
      expect(schoolRow.find('td.overdue a').attr('href')).toBe(`/planer/${school.id}/atgarder?forsenade=ja`)
  })

  it('shows the latest final report of a plan with its date and version, linked to it', async () => {
    const { agent, db, page } = await rollup()
    const plan = await planOf(db, 'Grundskolenämnden')
    const version = (n: number, at: string) =>
      insertReportVersion(db, {
        planId: plan.id,
        versionNumber: n,
        fileName: `Uppföljning (version ${n}).pdf`,
        pdf: new TextEncoder().encode('%PDF-1.7'),
        createdAt: at,
        createdBy: 'Sara Sekreterare',
      })
    await version(1, '2021-02-01T09:00:00Z')
    // Made final at 00:30 Swedish time: the report is of 2 March, not of the UTC date.
    const latest = await version(2, '2021-03-01T23:30:00Z')
    const $ = html((await agent.get(page()).expect(200)).text)
    const report = $(`table.rollup--plans tr[data-committee="${plan.committee_id}"] td.report a`)
    expect(report.attr('href')).toBe(`/planer/${plan.id}/rapport/versioner/${latest.id}`)
    expect(report.text()).toContain('2021-03-02, version 2')
  })

  it('says which committees have no plan for a year', async () => {
    const { agent, page } = await rollup()
    const $ = html((await agent.get(page('', 2019)).expect(200)).text)
    for (const table of ['table.rollup--plans', 'table.rollup--measures'])
      expect(
        $(`${table} td.no-plan`)
          .map((_, td) => $(td).text())
          .get(),
      ).toEqual(['Ingen plan för 2019', 'Ingen plan för 2019', 'Ingen plan för 2019'])
  })

  it('counts the risks of every plan of the year per cell of a combined matrix', async () => {
    const { agent, db, page } = await rollup()
    const risks = await db
      .selectFrom('risk')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .select(['risk.likelihood', 'risk.consequence'])
      .where('plan.year', '=', year)
      .execute()
    const $ = html((await agent.get(page()).expect(200)).text)
    const matrix = $('table.rollup-matrix')
    expect(matrix.find('thead th')).toHaveLength(5)
    expect(matrix.find('tbody th[scope="row"]').first().text()).toBe('4 Sannolik')
    let seen = 0
    for (const l of [1, 2, 3, 4])
      for (const c of [1, 2, 3, 4]) {
        const n = risks.filter((r) => r.likelihood === l && r.consequence === c).length
        seen += n
        const cell = matrix.find(`td[data-likelihood="${l}"][data-consequence="${c}"]`)
        expect(cell.find('.count').contents().first().text()).toBe(`${n} ${n === 1 ? 'risk' : 'risker'}`)
        expect(cell.find('.band').attr('class')).toContain(
          l * c <= 4 ? 'band--low' : l * c <= 8 ? 'band--medium' : 'band--high',
        )
      }
    expect(seen).toBeGreaterThan(0)
    expect($('.matrix-totals').text()).toContain(`${seen} bedömda risker`)
  })

  it('links a matrix cell to the risks behind its count, of every committee and company', async () => {
    const { agent, db, municipality, page } = await rollup()
    // Names whose Swedish order (Å before Ä) is not their byte order (Ä before Å).
    for (const [from, to] of [
      ['Förskolenämnden', 'Äldrenämnden'],
      ['Grundskolenämnden', 'Åtgärdsnämnden'],
    ] as const)
      await db.updateTable('committee').set({ name: to }).where('name', '=', from).execute()
    const risks = await db
      .selectFrom('risk')
      .innerJoin('plan', 'plan.id', 'risk.plan_id')
      .innerJoin('committee', 'committee.id', 'plan.committee_id')
      .select(['risk.id', 'risk.title', 'risk.likelihood', 'risk.consequence', 'plan.id as planId', 'committee.name'])
      .where('plan.year', '=', year)
      .where('committee.municipality_id', '=', municipality.id)
      .execute()
    const $ = html((await agent.get(page()).expect(200)).text)
    const counts = new Map<string, typeof risks>()
    for (const r of risks) {
      if (r.likelihood === null || r.consequence === null) continue
      const key = `${r.likelihood}/${r.consequence}`
      counts.set(key, [...(counts.get(key) ?? []), r])
    }
    // The cell with risks of the most plans.
    const plansIn = (rs: typeof risks) => new Set(rs.map((r) => r.planId)).size
    const [key, inCell] = [...counts].sort((a, b) => plansIn(b[1]) - plansIn(a[1]))[0] ?? ['', []]
    expect(plansIn(inCell)).toBeGreaterThan(1)
    const [l, c] = key.split('/')
    const link = $(`table.rollup-matrix td[data-likelihood="${l}"][data-consequence="${c}"] a`)
    expect(link.attr('href')).toBe(page(`/risker/${l}/${c}`))
    const cell = html((await agent.get(page(`/risker/${l}/${c}`)).expect(200)).text)
    expect(cell('h1').text()).toBe(`Risker med sannolikhet ${l} och konsekvens ${c} – ${municipality.name} ${year}`)
    const listed = cell('table.cell-risks tbody a')
      .map((_, a) => `${cell(a).attr('href')} ${cell(a).text()}`)
      .get()
      .sort()
    expect(listed).toEqual(inCell.map((r) => `/planer/${r.planId}/risker/${r.id} ${r.title}`).sort())
    // Committees and companies in Swedish order, as everywhere else.
    const committees = cell('table.cell-risks tbody td:first-child')
      .map((_, td) => cell(td).contents().first().text().trim())
      .get()
    expect(committees).toEqual([...committees].sort(new Intl.Collator('sv-SE').compare))
    expect(committees.indexOf('Åtgärdsnämnden')).toBeLessThan(committees.indexOf('Äldrenämnden'))
    expect(committees.indexOf('Åtgärdsnämnden')).toBeGreaterThanOrEqual(0)
    // A filter that is not valid: the roll-up and its error, as for the page itself.
    const refused = html((await agent.get(page(`/risker/${l}/${c}?forvaltning=abc`)).expect(400)).text)
    expect(refused('.error-summary').text()).toContain('Välj en förvaltning i listan.')
    // An empty cell shows no link; a cell outside the scale is no page.
    expect($('table.rollup-matrix td .count:not(a)').first().text()).toBe('0 risker')
    await agent.get(page('/risker/5/1')).expect(404)
    await agent.get(page('/risker/0/2')).expect(404)
  })

  it('filters by administration, keeps the filter in the export link and the year links, and refuses an unknown one', async () => {
    const { agent, db, page } = await rollup()
    const preschool = await db
      .selectFrom('administration')
      .select('id')
      .where('name', '=', 'Förskoleförvaltningen')
      .executeTakeFirstOrThrow()
    const $ = html((await agent.get(page(`?forvaltning=${preschool.id}`)).expect(200)).text)
    expect($('table.rollup--plans tbody th[scope="row"]').text()).toContain('Förskolenämnden')
    expect($('table.rollup--plans tbody tr')).toHaveLength(1)
    expect($('table.rollup--measures tbody tr')).toHaveLength(1)
    expect($('#field-forvaltning option[selected]').text()).toBe('Förskoleförvaltningen')
    expect($('a[href*="/exportera/xlsx"]').attr('href')).toBe(page(`/exportera/xlsx?forvaltning=${preschool.id}`))
    expect($(`a[href="${page(`?forvaltning=${preschool.id}`, year + 1)}"]`)).toHaveLength(1)

    for (const bad of ['999999', 'abc']) {
      const refused = html((await agent.get(page(`?forvaltning=${bad}`)).expect(400)).text)
      expect(refused('.error-summary').text()).toContain('Välj en förvaltning i listan.')
      expect(refused('table.rollup')).toHaveLength(0)
    }
  })

  it('is the administrator’s and the coordinator’s: a secretary is refused, an unknown municipality or year is not found', async () => {
    const { app, municipality, page, agent } = await rollup()
    const secretary = supertest.agent(app)
    await logIn(secretary, 'sekreterare')
    await secretary.get(page()).expect(403)
    await secretary.get(page('/exportera/xlsx')).expect(403)
    const missing = html((await agent.get('/kommun/999999/2021').expect(404)).text)
    expect(missing('h1').text()).toBe('Kommunen finns inte')
    await agent.get('/kommun/abc/2021').expect(404)
    for (const y of ['21', '20211', '2021a', '0999']) {
      const notFound = html((await agent.get(`/kommun/${municipality.id}/${y}`).expect(404)).text)
      expect(notFound('h1').text()).toBe('Sammanställningen för det året finns inte')
    }
  })

  it('lets the municipality’s coordinator in, and lists a company (bolag) after the committees', async () => {
    const { app, db, municipality, page } = await rollup()
    const reader = await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'lasare@demo.internkontroll.se')
      .executeTakeFirstOrThrow()
    await db.insertInto('municipality_role').values({ user_id: reader.id, municipality_id: municipality.id }).execute()
    await db.updateTable('committee').set({ kind: 'company' }).where('name', '=', 'Förskolenämnden').execute()
    const coordinator = supertest.agent(app)
    await logIn(coordinator, 'lasare')
    const $ = html((await coordinator.get(page()).expect(200)).text)
    expect(
      $('table.rollup tbody th[scope="row"] .caption')
        .map((_, c) => $(c).text())
        .get(),
    ).toEqual([
      'Nämnd · Grundskoleförvaltningen',
      'Kommunalt bolag · Förskoleförvaltningen',
      'Kommunalt bolag · Malmö Stadsfastigheter AB',
    ])
  })

  it('exports the same rows and the matrix to Excel, with Swedish headers and the municipality in the file name', async () => {
    const { agent, db, municipality, page } = await rollup()
    const response = await agent.get(page('/exportera/xlsx')).expect(200)
    expect(response.headers['content-type']).toContain('spreadsheetml')
    expect(decodeURIComponent(String(response.headers['content-disposition']))).toContain(
      `Sammanställning intern kontroll ${municipality.name} ${year}.xlsx`,
    )
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load((await download(agent, page('/exportera/xlsx'))) as unknown as ExcelJS.Buffer)
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Sammanställning', 'Riskmatris'])
    const sheet = workbook.getWorksheet('Sammanställning') as ExcelJS.Worksheet
    const headers = (sheet.getRow(1).values as unknown[]).slice(1)
    expect(headers.slice(0, 8)).toEqual([
      'Nämnd eller bolag',
      'Typ',
      'Förvaltning',
      'Plan',
      'Plan antagen',
      'Protokoll §',
      'Uppföljning fastställd',
      'Uppföljningens version',
    ])
    expect(headers).toContain('Åtgärder: Ej påbörjad')
    expect(headers).toContain('Högsta riskvärde')
    // A header row, the two committees and the demo's company, listed after them.
    expect(sheet.rowCount).toBe(4)
    expect((sheet.getRow(4).values as unknown[]).slice(1, 4)).toEqual([
      'Malmö Stadsfastigheter AB',
      'Kommunalt bolag',
      'Malmö Stadsfastigheter AB',
    ])
    // The Typ column is wide enough for its longest word.
    expect(sheet.getColumn(2).width).toBeGreaterThanOrEqual('Kommunalt bolag'.length)
    const school = await planOf(db, 'Grundskolenämnden')
    const want = await expectedFigures(db, school.id)
    const row = (sheet.getRow(3).values as unknown[]).slice(1)
    expect(row.slice(0, 3)).toEqual(['Grundskolenämnden', 'Nämnd', 'Grundskoleförvaltningen'])
    const column = (header: string) => row[headers.indexOf(header)]
    expect(measureStatuses.map((s) => String(column(`Åtgärder: ${s.label}`)))).toEqual(want.statuses)
    expect(String(column('Åtgärder: Försenade'))).toBe(want.overdue)
    expect(column('Högsta riskvärde') ?? null).toBe(want.highest)

    // The filter narrows the export too.
    const preschool = await db
      .selectFrom('administration')
      .select('id')
      .where('name', '=', 'Förskoleförvaltningen')
      .executeTakeFirstOrThrow()
    const filtered = new ExcelJS.Workbook()
    await filtered.xlsx.load(
      (await download(agent, page(`/exportera/xlsx?forvaltning=${preschool.id}`))) as unknown as ExcelJS.Buffer,
    )
    const only = filtered.getWorksheet('Sammanställning') as ExcelJS.Worksheet
    expect(only.rowCount).toBe(2)
    expect((only.getRow(2).values as unknown[])[1]).toBe('Förskolenämnden')
    await agent.get(page('/exportera/xlsx?forvaltning=abc')).expect(400)
  })
})
