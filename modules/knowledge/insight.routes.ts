import type { FastifyPluginAsync } from 'fastify'

const periods = [7, 30, 90, 365]

/** Staff see what was read, rated and searched for in vain, over a chosen period. */
const insightRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeEngagement, knowledgeReading } = app.diContainer.cradle

  app.get<{ Querystring: { days?: string } }>('/admin/knowledge/insight', { config: { access: 'staff' } }, async (request, reply) => {
    const days = periods.find((p) => String(p) === request.query.days) ?? 30
    await Promise.all([knowledgeEngagement.flush(), knowledgeReading.flushSearches()])
    const insight = await knowledgeEngagement.insight(days)
    return reply.page('knowledge/admin-insight', { ...insight, days, periods }, { title: 'Knowledge insight' })
  })
}

export default insightRoutes
