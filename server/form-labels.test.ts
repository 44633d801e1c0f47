import type { CheerioAPI } from 'cheerio'
import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { aControl, demoPlan } from '../test/helpers/builders.js'
import { createTestApp, html, logIn, type TestAgent } from '../test/helpers/test-app.js'
import { insertDeviation } from './controls/repository.js'

/** Each field of a page's forms: its name, label, whether it is marked required, and its form's method and action. */
function fieldsOf($: CheerioAPI) {
  return $('main form')
    .toArray()
    .flatMap((form) =>
      $(form)
        // A group of radio buttons is one field, its legend the label and the group marked as required.
        .find('.field > label, fieldset.field[role="radiogroup"] > legend')
        .toArray()
        .map((label) => {
          const group = $(label).is('legend') ? $(label).parent() : undefined
          const control = group ? group.find('input[type="radio"]').first() : $(`#${$(label).attr('for')}`)
          return {
            name: String(control.attr('name')),
            label: $(label).text().trim(),
            required: (group ?? control).attr('aria-required') === 'true',
            // Asked only after one answer of another field (data-shown-when), so not of an empty form.
            conditional: control.closest('[data-shown-when]').length > 0,
            method: String($(form).attr('method')),
            action: String($(form).attr('action')),
          }
        }),
    )
}

/** The names of the fields a page shows an error beside. */
const fieldsInError = ($: CheerioAPI) =>
  $('.field-error')
    .toArray()
    .map((e) => String($(e).attr('id')).replace(/^field-(.*)-error$/, '$1'))

/** Posts the form with its hidden fields only, as a person who filled in nothing; returns the page it answers with. */
function postEmpty(agent: TestAgent, $: CheerioAPI, action: string) {
  const hidden = Object.fromEntries(
    $(`form[action="${action}"] input[type="hidden"]`)
      .toArray()
      .map((input) => [$(input).attr('name'), $(input).val()]),
  )
  return agent.post(action).type('form').send(hidden)
}

async function formPages() {
  const { agent, db, app } = await createTestApp()
  const { planId, risks } = await demoPlan(db)
  const measure = await db.selectFrom('measure').select(['id', 'owner_unit_id']).executeTakeFirstOrThrow()
  const area = await db.selectFrom('development_area').select(['id', 'inspection_id']).executeTakeFirstOrThrow()
  const inspection = `/externa-granskningar/${area.inspection_id}`
  const admin = supertest.agent(app)
  await logIn(admin, 'admin')
  const user = await db.selectFrom('app_user').select('id').executeTakeFirstOrThrow()
  const unit = await db.selectFrom('owner_unit').select('id').executeTakeFirstOrThrow()
  const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
  const administration = await db.selectFrom('administration').select('id').executeTakeFirstOrThrow()
  const plan = `/planer/${planId}`
  // A control's run reported with deviations, one of them recorded: the report and deviation forms.
  const controlId = await aControl(db, risks[0]?.id as number, unit.id)
  const run = await db
    .selectFrom('control_run')
    .select('id')
    .where('control_id', '=', controlId)
    .executeTakeFirstOrThrow()
  await db.updateTable('control_run').set({ result: 'deviations' }).where('id', '=', run.id).execute()
  const deviation = await insertDeviation(db, {
    run_id: run.id,
    description: 'Utdrag saknades.',
    severity: 'high',
    decision: null,
    no_measure_reason: '',
    position: 1,
  })
  const runPage = `${plan}/kontroller/${controlId}/tillfallen/${run.id}`
  return [
    ...[
      '/planer/ny',
      '/planer/importera',
      `${plan}/redigera`,
      `${plan}/risker/ny`,
      `${plan}/risker/${risks[0]?.id}/redigera`,
      `${plan}/granskningar/ny`,
      `${plan}/atgarder/ny`,
      `${plan}/atgarder/${measure.id}/redigera`,
      `${plan}/atgarder/${measure.id}/uppdatera`,
      `${plan}/atgarder/ny?avvikelse=${deviation}`,
      `${runPage}/rapportera`,
      `${runPage}/avvikelser/ny`,
      `${runPage}/avvikelser/${deviation}/redigera`,
      `${plan}/atgarder`,
      `${plan}/nasta-ar`,
      `${plan}/rapport`,
      `${plan}/kontroller/ny`,
      `${plan}/kontroller/${controlId}/redigera`,
      `${plan}/kontroller/${controlId}/tillfallen/${run.id}/datum`,
      '/externa-granskningar/ny',
      inspection,
      `${inspection}/redigera`,
      `${inspection}/omraden/ny`,
      `${inspection}/omraden/${area.id}`,
      `${inspection}/omraden/${area.id}/redigera`,
      '/logg',
      '/konto/losenord',
      '/konto/paminnelser',
    ].map((path) => ({ agent, path })),
    ...[
      '/admin/anvandare/ny',
      `/admin/anvandare/${user.id}/losenord`,
      '/admin/forvaltningar',
      `/admin/forvaltningar/${administration.id}/redigera`,
      '/admin/namnder',
      `/admin/namnder/${committee.id}/redigera`,
      '/admin/enheter',
      `/admin/enheter/${unit.id}/redigera`,
    ].map((path) => ({ agent: admin, path })),
  ]
}

/** Required, but an empty one is judged against another field: the new password typed again matches an empty one. */
const checkedAgainstAnother = new Set(['repeat'])

describe('every form', () => {
  it('labels each field that may be left empty "(valfritt)", and asks for exactly the others', async () => {
    const unsaid: string[] = []
    for (const { agent, path } of await formPages()) {
      const $ = html((await agent.get(path).expect(200)).text)
      const fields = fieldsOf($)
      expect(fields.length, path).toBeGreaterThan(0)
      for (const field of fields) {
        const optional = field.label.endsWith(' (valfritt)')
        expect(field.required && optional, `${path} ${field.name}`).toBe(false)
        // A filter (a GET form's field not asked for) narrows a list: nothing in it is ever required.
        if (!field.required && !optional && field.method !== 'get') unsaid.push(`${path}: ${field.label}`)
      }
      // Sent with nothing filled in, a form complains beside exactly the fields it marks as required.
      const posted = new Set(fields.filter((f) => f.method === 'post').map((f) => f.action))
      for (const action of posted) {
        if ($(`form[action="${action}"]`).attr('enctype') === 'multipart/form-data') continue
        const answer = html((await postEmpty(agent, $, action)).text)
        const required = fields
          .filter((f) => f.action === action && f.required && !f.conditional && !checkedAgainstAnother.has(f.name))
          .map((f) => f.name)
        expect(fieldsInError(answer).sort(), `${path} → ${action}`).toEqual(required.sort())
      }
    }
    expect(unsaid).toEqual([])
  })
})
