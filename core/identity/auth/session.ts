import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { allows, viewerOf, type Access, type ChannelAreas, type Viewer } from '../access.ts'
import type { Config } from '../../config.ts'
import type { Db } from '../../data/database.ts'
import { Forbidden, Unauthenticated } from '../../lib/errors.ts'
import { isApiUrl } from '../../api/problem.ts'
import { findSessionUser, insertSession, pruneSessions, revokeSession, touchSession } from '../users/users.repository.ts'

export const sessionCookie = 'pp_session'

interface SessionClaims {
  sub: string
  sv: number
  /** The session row; tokens signed before sessions had rows lack it and are refused. */
  sid?: string
}

const sessionDays = 7
/** Sessions that expired longer ago than this are deleted; until then a "your sessions" page can show them. */
const keepExpiredDays = 30
/** Every this-many sign-ins (and the first) in a process, old sessions are pruned: no job, and no sign-in waits long. */
const pruneEvery = 100
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The session row a verified token names, if it names one (the database would reject a malformed id). */
const namedSession = (claims: SessionClaims): { sid: string; sub: string; sv: number } | undefined =>
  typeof claims.sid === 'string' && uuid.test(claims.sid) && uuid.test(claims.sub) ? { sid: claims.sid, sub: claims.sub, sv: claims.sv } : undefined

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
  /** A report over every partner's data (core/web/heavy-routes.ts): the bench loads it at the gate's width. */
  heavy: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declared: for the security tests, the API description and the bench's sweep. */
    routeCatalog: readonly RouteEntry[]
  }
  interface FastifyRequest {
    /** The signed-in person, re-checked against the database on this request; null for visitors. */
    viewer: Viewer | null
    /** The session row the viewer is signed in with; null for visitors. */
    sessionId: string | null
  }
  interface FastifyReply {
    signIn(user: { id: string; session_version: number }): Promise<void>
    /** Ends the request's session on the server and clears its cookie. */
    signOut(): Promise<void>
  }
  interface FastifyContextConfig {
    /** Who may call the route. Every route must say. */
    access?: Access
  }
}

/** Throws unless the request's viewer may call its route, as the route's `config.access` says. */
export function checkAccess(request: Pick<FastifyRequest, 'routeOptions' | 'viewer'>): void {
  const access = request.routeOptions.config?.access
  if (!access || access === 'public' || allows(access, request.viewer)) return
  if (!request.viewer) throw new Unauthenticated()
  throw new Forbidden(access.startsWith('staff') && request.viewer.kind === 'partner'
    ? 'This area is for staff.'
    : access === 'partner-admin' ? 'Only your company’s partner admins can do this.' : 'You do not have access to this page.')
}

const untracked = (url: string) => url.startsWith('/assets/') || url === '/healthz' || url === '/readyz'

/**
 * Sessions: a signed JWT in an HttpOnly cookie naming a session row, its user and their session
 * version. Every request loads the session with its user in one query, so sign-out (of this
 * session or everywhere), deactivation, suspension and access changes take effect on the very
 * next request, on whichever instance serves it: the state is in the database, not the process.
 */
export default fp<{ config: Config; secret: string; db: Db; areas: ChannelAreas }>(async (app, { config, secret, db, areas }) => {
  const cookieOptions = {
    path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.PUBLIC_URL.startsWith('https://'), maxAge: sessionDays * 86_400
  }
  // One verifier for every request, caching the tokens it verified until they expire; the
  // database check below still runs every time. (request.jwtVerify builds a verifier per call.)
  await app.register(jwt, { secret, sign: { expiresIn: `${sessionDays}d` }, verify: { cache: 10_000 } })
  app.decorateRequest('viewer', null)
  app.decorateRequest('sessionId', null)

  const catalog: RouteEntry[] = []
  app.decorate('routeCatalog', catalog)
  app.addHook('onRoute', (route) => {
    if (untracked(route.url) || route.method === 'HEAD') return
    const access = route.config?.access
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`)
    for (const method of [route.method].flat()) catalog.push({ method, url: route.url, access, heavy: route.config?.heavy === true })
  })

  /** The session a cookie's token names, if the token is ours and unexpired; the database is not asked. */
  function tokenSession(token: string | undefined) {
    if (!token) return undefined
    try {
      return namedSession(app.jwt.verify<SessionClaims>(token))
    } catch {
      return undefined
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[sessionCookie]
    // The API is called with keys (core/api/api.ts): a cookie does not sign it in, so it has nothing to forge.
    if (untracked(request.url) || isApiUrl(request.url) || !token) return
    const session = tokenSession(token)
    const user = session && await findSessionUser(db, session.sid, session.sub)
    if (!session || !user || user.status !== 'active' || user.session_version !== session.sv ||
      (user.kind === 'partner' && user.partner_status === 'suspended')) {
      reply.clearCookie(sessionCookie, { path: '/' })
      return
    }
    if (user.seen_due) await touchSession(db, session.sid)
    request.viewer = viewerOf(user, areas)
    request.sessionId = session.sid
  })

  app.addHook('preHandler', async (request) => checkAccess(request))

  let signIns = 0
  app.decorateReply('signIn', async function (this: FastifyReply, user: { id: string; session_version: number }) {
    if (signIns++ % pruneEvery === 0) await pruneSessions(db, keepExpiredDays)
    const userAgent = this.request.headers['user-agent']?.trim().slice(0, 300) || null
    const sid = await insertSession(db, {
      userId: user.id, expiresAt: new Date(Date.now() + sessionDays * 86_400_000), userAgent, ip: this.request.ip.slice(0, 64) || null
    })
    const token = await this.jwtSign({ sub: user.id, sv: user.session_version, sid })
    // Not returned: a reply is thenable, and awaiting it would wait for the response itself.
    this.setCookie(sessionCookie, token, cookieOptions)
  })

  app.decorateReply('signOut', async function (this: FastifyReply) {
    // By the token, not request.viewer: a session refused for now (a suspended company) must not
    // come back if the refusal is lifted.
    const session = tokenSession(this.request.cookies[sessionCookie])
    if (session) await revokeSession(db, session.sid, session.sub)
    this.clearCookie(sessionCookie, { path: '/' })
  })
}, { name: 'session', dependencies: ['security'] })
