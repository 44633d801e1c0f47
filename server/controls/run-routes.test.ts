import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { aControl, anotherPlan, aRisk, demoPlan } from '../../test/helpers/builders.js'
import { createTestApp, html, logIn, submitForm, type TestAgent } from '../../test/helpers/test-app.js'
import { listEvents } from '../audit/repository.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'

/** The demo's 2020 plan seen on 2021-03-15, with a quarterly control of HR-avdelningen's: every occasion is past. */
async function setup(title = 'Kontroll av utdrag ur belastningsregistret') {
  const app = await createTestApp({ today: '2021-03-15' })
  const { planId, risks, unit } = await demoPlan(app.db)
  const risk = risks[0] as { id: number; title: string }
  const controlId = await aControl(app.db, risk.id, unit('HR-avdelningen'), { title })
  const runs = await app.db
    .selectFrom('control_run')
    .selectAll()
    .where('control_id', '=', controlId)
    .orderBy('occasion')
    .execute()
  const run = runs[0] as (typeof runs)[number]
  const page = `/planer/${planId}/kontroller/${controlId}/tillfallen/${run.id}`
  const as = async (login: 'hr' | 'utbildning' | 'lasare' | 'sekreterare') => {
    const agent = supertest.agent(app.app)
    await logIn(agent, login)
    return agent
  }
  return { ...app, planId, risk, unit, controlId, run, page, hr: await as('hr'), as }
}

/** A form's fields as a browser would send them, the checked radio of each group among them. */
async function openForm(agent: TestAgent, path: string) {
  const $ = html((await agent.get(path).expect(200)).text)
  const form = $('main form[method="post"]').last()
  const fields: Record<string, string> = {}
  for (const element of form.find('input[name], select[name], textarea[name]').toArray()) {
    const field = $(element)
    const name = String(field.attr('name'))
    if (field.is('[type="radio"]')) {
      if (field.is('[checked]')) fields[name] = String(field.val())
      else fields[name] ??= ''
    } else if (field.is('select')) fields[name] = String(field.find('option[selected]').val() ?? '')
    else if (field.is('textarea')) fields[name] = field.text()
    else fields[name] = String(field.val() ?? '')
  }
  const action = String(form.attr('action'))
  return {
    $,
    action,
    fields,
    post: (changes: Record<string, string>) =>
      agent
        .post(action)
        .type('form')
        .send({ ...fields, ...changes }),
  }
}

const aReport = {
  result: 'no_remarks',
  performed_on: '2021-03-10',
  performed_by: 'Hanna Holm',
  population: 'Anställningar januari–mars',
  population_size: '120',
  sample_size: '12',
  sampling: 'random',
  checked_count: '12',
  deviation_count: '0',
  comment: 'Alla utdrag fanns.',
}

const errorsOf = (text: string) => {
  const $ = html(text)
  return Object.fromEntries(
    $('.field-error')
      .toArray()
      .map((e) => [
        String($(e).attr('id')).replace(/^field-(.*)-error$/, '$1'),
        $(e).text().replace('Fel:', '').trim(),
      ]),
  )
}

