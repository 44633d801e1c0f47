import { Router } from 'express'
import { sql } from 'kysely'
import type { Services } from '../app.js'

/**
 * For a load balancer and an orchestrator, in plain text: `/healthz` says the process answers (a liveness probe,
 * which must not fail because the database or Chromium is slow, or every instance would be restarted at once);
 * `/readyz` says it can serve pages, which needs the database.
 */
export function healthRoutes({ db }: Pick<Services, 'db'>): Router {
  const router = Router()

  router.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok')
  })

  router.get('/readyz', async (_req, res) => {
    try {
      await sql`select 1`.execute(db)
      res.type('text/plain').send('ok')
    } catch {
      // Both languages: the operator reads it in a probe's log, a user may meet it through a proxy's error page.
      res.status(503).type('text/plain').send('Databasen svarar inte. / The database does not answer.')
    }
  })

  return router
}
