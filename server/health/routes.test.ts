import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../../test/helpers/test-app.js'

describe('health endpoints', () => {
  it('answers /healthz with ok, no cookie and no caching', async () => {
    const { app } = await createTestApp({ demo: false, as: null })
    const response = await supertest(app).get('/healthz').expect(200)
    expect(response.text).toBe('ok')
    expect(response.headers['content-type']).toMatch(/^text\/plain/)
    expect(response.headers['set-cookie']).toBeUndefined()
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('answers /readyz with ok while the database answers', async () => {
    const { app } = await createTestApp({ demo: false, as: null })
    const response = await supertest(app).get('/readyz').expect(200)
    expect(response.text).toBe('ok')
    expect(response.headers['set-cookie']).toBeUndefined()
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('answers /readyz with 503 once the database is closed, and /healthz still with ok', async () => {
    const { app, db } = await createTestApp({ demo: false, as: null })
    await db.destroy()
    const response = await supertest(app).get('/readyz').expect(503)
    expect(response.text).toContain('Databasen svarar inte')
    expect(response.headers['cache-control']).toBe('no-store')
    await supertest(app).get('/healthz').expect(200, 'ok')
  })
})
