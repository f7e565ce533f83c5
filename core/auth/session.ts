import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyReply } from 'fastify'
import { allows, normalisePermissions, type Access, type Viewer } from '../access.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/database.ts'
import { Forbidden, Unauthenticated } from '../errors.ts'
import { findSessionUser } from '../users/users.repository.ts'

export const sessionCookie = 'pp_session'

interface SessionClaims {
  sub: string
  sv: number
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: SessionClaims
    user: SessionClaims
  }
}

export interface RouteEntry {
  method: string
  url: string
  access: Access
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declared: for the security tests and the API description. */
    routeCatalog: readonly RouteEntry[]
  }
  interface FastifyRequest {
    /** The signed-in person, re-checked against the database on this request; null for visitors. */
    viewer: Viewer | null
  }
  interface FastifyReply {
    signIn(user: { id: string; session_version: number }): Promise<void>
    signOut(): FastifyReply
  }
  interface FastifyContextConfig {
    /** Who may call the route. Every route must say. */
    access?: Access
  }
}

const untracked = (url: string) => url.startsWith('/assets/') || url === '/healthz' || url === '/readyz'

/**
 * Sessions: a signed JWT in an HttpOnly cookie naming the user and their session version. Every
 * request loads the user and compares the version, so sign-out everywhere, deactivation,
 * suspension and access changes take effect on the very next request.
 */
export default fp<{ config: Config; secret: string; db: Db }>(async (app, { config, secret, db }) => {
  const cookieOptions = {
    path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.PUBLIC_URL.startsWith('https://'), maxAge: 7 * 86_400
  }
  // One verifier for every request, caching the tokens it verified until they expire; the
  // database check below still runs every time. (request.jwtVerify builds a verifier per call.)
  await app.register(jwt, { secret, sign: { expiresIn: '7d' }, verify: { cache: 10_000 } })
  app.decorateRequest('viewer', null)

  const catalog: RouteEntry[] = []
  app.decorate('routeCatalog', catalog)
  app.addHook('onRoute', (route) => {
    if (untracked(route.url) || route.method === 'HEAD') return
    const access = route.config?.access
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`)
    for (const method of [route.method].flat()) catalog.push({ method, url: route.url, access })
  })

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[sessionCookie]
    if (untracked(request.url) || !token) return
    let claims: SessionClaims
    try {
      claims = app.jwt.verify<SessionClaims>(token)
    } catch {
      reply.clearCookie(sessionCookie, { path: '/' })
      return
    }
    const user = await findSessionUser(db, claims.sub)
    if (!user || user.status !== 'active' || user.session_version !== claims.sv ||
      (user.kind === 'partner' && user.partner_status === 'suspended')) {
      reply.clearCookie(sessionCookie, { path: '/' })
      return
    }
    request.viewer = {
      id: user.id, email: user.email, name: user.name, kind: user.kind, role: user.role,
      partnerId: user.partner_id, partnerStatus: user.partner_status,
      permissions: normalisePermissions(user.permissions), sessionVersion: user.session_version
    }
  })

  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config?.access
    if (!access || access === 'public' || allows(access, request.viewer)) return
    if (!request.viewer) throw new Unauthenticated()
    throw new Forbidden(access.startsWith('staff') && request.viewer.kind === 'partner'
      ? 'This area is for staff.'
      : access === 'partner-admin' ? 'Only your company’s partner admins can do this.' : 'You do not have access to this page.')
  })

  app.decorateReply('signIn', async function (this: FastifyReply, user: { id: string; session_version: number }) {
    const token = await this.jwtSign({ sub: user.id, sv: user.session_version })
    // Not returned: a reply is thenable, and awaiting it would wait for the response itself.
    this.setCookie(sessionCookie, token, cookieOptions)
  })

  app.decorateReply('signOut', function (this: FastifyReply) {
    return this.clearCookie(sessionCookie, { path: '/' })
  })
}, { name: 'session', dependencies: ['security'] })
