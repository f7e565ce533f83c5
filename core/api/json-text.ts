import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Ajv, ValidateFunction } from 'ajv'

const sentAsText = new WeakSet<FastifyReply>()

/**
 * Answers with JSON text made elsewhere (by PostgreSQL, for a long list), sent as it is rather than
 * parsed and serialised again. Its shape is still the route's declared response: where responses are
 * checked (the tests), `checkJsonText` checks this text too.
 */
export function sendJsonText(reply: FastifyReply, text: string): string {
  sentAsText.add(reply)
  reply.type('application/json; charset=utf-8')
  return text
}

/** An onSend hook checking the JSON text a route sent through sendJsonText against the route's response schema for its status. */
export function checkJsonText(ajv: Ajv) {
  const compiled = new WeakMap<object, ValidateFunction>()
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!sentAsText.has(reply) || typeof payload !== 'string') return payload
    const schema = (request.routeOptions.schema?.response as Record<string, object> | undefined)?.[reply.statusCode]
    if (!schema) throw new Error(`${request.routeOptions.url} sent JSON text for ${reply.statusCode}, which it declares no schema for`)
    let validate = compiled.get(schema)
    if (!validate) compiled.set(schema, validate = ajv.compile(schema))
    if (!validate(JSON.parse(payload))) throw new Error(`${request.routeOptions.url} sent JSON text that its schema refuses: ${ajv.errorsText(validate.errors)}`)
    return payload
  }
}
