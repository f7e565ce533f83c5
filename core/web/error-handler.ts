import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, Invalid, TooManyRequests, Unauthenticated } from '../lib/errors.ts'
import { isApiUrl, problem, schemaProblems, type FieldProblem } from '../api/problem.ts'
import { isStatementTimeout } from '../data/connection-errors.ts'

const titles: Record<number, string> = {
  400: 'That request was not valid', 401: 'Please sign in', 403: 'Not allowed', 404: 'Not found',
  409: 'That cannot be done now', 413: 'That file is too large', 422: 'Please check what you entered', 429: 'Too many attempts', 500: 'Something went wrong',
  503: 'Temporarily unavailable'
}

/** Seconds a client is asked to wait while the database is away: restarts and failovers take a few. */
const retryAfterSeconds = 5

const isApi = (request: FastifyRequest) => isApiUrl(request.url)

function respond(request: FastifyRequest, reply: FastifyReply, status: number, message: string, fields?: Record<string, string>, errors?: FieldProblem[], code?: string) {
  if (isApi(request)) {
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="api"')
    return reply.code(status).type('application/problem+json')
      .send(problem(status, message, { fields, errors, code, instance: status >= 500 ? request.id : undefined }))
  }
  return reply.page('errors/error', { status, message, fields, requestId: status >= 500 ? request.id : undefined }, {
    title: titles[status] ?? 'Error', status
  })
}

function unavailable(request: FastifyRequest, reply: FastifyReply) {
  reply.code(503).header('retry-after', String(retryAfterSeconds))
  const detail = 'The portal cannot reach its database just now. Try the request again in a moment.'
  if (isApi(request)) {
    return reply.type('application/problem+json').send(problem(503, detail))
  }
  const retryUrl = request.method === 'GET' ? request.url : undefined
  return reply.page('errors/error', { status: 503, retryUrl, message: 'The portal cannot reach its database just now. Try again in a moment — if you were saving a form, sending it again is safe: it is not saved twice.' }, {
    title: titles[503], status: 503
  })
}

function tooSlow(request: FastifyRequest, reply: FastifyReply) {
  request.log.warn({ route: request.routeOptions.url }, 'query cancelled by the statement timeout')
  reply.code(503).header('retry-after', String(retryAfterSeconds))
  const detail = 'This took too long to prepare and was stopped, so that the rest of the portal stays quick. Try again in a moment, or narrow what you asked for.'
  if (isApi(request)) return reply.type('application/problem+json').send(problem(503, detail, { code: 'statement_timeout' }))
  return reply.page('errors/error', { status: 503, retryUrl: request.method === 'GET' ? request.url : undefined, message: detail }, {
    title: 'This took too long', status: 503
  })
}

/** One place that turns errors into pages (or JSON under /api) and hides server faults. */
export default fp(async (app) => {
  const { availability } = app.diContainer.cradle
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof Unauthenticated && !isApi(request)) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : ''
      if (request.headers['hx-request'] === 'true') return reply.header('HX-Redirect', `/signin${next}`).code(401).send()
      return reply.seeOther(`/signin${next}`)
    }
    if (error instanceof DomainError) {
      return respond(request, reply, error.status, error.message, error instanceof Invalid ? error.fields : undefined, undefined, error.code)
    }
    if (error.statusCode === 429 || error instanceof TooManyRequests) {
      return respond(request, reply, 429, error.message)
    }
    if (error.code?.startsWith('FST_CSRF')) {
      request.log.info({ code: error.code }, 'csrf rejected')
      return respond(request, reply, 403, 'This form has expired or did not come from this site. Go back, reload the page and try again.')
    }
    if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return respond(request, reply, 413, 'The upload is larger than the limit. Split the file into smaller ones and import them one after another.')
    }
    if (error.validation && error.validationContext === 'params') return respond(request, reply, 404, 'There is nothing at this address.')
    if (error.validation && isApi(request)) {
      return respond(request, reply, error.validationContext === 'body' ? 422 : 400, 'The request was not valid; see errors.', undefined,
        schemaProblems(error.validation, error.validationContext))
    }
    if (error.validation) return respond(request, reply, 400, `The request was not valid: ${error.message}`)
    if (error.statusCode && error.statusCode < 500) return respond(request, reply, error.statusCode, error.message)
    if (isStatementTimeout(error)) return tooSlow(request, reply)
    // Logged once for the whole outage, not with a stack trace per request.
    if (availability.noteFailure(error, 'request')) return unavailable(request, reply)
    request.log.error({ err: error }, 'request failed')
    return respond(request, reply, 500, `An unexpected error occurred. If it keeps happening, tell your administrator the reference ${request.id}.`)
  })

  app.setNotFoundHandler((request, reply) =>
    respond(request, reply, 404, 'There is nothing at this address. It may have moved, or it is not yours to see.'))
}, { name: 'error-handler', dependencies: ['views'] })
