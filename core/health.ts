import { sql } from 'kysely'
import type { FastifyPluginAsync } from 'fastify'

/** /healthz: the process answers. /readyz: and its database does too (for load balancers). */
const healthRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.diContainer.cradle
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { config: { access: 'public' } }, async (request, reply) => {
    try {
      await sql`select 1`.execute(db)
      return { status: 'ready' }
    } catch (err) {
      request.log.warn({ err }, 'database not reachable')
      return reply.code(503).send({ status: 'database unreachable' })
    }
  })
}

export default healthRoutes
