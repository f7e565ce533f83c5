import { sql } from 'kysely'
import type { FastifyPluginAsync } from 'fastify'

/**
 * /healthz: the process answers. /readyz: it should be sent traffic — its database answers and it
 * is not stopping (load balancers take it out of rotation during the drain).
 */
const healthRoutes: FastifyPluginAsync = async (app) => {
  const { db, lifecycle, availability } = app.diContainer.cradle
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: 'draining' })
    try {
      await sql`select 1`.execute(db)
      return { status: 'ready' }
    } catch (err) {
      availability.noteFailure(err)
      return reply.code(503).header('retry-after', '5').send({ status: 'database unreachable' })
    }
  })
}

export default healthRoutes
