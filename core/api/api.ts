import type { FastifyPluginAsync } from 'fastify'
import swagger from '@fastify/swagger'
import responseValidation from '@fastify/response-validation'
import Type from 'typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { Feature } from '../features/features.ts'
import { apiKeyOf, type KeyViewer } from '../identity/api-keys/api-keys.service.ts'
import { checkAccess } from '../identity/auth/session.ts'
import { TooManyRequests, Unauthenticated } from '../lib/errors.ts'
import { ProblemSchema } from './problem.ts'
import { described, NullableId, OneOf } from './schemas.ts'
import apiDocs from './docs.ts'
import { checkJsonText } from './json-text.ts'

export interface ApiOptions {
  features: Feature[]
  publicUrl: string
  /** Requests a key may make a minute. */
  rateLimit: number
  /** Checks every response against its declared schema (the tests turn it on). */
  validateResponses: boolean
}

const bearer = /^Bearer\s+(\S+)\s*$/i

const MeResponse = Type.Object({
  key: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  kind: OneOf(['partner', 'staff']),
  partnerId: NullableId,
  role: OneOf(['admin', 'member'], { description: 'admin: a partner admin’s key that holds every permission, which also manages the company profile and the team.' }),
  issuedBy: Type.Object({ id: Type.String({ format: 'uuid' }), email: Type.String() }),
  permissions: Type.Record(Type.String(), Type.Unknown(), { description: 'What the key may do, area by area: within its own permissions and its issuer’s.' })
})

/**
 * The JSON API under /api/v1: authenticated by API keys (never by the session cookie, so there is
 * no CSRF surface), rate-limited per key, errors as problem+json, and every route described by
 * its schemas in the OpenAPI document that @fastify/swagger builds from them.
 */
const api: FastifyPluginAsync<ApiOptions> = async (app, options) => {
  app.addSchema(ProblemSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Partner Portal API', version: '1',
        description: 'The partner portal for programs: partners, customers and opportunities. Authenticate with an API key: `Authorization: Bearer <key>`.'
      },
      servers: [{ url: options.publicUrl }],
      webhooks: Object.assign({}, ...options.features.map((feature) => feature.apiWebhooks?.(app.diContainer.cradle.contributions) ?? {})),
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, issued under Integrations.' } } },
      security: [{ apiKey: [] }]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) }
  })
  await app.register(apiDocs, { publicUrl: options.publicUrl })

  await app.register(async (v1) => {
    // Bodies exactly as sent (an unknown field or a number for a name is an error, not dropped or
    // turned into text); the query and path, which arrive as text, are read as their types.
    const strict = addFormats.default(new Ajv({ strict: false, allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true }))
    const lenient = addFormats.default(new Ajv({ strict: false, allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true }))
    v1.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema))
    if (options.validateResponses) {
      const ajv = addFormats.default(new Ajv({ strict: false, allErrors: true }))
      ajv.addSchema(ProblemSchema)
      await v1.register(responseValidation, { ajv })
      v1.addHook('onSend', checkJsonText(ajv))
    }
    v1.addHook('onRoute', (route) => {
      route.config = { ...route.config, csrf: false }
      if (!route.schema?.response) throw new Error(`API route ${String(route.method)} ${route.url} declares no response schema`)
      route.schema = { ...route.schema, response: { ...route.schema.response, '4XX': { $ref: 'Problem#' }, '5XX': { $ref: 'Problem#' } } }
    })
    v1.addHook('onRequest', async (request) => {
      const token = bearer.exec(request.headers.authorization ?? '')?.[1]
      if (!token) throw new Unauthenticated('Send an API key: Authorization: Bearer <key>.')
      const viewer = await app.diContainer.cradle.apiKeys.authenticate(token)
      if (!viewer) throw new Unauthenticated('This API key does not work: it is unknown, revoked or expired, or the person who issued it no longer has access.')
      request.viewer = viewer
    })
    v1.addHook('onRequest', app.rateLimit({
      max: options.rateLimit,
      timeWindow: '1 minute',
      keyGenerator: (request) => `api-key:${apiKeyOf(request).id}`,
      errorResponseBuilder: (_request, context) =>
        new TooManyRequests(`This key made more than ${options.rateLimit} requests in a minute. Wait ${Math.ceil(context.ttl / 1000)} seconds.`)
    }))

    // Before the body is validated: a key that may not call a route learns nothing of what it accepts.
    v1.addHook('preValidation', async (request) => checkAccess(request))

    v1.get('/me', {
      config: { access: 'signed-in' },
      schema: { summary: 'The key making the call', description: 'Who the key acts for and what it may do.', tags: ['Keys'], response: { 200: described(MeResponse, 'The key and its issuer.') } }
    }, async (request) => {
      const viewer = request.viewer as KeyViewer
      return {
        key: viewer.apiKey, kind: viewer.kind, partnerId: viewer.partnerId, role: viewer.role,
        issuedBy: { id: viewer.id, email: viewer.email }, permissions: viewer.permissions
      }
    })
    for (const feature of options.features) if (feature.api) await v1.register(feature.api)
  }, { prefix: '/api/v1' })

  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger())
}

export default api
