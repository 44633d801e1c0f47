import type { ErrorRequestHandler, RequestHandler } from 'express'
import { ForbiddenError, NotFoundError, ServiceUnavailableError } from './errors.js'
import { pdfReadyCookie } from './pdf-download.js'

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError())

export function errorHandler(production: boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof NotFoundError) {
      res.status(404).render('errors/not-found', { title: err.message })
      return
    }
    if (err instanceof ServiceUnavailableError) {
      // Only a busy service's GET is worth repeating as it was: the page offers it, and repeats it by itself.
      const retry = err.retryAfterSeconds !== undefined && req.method === 'GET'
      res
        .status(503)
        .set('Retry-After', String(err.retryAfterSeconds ?? 60))
        .render('errors/unavailable', {
          title: retry ? 'PDF-filen skapas strax' : 'Det gick inte att skapa PDF-filen just nu',
          message: err.message,
          retry: retry ? { href: req.originalUrl, seconds: err.retryAfterSeconds } : undefined,
          pdfReadyCookie,
        })
      return
    }
    if (err instanceof ForbiddenError) {
      res.status(403).render('errors/forbidden', { title: err.title, message: err.message })
      return
    }
    // body-parser's own errors (too large, malformed) carry a 4xx status.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500
    if (status === 500) console.error(`${req.method} ${req.originalUrl} failed:`, err)
    res.status(status).render('errors/server-error', {
      title: status === 500 ? 'Ett fel har uppstått' : 'Felaktig begäran',
      status,
      detail: production ? undefined : String(err?.stack ?? err),
    })
  }
}
