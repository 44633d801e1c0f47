import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { createTestApp, html, submitForm } from '../../test/helpers/test-app.js'
import { verifyAudit } from '../audit/verify.js'
import { developmentAuditKey } from '../config.js'
import { tokenSha256 } from './tokens.js'

async function asAdmin() {
  const { app, db, agent } = await createTestApp({ as: 'admin' })
  const malmo = await db.selectFrom('municipality').select('id').executeTakeFirstOrThrow()
  return { app, db, agent, malmo }
}

const tokenEvents = (db: Awaited<ReturnType<typeof asAdmin>>['db']) =>
  db.selectFrom('audit_event').selectAll().where('entity', '=', 'api_token').orderBy('id').execute()

describe('the administrator’s API tokens', () => {
  it('creates a token, shows it once on the answer to the post, and keeps only its SHA-256 and first characters', async () => {
    const { app, db, agent, malmo } = await asAdmin()
    const response = await submitForm(
      agent,
      '/admin/api-nycklar',
      { name: 'Intranätets rapportsida', municipalityId: String(malmo.id) },
      201,
    )
    expect(response.headers.location).toBeUndefined()
    const $ = html(response.text)
    const token = String($('#api-token').val())
    expect(token).toMatch(/^ik_[A-Za-z0-9_-]{43}$/)
    expect($('main').text()).toContain('Den visas bara den här gången')
    expect($('main').text()).toContain('kan inte visas igen')

    const row = await db.selectFrom('api_token').selectAll().executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      name: 'Intranätets rapportsida',
      municipality_id: malmo.id,
      token_sha256: tokenSha256(token),
      prefix: token.slice(0, 9),
      created_by: 'Ada Administratör',
      revoked_at: null,
      use_count: 0,
    })
    expect(JSON.stringify(await db.selectFrom('api_token').selectAll().execute())).not.toContain(token)
    const [created] = await tokenEvents(db)
    expect(created).toMatchObject({ action: 'create', entity_id: row.id, plan_id: null, committee_id: null })
    expect(created?.after).not.toContain(token)
    expect(created?.after).not.toContain(row.token_sha256)

    // The list names it by its first characters, never in full.
    const list = await agent.get('/admin/api-nycklar').expect(200)
    expect(list.text).not.toContain(token)
    const cells = html(list.text)('tbody tr')
      .first()
      .find('td')
      .map((_, td) => html(list.text)(td).text().trim())
      .get()
    expect(cells.slice(0, 3)).toEqual(['Intranätets rapportsida', 'Malmö stad', `${token.slice(0, 9)}…`])
    expect(cells.slice(5, 8)).toEqual(['Aldrig', '0', 'Aktiv'])

    // It works, and its uses show in the list.
    await supertest(app).get('/api/v1/committees').set('Authorization', `Bearer ${token}`).expect(200)
    const used = html((await agent.get('/admin/api-nycklar').expect(200)).text)
    expect(used('tbody tr td[data-label="Användningar"]').first().text()).toBe('1')
    expect(used('tbody tr td[data-label="Senast använd"]').first().text()).toBe('2021-03-15 10:00')
    expect(await verifyAudit(db, { key: developmentAuditKey, anchorFile: null })).toMatchObject({ findings: [] })
  })

  it('revokes a token after asking, audited, and the API refuses it from then on', async () => {
    const { app, db, agent, malmo } = await asAdmin()
    const created = await submitForm(agent, '/admin/api-nycklar', { name: 'BI', municipalityId: String(malmo.id) }, 201)
    const token = String(html(created.text)('#api-token').val())
    const row = await db.selectFrom('api_token').select(['id', 'prefix']).executeTakeFirstOrThrow()
    const list = html((await agent.get('/admin/api-nycklar').expect(200)).text)
    expect(list(`a[href="/admin/api-nycklar/${row.id}/aterkalla"]`).text()).toBe('Återkalla BI')

    const confirm = html((await agent.get(`/admin/api-nycklar/${row.id}/aterkalla`).expect(200)).text)
    expect(confirm('main .warning').text()).toContain(
      `Vill du återkalla API-nyckeln BI (Malmö stad, början ${row.prefix}…)?`,
    )
    const revoked = await submitForm(agent, `/admin/api-nycklar/${row.id}/aterkalla`, {}, 303)
    expect(revoked.headers.location).toBe('/admin/api-nycklar')
    const listed = html((await agent.get('/admin/api-nycklar').expect(200)).text)
    expect(listed('.notice').text()).toContain(`API-nyckeln BI (${row.prefix}…) är återkallad`)
    expect(listed('tbody tr td[data-label="Status"]').text()).toBe('Återkallad 2021-03-15 10:00')
    expect(listed(`a[href="/admin/api-nycklar/${row.id}/aterkalla"]`)).toHaveLength(0)

    const events = await tokenEvents(db)
    expect(events.map((e) => e.action)).toEqual(['create', 'update'])
    expect(JSON.parse(events[1]?.after as string)).toMatchObject({ revoked_at: '2021-03-15T09:00:00.000Z' })
    await supertest(app).get('/api/v1/plans').set('Authorization', `Bearer ${token}`).expect(401)
    // A second revoke changes nothing and logs nothing.
    const again = html((await agent.get(`/admin/api-nycklar/${row.id}/aterkalla`).expect(200)).text)
    expect(again('main').text()).toContain('är redan återkallad')
    expect(again('main form')).toHaveLength(0)
  })

  it('keeps the input and says what is missing when the form is not filled in, and creates nothing', async () => {
    const { db, agent } = await asAdmin()
    const response = await submitForm(agent, '/admin/api-nycklar', { name: 'Intranätet', municipalityId: '' }, 400)
    const $ = html(response.text)
    expect($('.error-summary').text()).toContain('Välj kommunen vars uppgifter nyckeln ska ge åtkomst till.')
    expect($('#field-name').val()).toBe('Intranätet')
    const unknown = await submitForm(agent, '/admin/api-nycklar', { name: '', municipalityId: '99999' }, 400)
    expect(html(unknown.text)('.error-summary').text()).toContain('Ange vad nyckeln är till')
    const noMunicipality = await submitForm(agent, '/admin/api-nycklar', { name: 'X', municipalityId: '99999' }, 400)
    expect(html(noMunicipality.text)('.error-summary').text()).toContain('Välj en kommun i listan.')
    expect(await db.selectFrom('api_token').select('id').execute()).toEqual([])
  })

  it('refuses a post without the form’s CSRF token', async () => {
    const { db, agent, malmo } = await asAdmin()
    await agent
      .post('/admin/api-nycklar')
      .type('form')
      .send({ name: 'Utan token', municipalityId: String(malmo.id) })
      .expect(403)
    expect(await db.selectFrom('api_token').select('id').execute()).toEqual([])
  })

  it('is linked from the administrator’s start page and user list, and its changes show in the audit log', async () => {
    const { agent, malmo } = await asAdmin()
    await submitForm(agent, '/admin/api-nycklar', { name: 'Intranätet', municipalityId: String(malmo.id) }, 201)
    const start = html((await agent.get('/').expect(200)).text)
    expect(start('a[href="/admin/api-nycklar"]').text()).toBe('API-nycklar')
    const users = html((await agent.get('/admin/anvandare').expect(200)).text)
    expect(users('a[href="/admin/api-nycklar"]').text()).toBe('API-nycklar')
    const log = await agent.get('/logg?typ=api_token').expect(200)
    expect(html(log.text)('main').text()).toContain('Intranätet')
  })
})
