import Type from 'typebox'

/** Whether a request is the API's: it is answered with problem documents, and no session cookie signs it in. */
export const isApiUrl = (url: string): boolean => url.startsWith('/api/')

/** The machine-readable kinds of error an API client may branch on. */
export const problemCodes = {
  400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 412: 'precondition_failed',
  413: 'too_large', 415: 'unsupported_media_type', 422: 'validation_failed', 429: 'rate_limited', 500: 'internal', 503: 'unavailable'
} as const satisfies Record<number, string>

const titles: Record<number, string> = {
  400: 'Bad request', 401: 'Not authenticated', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 412: 'Precondition failed',
  413: 'Payload too large', 415: 'Unsupported media type', 422: 'Validation failed', 429: 'Too many requests', 500: 'Internal error',
  503: 'Temporarily unavailable'
}

/** One field's complaint: where in the request (a JSON pointer) and what is wrong. */
export interface FieldProblem {
  pointer: string
  detail: string
}

/** An RFC 9457 problem, with a stable `code` and, for invalid input, one entry per field. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  errors?: FieldProblem[]
}

export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'A URI naming the kind of problem ("about:blank": the status says it all).' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String({ description: 'What went wrong, for a person to read.' }),
  code: Type.String({ description: 'What went wrong, for a program: one of ' + [...Object.values(problemCodes), 'idempotency_key_reused', 'statement_timeout', 'busy'].join(', ') + '.' }),
  instance: Type.Optional(Type.String({ description: 'The request id, to quote when reporting a fault.' })),
  errors: Type.Optional(Type.Array(Type.Object({
    pointer: Type.String({ description: 'JSON pointer to the field, e.g. /name.' }),
    detail: Type.String()
  })))
}, { $id: 'Problem', description: 'An error, as RFC 9457 application/problem+json.' })

/** Fastify's schema errors as field problems: a pointer into the part of the request (the body's pointers bare). */
export function schemaProblems(validation: Array<{ instancePath: string; params: unknown; message?: string }>, part: string | undefined): FieldProblem[] {
  const prefix = part === 'body' ? '' : `/${part ?? ''}`
  return validation.map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty
    return { pointer: `${prefix}${v.instancePath}${missing ? `/${missing}` : ''}` || '/', detail: v.message ?? 'is not valid' }
  })
}

/** snake_case form field names, as the services name them, in the API's camelCase. */
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

export function problem(status: number, detail: string, extra: { fields?: Record<string, string>; errors?: FieldProblem[]; instance?: string; code?: string } = {}): Problem {
  const errors = extra.errors ?? (extra.fields ? Object.entries(extra.fields).map(([field, message]) => ({ pointer: `/${camel(field)}`, detail: message })) : undefined)
  return {
    type: 'about:blank', title: titles[status] ?? 'Error', status, detail,
    code: extra.code ?? (problemCodes as Record<number, string>)[status] ?? (status >= 500 ? 'internal' : 'bad_request'),
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(errors?.length ? { errors } : {})
  }
}
