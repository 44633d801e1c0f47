import cookieParser from 'cookie-parser'
import express from 'express'
import helmet from 'helmet'
import type { Db } from '../db/connection.js'
import type { PdfPrinter } from '../reports/render-pdf.js'
import { aboutRoutes } from './about/routes.js'
import { adminRoutes } from './admin/routes.js'
import { apiRoutes } from './api/routes.js'
import { apiTokenRoutes } from './api/token-routes.js'
import { auditRoutes } from './audit/routes.js'
import { authorize, can } from './auth/permissions.js'
import { authRoutes } from './auth/routes.js'
import { requireViewer, sessions, viewerOf } from './auth/session.js'
import { groupRoleRoutes } from './auth/sso/group-role-routes.js'
import { oidcClient, oidcRoutes } from './auth/sso/oidc.js'
import { SamlServiceProvider, samlAcsPath } from './auth/sso/saml.js'
import { samlRoutes } from './auth/sso/saml-routes.js'
import { providerLogoutUrl } from './auth/sso/sign-in.js'
import type { Config } from './config.js'
import { conflictHandler } from './conflict.js'
import { controlRoutes } from './controls/routes.js'
import { runRoutes } from './controls/run-routes.js'
import { csrfProtection } from './csrf.js'
import { errorHandler, notFound } from './error-handler.js'
import { healthRoutes } from './health/routes.js'
import { areaRoutes } from './inspections/area-routes.js'
import { inspectionRoutes } from './inspections/routes.js'
import { measureRoutes } from './measures/routes.js'
import { municipalRoutes } from './municipal/routes.js'
import { nextYearRoutes } from './next-year/routes.js'
import { notices } from './notice.js'
import { publishRoutes } from './open-data/publish-routes.js'
import { openDataFileRoutes, openDataPageRoutes } from './open-data/routes.js'
import { overviewRoutes } from './overview/routes.js'
import { planRoutes } from './plans/routes.js'
import { reminderRoutes } from './reminders/routes.js'
import { reportRoutes } from './reports/routes.js'
import { reviewRoutes } from './reviews/routes.js'
import { riskRoutes } from './risks/routes.js'
import { rollupReportRoutes } from './rollup/report-routes.js'
import { rollupRoutes } from './rollup/routes.js'
import { exportRoutes, importRoutes } from './spreadsheets/routes.js'
import { uploadedFile } from './spreadsheets/upload.js'
import { createViews, viewsDir } from './views.js'

export interface Services {
  db: Db
  config: Config
  /** Now, injectable so tests can fix the date that decides "Försenad". */
  clock: () => Date
  /** The long-lived Chromium that prints reports. */
  pdf: PdfPrinter
}

/** Where the identity providers are, for the pages' Content-Security-Policy. */
const identityProviderOrigins = (config: Config) => (config.oidc ? [new URL(config.oidc.issuer).origin] : [])

const mayCreatePlans: express.RequestHandler = (_req, res, next) => {
  authorize(can.createPlans(viewerOf(res)))
  next()
}

