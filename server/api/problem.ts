// Errors of the API as RFC 9457 problem details, in Swedish like everything a person reads.
import type { ErrorRequestHandler, Response } from 'express'
import { NotFoundError } from '../errors.js'

/** The standard titles of the statuses the API answers with, in Swedish. */
const titles: Record<number, string> = {
  400: 'Felaktig begäran',
  401: 'Behörighet saknas',
  404: 'Finns inte',
  405: 'Metoden tillåts inte',
  500: 'Internt fel',
}

export class ApiProblem extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405,
    readonly detail: string,
  ) {
    super(detail)
    this.name = 'ApiProblem'
  }
}

export function sendProblem(res: Response, status: number, detail: string): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: titles[status] ?? titles[500], status, detail }))
}

/** Every error under /api answers as a problem, never as the app's HTML pages. */
export function problemHandler(production: boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ApiProblem) return sendProblem(res, err.status, err.detail)
    // The app's own "not found" (an id that is no number, a plan of another municipality) reads the same.
    if (err instanceof NotFoundError) return sendProblem(res, 404, `${err.message}.`)
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? 400 : 500
    if (status === 500) console.error(`${req.method} ${req.path} failed:`, err)
    sendProblem(
      res,
      status,
      status === 500
        ? production
          ? 'Ett fel uppstod i servern. Försök igen om en stund.'
          : String(err?.stack ?? err)
        : 'Begäran kunde inte läsas.',
    )
  }
}
