// Domain errors thrown by route handlers; server/error-handler.ts maps them to pages.

import type { Versioned } from './versioned.js'

export class NotFoundError extends Error {
  constructor(what = 'Sidan') {
    super(`${what} finns inte`)
    this.name = 'NotFoundError'
  }
}

export class ForbiddenError extends Error {
  constructor(
    message: string,
    /** The page's heading. */
    readonly title = 'Åtkomst nekad',
  ) {
    super(message)
    this.name = 'ForbiddenError'
  }
}

/** A service the request needs is busy or missing; the message tells the user what to do. */
export class ServiceUnavailableError extends Error {
  constructor(
    message: string,
    /** Set when the service is only busy: the same request is likely to succeed after this many seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'ServiceUnavailableError'
  }
}

/** A field both someone else and this form changed, to different values (stored values, not yet named). */
export interface Clash {
  field: string
  theirs: unknown
  mine: unknown
}

/** An edit based on a version of the record that someone else has changed since, in the same fields. */
export class ConflictError extends Error {
  constructor(
    readonly entity: Versioned,
    readonly id: number,
    readonly baseVersion: number,
    readonly clashes: Clash[] = [],
  ) {
    super(`${entity} ${id} has changed since version ${baseVersion}`)
    this.name = 'ConflictError'
  }
}
