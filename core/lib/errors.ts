/** Domain errors: services throw these, one handler turns them into pages and status codes. */
export class DomainError extends Error {
  readonly status: number = 500
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

export class Invalid extends DomainError {
  override readonly status = 422
  constructor(readonly fields: FieldErrors, message = 'Please correct the highlighted fields.') {
    super(message)
  }
}

export class Unauthenticated extends DomainError {
  override readonly status = 401
  constructor() {
    super('Please sign in to continue.')
  }
}

export class TooManyRequests extends DomainError {
  override readonly status = 429
}
