import { Router } from 'express'
import type { Services } from '../app.js'

/**
 * The accessibility statement (lag 2018:1937) and the help page: public, since someone who cannot log in is the
 * one who needs them most.
 */
export function aboutRoutes({ config }: Services): Router {
  const router = Router()
  const { operator } = config
  const session = {
    idleMinutes: config.sessionIdleMs / 60_000,
    maxHours: config.sessionMaxMs / 3_600_000,
  }

  router.get('/tillganglighetsredogorelse', (_req, res) => {
    res.render('about/accessibility', { title: 'Tillgänglighetsredogörelse', operator, session })
  })

  router.get('/hjalp', (_req, res) => {
    res.render('about/help', { title: 'Hjälp och kontakt', operator, session })
  })

  return router
}