const runRow = (db: Awaited<ReturnType<typeof setup>>['db'], id: number) =>
  db.selectFrom('control_run').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('a control run', () => {
  it('is reported by the control’s owner unit; the app sets the day it was reported and keeps it', async () => {
    const { hr, db, page, run, advance, planId, controlId, as } = await setup()
    const unreported = html((await hr.get(page).expect(200)).text)
    expect(unreported('h1').text()).toBe('Kontrolltillfälle 1: Kontroll av utdrag ur belastningsregistret')
    expect(unreported('.caption a').attr('href')).toBe(`/planer/${planId}/kontroller/${controlId}`)
    expect(unreported('.summary-list').text()).toContain(run.planned_date)
    expect(unreported('.summary-list .tag').text()).toBe('Försenat')
    // The state wears a tag of its own: a measure status's colours say nothing of an occasion.
    expect(unreported('.summary-list .tag').attr('class')).toBe('tag run-state--overdue')
    expect(unreported(`a[href="${page}/rapportera"]`).text()).toBe('Rapportera')

    const form = await openForm(hr, `${page}/rapportera`)
    // Who reports is most often who did it.
    expect(form.fields.performed_by).toBe('Hanna Holm')
    expect(form.fields.result).toBe('')
    const saved = await form.post(aReport).expect(303)
    expect(saved.headers.location).toBe(page)

    const reported = html((await hr.get(page).expect(200)).text)
    expect(reported('.notice').text()).toContain('Rapporten är sparad.')
    expect(reported('.summary-list .tag').text()).toBe('Utan anmärkning')
    expect(reported('.summary-list .tag').attr('class')).toBe('tag run-state--no_remarks')
    const shown = reported('main').text()
    for (const text of [
      '2021-03-10',
      '2021-03-15',
      'Anställningar januari–mars',
      '120',
      'Slumpmässigt',
      'Alla utdrag fanns.',
    ]) {
      expect(shown).toContain(text)
    }
    expect(reported(`a[href="${page}/rapportera"]`).text()).toBe('Redigera rapporten')
    expect((await runRow(db, run.id)).reported_on).toBe('2021-03-15')

    // Two days later the report is corrected: the day it was first reported stands.
    advance(2 * 24 * 3600 * 1000)
    const later = await as('hr')
    await (await openForm(later, `${page}/rapportera`)).post({ comment: 'Alla utdrag fanns, ett sent.' }).expect(303)
    const row = await runRow(db, run.id)
    expect([row.reported_on, row.comment, row.population_size, row.sampling]).toEqual([
      '2021-03-15',
      'Alla utdrag fanns, ett sent.',
      120,
      'random',
    ])
    const events = (await listEvents(db)).filter((e) => e.entity === 'control_run' && e.action === 'update')
    expect(events.map((e) => [e.user_name, e.plan_id])).toEqual([
      ['Hanna Holm', planId],
      ['Hanna Holm', planId],
    ])
  })

  it('is not reported by another unit’s owner or a reader, who still may read it', async () => {
    const { page, as } = await setup()
    for (const login of ['utbildning', 'lasare'] as const) {
      const agent = await as(login)
      const $ = html((await agent.get(page).expect(200)).text)
      expect($(`a[href="${page}/rapportera"]`)).toHaveLength(0)
      await agent.get(`${page}/rapportera`).expect(403)
      const token = String(html((await agent.get(page)).text)('input[name="_csrf"]').val())
      await agent
        .post(`${page}/rapportera`)
        .type('form')
        .send({ _csrf: token, ...aReport })
        .expect(403)
      await agent.get(`${page}/avvikelser/ny`).expect(403)
    }
  })

  it('says in Swedish what is wrong with a report, beside each field, and keeps what was typed', async () => {
    const { hr, page, db, run } = await setup()
    const form = await openForm(hr, `${page}/rapportera`)
    const empty = await form.post({ performed_by: '', population: 'Nyanställda' }).expect(400)
    expect(errorsOf(empty.text)).toEqual({
      result: 'Välj resultatet av kontrollen.',
      performed_on: 'Ange vilket datum kontrollen genomfördes.',
    })
    expect(html(empty.text)('#field-population').val()).toBe('Nyanställda')
    expect(html(empty.text)('.error-summary li a').first().attr('href')).toBe('#field-result')

    const wrong = await form
      .post({ ...aReport, performed_on: '2021-03-16', population_size: '10', sample_size: '12', checked_count: 'tolv' })
      .expect(400)
    expect(errorsOf(wrong.text)).toEqual({
      performed_on: 'Datumet kan inte vara senare än i dag, 2021-03-15.',
      sample_size: 'Stickprovet kan inte vara större än populationen.',
      checked_count: 'Ange ett heltal, 0 eller större.',
    })
    const summary = html(wrong.text)('.error-summary li a')
      .map((_, e) => html(wrong.text)(e).attr('href'))
      .get()
    expect(summary).toEqual(['#field-performed_on', '#field-sample_size', '#field-checked_count'])

    const early = await form.post({ ...aReport, performed_on: '0320-02-02' }).expect(400)
    expect(errorsOf(early.text)).toEqual({ performed_on: 'Datumet kan inte vara före planens år, 2020.' })

    const counts = await form
      .post({ ...aReport, sample_size: '12', checked_count: '10', deviation_count: '11' })
      .expect(400)
    expect(errorsOf(counts.text)).toEqual({
      deviation_count: 'Antalet med avvikelser kan inte vara fler än antalet kontrollerade.',
    })
    const remarks = await form.post({ ...aReport, deviation_count: '2' }).expect(400)
    expect(errorsOf(remarks.text).deviation_count).toContain('Utan anmärkning betyder inga avvikelser')
    const none = await form.post({ ...aReport, result: 'deviations', deviation_count: '0' }).expect(400)
    expect(errorsOf(none.text).deviation_count).toContain('minst ett fall')

    const notPerformed = await form.post({ result: 'not_performed', performed_on: '' }).expect(400)
    expect(errorsOf(notPerformed.text)).toEqual({
      not_performed_reason: 'Ange varför kontrollen inte genomfördes.',
    })
    const $ = html(notPerformed.text)
    expect($('#field-result-not_performed').is('[checked]')).toBe(true)
    expect($('[data-shown-when="result=not_performed"] #field-not_performed_reason')).toHaveLength(1)

    expect((await runRow(db, run.id)).result).toBeNull()
    await form.post({ result: 'not_performed', performed_on: '', not_performed_reason: 'Personalbrist.' }).expect(303)
    const row = await runRow(db, run.id)
    expect([row.result, row.not_performed_reason, row.performed_on]).toEqual(['not_performed', 'Personalbrist.', null])
    const shown = html((await hr.get(page).expect(200)).text)
    expect(shown('.summary-list .tag').text()).toBe('Ej genomförd')
    expect(shown('.summary-list').text()).toContain('Personalbrist.')
  })

  it('shows a run not performed without a day performed or a sample, and forgets what an earlier report said', async () => {
    const { hr, db, page, run } = await setup()
    await submitForm(hr, `${page}/rapportera`, aReport, 303)
    const reported = html((await hr.get(page).expect(200)).text)
    expect(reported('.summary-list dt:contains("Genomförd den")')).toHaveLength(1)
    expect(reported('h2:contains("Stickprov")')).toHaveLength(1)

    // The form comes back filled in with the first report; only the result and its reason are changed.
    await (await openForm(hr, `${page}/rapportera`))
      .post({ result: 'not_performed', not_performed_reason: 'Personalbrist.' })
      .expect(303)
    const row = await runRow(db, run.id)
    expect([
      row.result,
      row.performed_on,
      row.population,
      row.population_size,
      row.sample_size,
      row.sampling,
      row.checked_count,
      row.deviation_count,
    ]).toEqual(['not_performed', null, '', null, null, null, null, null])
    const shown = html((await hr.get(page).expect(200)).text)
    expect(shown('.summary-list .tag').attr('class')).toBe('tag run-state--not_performed')
    expect(shown('.summary-list dt:contains("Genomförd den")')).toHaveLength(0)
    expect(shown('h2:contains("Stickprov")')).toHaveLength(0)
    expect(shown('main').text()).not.toContain('Anställningar januari–mars')
    // The comment stays: it may say why.
    expect(shown('.prose').text()).toContain('Alla utdrag fanns.')
  })

  it('shows what is checked above the report form from Markdown, escaped', async () => {
    const { hr, db, page, controlId } = await setup()
    await db
      .updateTable('control')
      .set({ what_is_checked: 'Att utdrag har **visats** <script>alert(1)</script>\n\n- före anställning' })
      .where('id', '=', controlId)
      .execute()
    const text = (await hr.get(`${page}/rapportera`).expect(200)).text
    const task = html(text)('section.task .prose')
    expect(task.find('strong').text()).toBe('visats')
    expect(task.find('li').text()).toBe('före anställning')
    expect(text).not.toContain('<script>alert(1)')
  })

  it('leads back to where the reporter came from (?till=), and never to another site', async () => {
    const { hr, page } = await setup()
    const form = await openForm(hr, `${page}/rapportera?till=${encodeURIComponent('/#kontroller')}`)
    expect(form.action).toBe(`${page}/rapportera?till=%2F%23kontroller`)
    expect(form.$('a.button--secondary').attr('href')).toBe('/#kontroller')
    expect((await form.post(aReport).expect(303)).headers.location).toBe('/#kontroller')
    const elsewhere = await openForm(hr, `${page}/rapportera?till=${encodeURIComponent('//evil.example')}`)
    expect(elsewhere.action).toBe(`${page}/rapportera`)
  })

  it('merges a stale report with a newer one that changed other fields, and refuses one that changed the same', async () => {
    const { hr, db, page, run, as } = await setup()
    await submitForm(hr, `${page}/rapportera`, aReport, 303)
    const secretary = await as('sekreterare')
    const mine = await openForm(secretary, `${page}/rapportera`)
    const theirs = await openForm(hr, `${page}/rapportera`)
    await theirs.post({ comment: 'Kommentar från HR.' }).expect(303)
    await mine.post({ population: 'Alla anställningar 2020' }).expect(303)
    const notice = html((await secretary.get(page).expect(200)).text)('.notice').text()
    expect(notice).toContain('Rapporten är sparad. Hanna Holm hade ändrat Kommentar')
    const row = await runRow(db, run.id)
    expect([row.comment, row.population]).toEqual(['Kommentar från HR.', 'Alla anställningar 2020'])

    const stale = await openForm(secretary, `${page}/rapportera`)
    await (await openForm(hr, `${page}/rapportera`)).post({ sample_size: '13' }).expect(303)
    const refused = await stale.post({ sample_size: '14' }).expect(409)
    expect(html(refused.text)('h1').text()).toBe('Någon annan hann ändra först')
    expect(html(refused.text)('table.conflict-clashes').text()).toContain('Stickprovets storlek')
    expect((await runRow(db, run.id)).sample_size).toBe(13)
  })

  it('shows a Markdown comment as safe HTML and every text escaped', async () => {
    const { hr, page } = await setup('Kontroll <b>av</b> utdrag')
    await submitForm(
      hr,
      `${page}/rapportera`,
      { ...aReport, population: '<i>alla</i>', comment: '**Viktigt:** se <script>alert(1)</script>\n\n- punkt' },
      303,
    )
    const text = (await hr.get(page).expect(200)).text
    const $ = html(text)
    expect(text).not.toContain('<script>alert(1)')
    expect(text).not.toContain('<b>av</b>')
    expect(text).not.toContain('<i>alla</i>')
    expect($('h1').text()).toBe('Kontrolltillfälle 1: Kontroll <b>av</b> utdrag')
    expect($('.prose strong').text()).toBe('Viktigt:')
    expect($('.prose li').text()).toBe('punkt')
    expect($('.prose').text()).toContain('<script>alert(1)</script>')
  })
})

