/** Domain errors: services throw these, one handler turns them into pages and status codes. */
export class DomainError extends Error {
  readonly status: number = 500
  /** For the API's problem documents, where the status alone does not say it (default: by status). */
  readonly code?: string
}

export class BadRequest extends DomainError {
  override readonly status = 400
}

export class NotFound extends DomainError {
  override readonly status = 404
  constructor(what = 'The page or record', message = `${what} was not found.`) {
    super(message)
  }
}

export class Forbidden extends DomainError {
  override readonly status = 403
  constructor(message = 'You do not have access to this.') {
    super(message)
  }
}

export class Conflict extends DomainError {
  override readonly status = 409
}

export type FieldErrors = Record<string, string>

/** The record changed since the caller read it (a stale If-Match). */
export class PreconditionFailed extends DomainError {
  override readonly status = 412
  constructor(message = 'The record changed since you read it. Read it again and reapply your change.') {
    super(message)
  }
}

/** An Idempotency-Key sent again with a different request. */
export class KeyReused extends DomainError {
  override readonly status = 422
  override readonly code = 'idempotency_key_reused'
  constructor(message = 'This Idempotency-Key was used for a different request. Use a new key for a new request.') {
    super(message)
  }
}

export class Invalid extends DomainError {
  override readonly status = 422
  constructor(readonly fields: FieldErrors, message = 'Please correct the highlighted fields.') {
    super(message)
  }
}

export class Unauthenticated extends DomainError {
  override readonly status = 401
  constructor(message = 'Please sign in to continue.') {
    super(message)
  }
}

export class TooManyRequests extends DomainError {
  override readonly status = 429
}

/** Too many of the heaviest reports are being prepared at once; the client may retry shortly. */
export class Busy extends DomainError {
  override readonly status = 503
  override readonly code = 'busy'
  constructor(message = 'Several large reports are being prepared just now. Try again in a few seconds.') {
    super(message)
  }
}
