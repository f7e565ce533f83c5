import fp from 'fastify-plugin'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from 'helmet'
import csrf from '@fastify/csrf-protection'
import rateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import { parse as parseQuery } from 'node:querystring'
import type { Config } from '../config.ts'

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Cookies, forms, security headers, CSRF on every state-changing request, rate limiting. */
export default fp<{ config: Config; secret: string }>(async (app, { config, secret }) => {
  const secure = config.PUBLIC_URL.startsWith('https://')
  await app.register(cookie, { secret })
  await app.register(formbody, { parser: (body) => parseQuery(body), bodyLimit: 1_048_576 })
  // Built once: @fastify/helmet rebuilds the whole header set, CSP included, on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"]
      }
    },
    strictTransportSecurity: secure,
    crossOriginEmbedderPolicy: false
  })
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)))
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'pp_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true }
  })
  // Several instances count sign-in attempts together in Redis. If Redis is out of reach, attempts
  // go uncounted rather than everyone being locked out; the error is logged.
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { connectTimeout: 1000, maxRetriesPerRequest: 1 }) : undefined
  if (redis) {
    redis.on('error', (err) => app.log.error({ err }, 'Redis for rate limits'))
    app.addHook('onClose', async () => { await redis.quit() })
  }
  await app.register(rateLimit, { global: false, ...(redis ? { redis, nameSpace: 'pp-rate-limit-', skipOnError: true } : {}) })

  // preValidation: the form body (with its _csrf field) is parsed by then.
  app.addHook('preValidation', (request, reply, done) => {
    if (!unsafeMethods.has(request.method) || request.routeOptions.config?.csrf === false) return done()
    app.csrfProtection(request, reply, done)
  })
}, { name: 'security' })

declare module 'fastify' {
  interface FastifyContextConfig {
    csrf?: boolean
  }
}
