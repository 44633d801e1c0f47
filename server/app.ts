import { fileURLToPath } from 'node:url'
import cookieParser from 'cookie-parser'
import express from 'express'
import { create } from 'express-handlebars'
import helmet from 'helmet'
import type { Db } from '../db/connection.js'
import { helpers } from '../views/helpers/register.js'
import type { Config } from './config.js'
import { csrfProtection } from './csrf.js'
import { errorHandler, notFound } from './error-handler.js'
import { measureRoutes } from './measures/routes.js'
import { planRoutes } from './plans/routes.js'
import { reviewRoutes } from './reviews/routes.js'
import { riskRoutes } from './risks/routes.js'

export interface Services {
  db: Db
  config: Config
  /** Now, injectable so tests can fix the date that decides "Försenad". */
  clock: () => Date
}

const viewsDir = fileURLToPath(new URL('../views', import.meta.url))

export function createApp(services: Services): express.Express {
  const app = express()
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: `${viewsDir}/layouts`,
    partialsDir: `${viewsDir}/partials`,
    helpers,
  })
  app.engine('.hbs', hbs.engine)
  app.set('view engine', '.hbs')
  app.set('views', viewsDir)
  // Recompiling templates on every request is 2.5× slower; only `npm run dev` wants fresh templates.
  if (services.config.viewCache) app.enable('view cache')
  app.disable('x-powered-by')

  app.use(helmet())
  app.use('/assets', express.static(`${viewsDir}/assets`, { maxAge: '1h' }))
  app.use(express.urlencoded({ extended: false, limit: '1mb' }))
  app.use(cookieParser())
  app.use(csrfProtection(services.config.secret, services.config.production))

  app.get('/', (_req, res) => res.redirect('/planer'))
  app.use('/planer', planRoutes(services))
  app.use('/planer/:planId/risker', riskRoutes(services))
  app.use('/planer/:planId/granskningar', reviewRoutes(services))
  app.use('/planer/:planId', measureRoutes(services))

  app.use(notFound)
  app.use(errorHandler(services.config.production))
  return app
}