export function createApp(services: Services): express.Express {
  const app = express()
  const views = createViews()
  app.engine('.hbs', views.engine)
  app.set('view engine', '.hbs')
  app.set('views', viewsDir)
  // Recompiling templates on every request is 2.5× slower; only `npm run dev` wants fresh templates.
  if (services.config.viewCache) app.enable('view cache')
  app.disable('x-powered-by')
  if (services.config.trustProxy) app.set('trust proxy', services.config.trustProxy)

  const saml =
    services.config.saml && new SamlServiceProvider(services.db, services.config.saml, services.config.publicUrl)
  // Production is served over HTTPS (README); elsewhere forcing HTTPS would break a plain-HTTP test host.
  const https = services.config.production
  app.use(
    helmet({
      strictTransportSecurity: https,
      // Under helmet's no-referrer a browser sends `Origin: null` with the app's own posts, which the CSRF check
      // then cannot tell from another site's; same-origin still tells other sites nothing.
      referrerPolicy: { policy: 'same-origin' },
      contentSecurityPolicy: {
        directives: {
          upgradeInsecureRequests: https ? [] : null,
          // Logging out is a form whose answer sends the browser on to the identity provider's end of session, and a
          // browser holds a form's redirects to form-action too. The SAML provider's is in its metadata, read at start.
          formAction: [
            "'self'",
            ...identityProviderOrigins(services.config),
            ...(saml ? [() => saml.logoutOrigin() ?? "'self'"] : []),
          ],
        },
      },
    }),
  )
  app.use('/assets', express.static(`${viewsDir}/assets`, { maxAge: '1h' }))
  // Browsers ask for /favicon.ico whatever the page links to; without it every page logs a 404 in the console.
  app.get('/favicon.ico', (_req, res) => res.sendFile('favicon.ico', { root: `${viewsDir}/assets`, maxAge: '1h' }))
  // Everything but the assets shows what only its reader may see or carries a CSRF token: no copy is kept, in a
  // shared cache or in the browser for the next person at the same computer after logout.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })
  // Probes come every few seconds from machines: before the cookies, sessions and CSRF below, which would set a
  // cookie or write a session for each.
  app.use(healthRoutes(services))
  // The integrations' JSON API answers to its tokens alone: before the cookies, notices, sessions and CSRF below, so
  // it neither reads nor sets a cookie.
  app.use('/api', apiRoutes(services))
  // Open data's files are public and the same for everyone: served before any cookie is read or set.
  app.use('/oppna-data', openDataFileRoutes(services))
  app.use(express.urlencoded({ extended: false, limit: '1mb' }))
  app.use(cookieParser())
  app.use(notices(services.config.production))
  app.use(sessions(services.db, services.config, services.clock))
  // Before the CSRF check, which reads the form's token from the multipart body; only a secretary's upload is read.
  app.use('/planer/importera', requireViewer, mayCreatePlans, uploadedFile)
  // The SAML provider's answer is posted from its own site, with no token of ours: its signed assertion, which must
  // answer the request this browser sent (saml-routes.ts), is what proves it.
  app.use(csrfProtection(services.config, { exempt: saml ? [samlAcsPath] : [] }))

  const oidc = services.config.oidc && oidcClient(services.config.oidc, services.config.publicUrl)
  app.use(
    authRoutes(services, (kept) =>
      providerLogoutUrl(kept, { oidc: oidc?.logoutUrl, saml: saml ? (hint) => saml.logoutUrl(hint) : undefined }),
    ),
  )
  if (oidc) app.use(oidcRoutes(services, oidc))
  if (saml) app.use(samlRoutes(services, saml))
  app.use(aboutRoutes(services))
  // Open data's index is public, for everyone without login.
  app.use('/oppna-data', openDataPageRoutes(services))
  app.use(requireViewer)
  app.use(overviewRoutes(services))
  app.use(auditRoutes(services))
  app.use(adminRoutes(services))
  app.use(apiTokenRoutes(services))
  app.use(groupRoleRoutes(services))
  app.use(reminderRoutes(services))
  // Before /planer/:planId, which would take "importera" for a plan id.
  app.use('/planer/importera', importRoutes(services))
  app.use('/planer', planRoutes(services))
  app.use('/planer/:planId/risker', riskRoutes(services))
  app.use('/planer/:planId/granskningar', reviewRoutes(services))
  // A run's report and deviations; what it does not serve (…/tillfallen/:runId/datum) goes on to the control pages.
  app.use('/planer/:planId/kontroller/:controlId/tillfallen', runRoutes(services))
  app.use('/planer/:planId', measureRoutes(services))
  app.use('/planer/:planId/kontroller', controlRoutes(services))
  app.use('/planer/:planId', reportRoutes(services, views))
  app.use('/planer/:planId', nextYearRoutes(services))
  app.use('/planer/:planId', exportRoutes(services))
  app.use('/planer/:planId', publishRoutes(services))
  app.use('/externa-granskningar', inspectionRoutes(services, views))
  app.use('/externa-granskningar/:inspectionId/omraden', areaRoutes(services))
  app.use('/kommun', rollupRoutes(services))
  app.use('/kommun', rollupReportRoutes(services, views))
  app.use('/kommun', municipalRoutes(services))

  app.use(notFound)
  app.use(conflictHandler(services.db))
  app.use(errorHandler(services.config.production))
  return app
}