describe('deviations of a run', () => {
  async function reportedWithDeviations() {
    const world = await setup()
    const saved = await submitForm(
      world.hr,
      `${world.page}/rapportera`,
      { ...aReport, result: 'deviations', deviation_count: '2' },
      303,
    )
    return { ...world, saved }
  }

  it('are recorded, changed and deleted by the owner unit, each change in a log that verifies', async () => {
    const { hr, db, page, saved, planId } = await reportedWithDeviations()
    // A run reported with deviations and none described leads on to describing them.
    expect(saved.headers.location).toBe(`${page}/avvikelser/ny`)
    const form = html((await hr.get(`${page}/avvikelser/ny`).expect(200)).text)
    expect(form('.notice').text()).toContain('Beskriv nu avvikelserna')

    const empty = await submitForm(hr, `${page}/avvikelser/ny`, {}, 400)
    expect(errorsOf(empty.text)).toEqual({
      description: 'Beskriv avvikelsen.',
      severity: 'Välj hur allvarlig avvikelsen är.',
    })
    const noReason = await submitForm(
      hr,
      `${page}/avvikelser/ny`,
      { description: 'Utdrag saknades.', severity: 'high', decision: 'no_measure' },
      400,
    )
    expect(errorsOf(noReason.text)).toEqual({ no_measure_reason: 'Ange varför ingen åtgärd behövs.' })
    expect(html(noReason.text)('#field-description').text()).toBe('Utdrag saknades.')

    await submitForm(hr, `${page}/avvikelser/ny`, { description: 'Utdrag saknades för två.', severity: 'high' }, 303)
    await submitForm(hr, `${page}/avvikelser/ny`, { description: 'Ett utdrag var för gammalt.', severity: 'low' }, 303)
    const listed = html((await hr.get(page).expect(200)).text)
    const rows = listed('main table.stack tbody tr')
    expect(rows).toHaveLength(2)
    expect(
      rows
        .first()
        .find('td')
        .slice(0, 3)
        .map((_, e) => listed(e).text().trim())
        .get(),
    ).toEqual(['Utdrag saknades för två.', 'Hög', 'Inte beslutat'])
    expect(listed('main table.stack tbody tr a[href$="/redigera"]').first().text()).toBe(
      'Redigera avvikelsen Utdrag saknades för två.',
    )

    const deviations = await db.selectFrom('control_deviation').selectAll().orderBy('position').execute()
    expect(deviations.map((d) => d.position)).toEqual([1, 2])
    const second = deviations[1] as (typeof deviations)[number]
    const edit = await openForm(hr, `${page}/avvikelser/${second.id}/redigera`)
    expect(edit.$('h1').text()).toBe('Redigera avvikelse vid tillfälle 1')
    expect(edit.$('label[for="field-decision"]').text()).toBe('Inte beslutat ännu')
    expect(edit.fields).toMatchObject({ description: 'Ett utdrag var för gammalt.', severity: 'low', decision: '' })
    await edit.post({ severity: 'medium', decision: 'no_measure', no_measure_reason: 'Rättat direkt.' }).expect(303)
    const edited = html((await hr.get(page).expect(200)).text)
    expect(edited('main table.stack tbody tr').last().text()).toContain('Ingen åtgärd: Rättat direkt.')
    expect(edited('main table.stack tbody tr').last().text()).toContain('Medel')

    const confirm = html((await hr.get(`${page}/avvikelser/${second.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain('Ett utdrag var för gammalt.')
    await submitForm(hr, `${page}/avvikelser/${second.id}/ta-bort`, {}, 303)
    expect(await db.selectFrom('control_deviation').select('id').execute()).toHaveLength(1)

    const events = (await listEvents(db)).filter((e) => e.entity === 'control_deviation')
    expect(events.map((e) => [e.action, e.user_name, e.plan_id])).toEqual([
      ['create', 'Hanna Holm', planId],
      ['create', 'Hanna Holm', planId],
      ['update', 'Hanna Holm', planId],
      ['delete', 'Hanna Holm', planId],
    ])
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('keep the run "Med avvikelser" while any is recorded, and need such a run', async () => {
    const { hr, page, db, run } = await reportedWithDeviations()
    await submitForm(hr, `${page}/avvikelser/ny`, { description: 'Utdrag saknades.', severity: 'high' }, 303)
    const refused = await (await openForm(hr, `${page}/rapportera`)).post({ result: 'no_remarks', deviation_count: '' })
    expect(refused.status).toBe(400)
    expect(errorsOf(refused.text).result).toBe(
      'Tillfället har en registrerad avvikelse. Välj Med avvikelser, eller ta bort avvikelserna först.',
    )
    // Another occasion, not yet reported, has no deviations to describe.
    const later = await db
      .selectFrom('control_run')
      .select('id')
      .where('control_id', '=', run.control_id)
      .where('occasion', '=', 2)
      .executeTakeFirstOrThrow()
    const otherPage = page.replace(/\/\d+$/, `/${later.id}`)
    const sent = await hr.get(`${otherPage}/avvikelser/ny`).expect(303)
    expect(sent.headers.location).toBe(`${otherPage}/rapportera`)
  })

  it('become a measure in one step, which names its origin and makes the decision', async () => {
    const { hr, db, page, planId, risk, unit, run, as } = await reportedWithDeviations()
    const description = `Utdrag ur belastningsregistret saknades för två av tolv nyanställda, ${'vilket '.repeat(20)}\nRad två.`
    await submitForm(hr, `${page}/avvikelser/ny`, { description, severity: 'high' }, 303)
    const deviation = await db.selectFrom('control_deviation').selectAll().executeTakeFirstOrThrow()

    // Only the secretary makes measures: the owner sees no such link, and gets the 403 page for the form.
    expect(html((await hr.get(page).expect(200)).text)('a:contains("Skapa åtgärd från avvikelsen")')).toHaveLength(0)
    await hr.get(`/planer/${planId}/atgarder/ny?avvikelse=${deviation.id}`).expect(403)

    const secretary = await as('sekreterare')
    const runPage = html((await secretary.get(page).expect(200)).text)
    const link = runPage('a:contains("Skapa åtgärd från avvikelsen")').attr('href')
    expect(link).toBe(`/planer/${planId}/atgarder/ny?avvikelse=${deviation.id}`)
    const form = await openForm(secretary, String(link))
    expect(form.fields.riskId).toBe(String(risk.id))
    expect(form.fields.ownerUnitId).toBe(String(unit('HR-avdelningen')))
    expect(form.fields.originDeviationId).toBe(String(deviation.id))
    expect(String(form.fields.title).length).toBeLessThanOrEqual(100)
    expect(form.fields.title).toMatch(/^Utdrag ur belastningsregistret saknades för två av tolv nyanställda, .*…$/)
    expect(form.$('.lead a').attr('href')).toBe(page)
    expect(form.$('a.button--secondary').attr('href')).toBe(page)

    const created = await form.post({ dueDate: '2021-06-30' }).expect(303)
    const measurePage = html((await secretary.get(String(created.headers.location)).expect(200)).text)
    expect(measurePage('.notice').text()).toContain('Avvikelsen har fått beslutet Åtgärd krävs.')
    const origin = measurePage('.summary-list dt:contains("Ursprung") + dd a')
    expect(origin.text()).toBe('Avvikelse vid kontrollmoment Kontroll av utdrag ur belastningsregistret, tillfälle 1')
    expect(origin.attr('href')).toBe(page)

    const measure = await db
      .selectFrom('measure')
      .selectAll()
      .where('origin_deviation_id', '=', deviation.id)
      .executeTakeFirstOrThrow()
    expect([measure.risk_id, measure.owner_unit_id]).toEqual([risk.id, unit('HR-avdelningen')])
    const decided = await db
      .selectFrom('control_deviation')
      .selectAll()
      .where('id', '=', deviation.id)
      .executeTakeFirstOrThrow()
    expect([decided.decision, decided.version]).toEqual(['measure_required', deviation.version + 1])

    const listed = html((await secretary.get(page).expect(200)).text)
    const row = listed('main table.stack tbody tr').first()
    expect(row.find('td[data-label="Beslut"]').text()).toBe('Åtgärd krävs')
    expect(row.find(`a[href="/planer/${planId}/atgarder/${measure.id}"]`).text()).toBe(measure.title)

    // Deleting the deviation leaves the measure, without its origin, in a log that verifies.
    await submitForm(hr, `${page}/avvikelser/${deviation.id}/ta-bort`, {}, 303)
    const kept = await db.selectFrom('measure').selectAll().where('id', '=', measure.id).executeTakeFirstOrThrow()
    expect(kept.origin_deviation_id).toBeNull()
    const shown = html((await secretary.get(`/planer/${planId}/atgarder/${measure.id}`).expect(200)).text)
    expect(shown('.summary-list dt:contains("Ursprung") + dd').text()).toContain('Intern kontroll')
    const events = (await listEvents(db)).filter((e) => e.user_name !== 'Testdata' && e.entity !== 'login').slice(-5)
    expect(events.map((e) => [e.action, e.entity, e.user_name])).toEqual([
      ['create', 'control_deviation', 'Hanna Holm'],
      ['create', 'measure', 'Sara Sekreterare'],
      ['update', 'control_deviation', 'Sara Sekreterare'],
      ['update', 'measure', 'Hanna Holm'],
      ['delete', 'control_deviation', 'Hanna Holm'],
    ])
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
    expect(run.id).toBe(decided.run_id)
  })

  it('lead a first report "Med avvikelser" from the start page on to describing them, and back there', async () => {
    const { hr, page } = await setup()
    const report = await openForm(hr, `${page}/rapportera?till=${encodeURIComponent('/')}`)
    const saved = await report.post({ ...aReport, result: 'deviations', deviation_count: '2' }).expect(303)
    expect(saved.headers.location).toBe(`${page}/avvikelser/ny?till=%2F`)
    const form = await openForm(hr, String(saved.headers.location))
    expect(form.action).toBe(`${page}/avvikelser/ny?till=%2F`)
    expect(form.$('a.button--secondary').attr('href')).toBe('/')
    const refused = await form.post({ description: '' }).expect(400)
    expect(html(refused.text)('main form').attr('action')).toBe(`${page}/avvikelser/ny?till=%2F`)
    const added = await form.post({ description: 'Utdrag saknades.', severity: 'high' }).expect(303)
    expect(added.headers.location).toBe('/')
  })

  it('keep the decision Åtgärd krävs while measures name them, and the delete page names those measures', async () => {
    const { hr, db, page, planId, as } = await reportedWithDeviations()
    await submitForm(hr, `${page}/avvikelser/ny`, { description: 'Utdrag saknades.', severity: 'high' }, 303)
    const deviation = await db.selectFrom('control_deviation').selectAll().executeTakeFirstOrThrow()
    const secretary = await as('sekreterare')
    const measureIds: number[] = []
    for (const title of ['Påminn cheferna', 'Ny rutin för utdrag']) {
      const form = await openForm(secretary, `/planer/${planId}/atgarder/ny?avvikelse=${deviation.id}`)
      const created = await form.post({ title }).expect(303)
      measureIds.push(Number(String(created.headers.location).split('/').pop()))
    }

    const edit = await openForm(hr, `${page}/avvikelser/${deviation.id}/redigera`)
    expect(edit.fields.decision).toBe('measure_required')
    const named =
      'Åtgärder har beslutats för avvikelsen: Påminn cheferna (HR-avdelningen) och Ny rutin för utdrag (HR-avdelningen). Så länge de finns är beslutet Åtgärd krävs.'
    const noMeasure = await edit.post({ decision: 'no_measure', no_measure_reason: 'Rättat direkt.' }).expect(400)
    expect(errorsOf(noMeasure.text)).toEqual({ decision: named })
    expect(html(noMeasure.text)('#field-no_measure_reason').text()).toBe('Rättat direkt.')
    expect(errorsOf((await edit.post({ decision: '' }).expect(400)).text)).toEqual({ decision: named })
    const kept = await db.selectFrom('control_deviation').selectAll().executeTakeFirstOrThrow()
    expect([kept.decision, kept.version]).toEqual(['measure_required', deviation.version + 1])
    // Other fields change as before.
    await edit.post({ severity: 'low' }).expect(303)

    const confirm = html((await hr.get(`${page}/avvikelser/${deviation.id}/ta-bort`).expect(200)).text)
    expect(confirm('.warning').text()).toContain(
      'visar inte längre avvikelsen som sitt ursprung: Påminn cheferna (HR-avdelningen) och Ny rutin för utdrag (HR-avdelningen).',
    )

    // Without the measures, the decision is free again.
    for (const id of measureIds) await submitForm(secretary, `/planer/${planId}/atgarder/${id}/ta-bort`, {}, 303)
    await (await openForm(hr, `${page}/avvikelser/${deviation.id}/redigera`))
      .post({ decision: 'no_measure', no_measure_reason: 'Rättat direkt.' })
      .expect(303)
    expect((await db.selectFrom('control_deviation').selectAll().executeTakeFirstOrThrow()).decision).toBe('no_measure')
  })

  it('decided "Ingen åtgärd" get no measure: the form is not offered, and its save is refused', async () => {
    const { hr, db, page, planId, risk, unit, as } = await reportedWithDeviations()
    await submitForm(
      hr,
      `${page}/avvikelser/ny`,
      { description: 'Utdrag saknades.', severity: 'low', decision: 'no_measure', no_measure_reason: 'Rättat direkt.' },
      303,
    )
    const deviation = await db.selectFrom('control_deviation').select('id').executeTakeFirstOrThrow()
    const secretary = await as('sekreterare')
    const message =
      'Avvikelsen har beslutet Ingen åtgärd, så ingen åtgärd görs för den. Ändra beslutet på kontrolltillfällets sida om avvikelsen ändå kräver en åtgärd.'
    const sent = await secretary.get(`/planer/${planId}/atgarder/ny?avvikelse=${deviation.id}`).expect(303)
    expect(sent.headers.location).toBe(page)
    const runPage = html((await secretary.get(page).expect(200)).text)
    expect(runPage('.notice').text()).toContain(message)
    expect(runPage('a:contains("Skapa åtgärd från avvikelsen")')).toHaveLength(0)

    const refused = await submitForm(
      secretary,
      `/planer/${planId}/atgarder/ny`,
      {
        riskId: String(risk.id),
        title: 'Åtgärd',
        ownerUnitId: String(unit('HR-avdelningen')),
        status: 'not_started',
        originDeviationId: String(deviation.id),
      },
      400,
    )
    expect(html(refused.text)('.error-summary li').text()).toBe(message)
    expect(html(refused.text)('#field-originDeviationId').text()).toContain(message)
    expect(await db.selectFrom('measure').select('id').where('origin_deviation_id', 'is not', null).execute()).toEqual(
      [],
    )
  })

  it('refuses a measure whose origin is a deviation of another plan', async () => {
    const { hr, db, page, as } = await reportedWithDeviations()
    await submitForm(hr, `${page}/avvikelser/ny`, { description: 'Utdrag saknades.', severity: 'high' }, 303)
    const deviation = await db.selectFrom('control_deviation').select('id').executeTakeFirstOrThrow()
    const otherPlan = await anotherPlan(db)
    const otherRisk = await aRisk(db, otherPlan)
    const secretary = await as('sekreterare')
    await secretary.get(`/planer/${otherPlan}/atgarder/ny?avvikelse=${deviation.id}`).expect(404)
    const refused = await submitForm(
      secretary,
      `/planer/${otherPlan}/atgarder/ny`,
      {
        riskId: String(otherRisk),
        title: 'Åtgärd',
        ownerUnitId: String((await demoPlan(db)).unit('HR-avdelningen')),
        status: 'not_started',
        originDeviationId: String(deviation.id),
      },
      400,
    )
    expect(html(refused.text)('.error-summary').text()).toContain('Avvikelsen finns inte i planen.')
    expect(await db.selectFrom('measure').select('id').where('origin_deviation_id', 'is not', null).execute()).toEqual(
      [],
    )
  })
})
