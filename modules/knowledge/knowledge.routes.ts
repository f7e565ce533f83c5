import type { FastifyPluginAsync } from 'fastify'
import knowledgeAdminRoutes from './knowledge-admin.routes.ts'
import categoriesRoutes from './categories.routes.ts'
import insightRoutes from './insight.routes.ts'
import attachmentsRoutes from './attachments.routes.ts'
import knowledgeReadingRoutes from './knowledge-reading.routes.ts'

const knowledgeRoutes: FastifyPluginAsync = async (app) => {
  const { knowledgeEngagement, knowledgeReading } = app.diContainer.cradle
  // Before the database closes (its own hook is an onClose); views and searches of a request still in flight then are lost.
  app.addHook('preClose', async () => {
    await Promise.all([knowledgeEngagement.flush(), knowledgeReading.flushSearches()])
  })
  await app.register(knowledgeAdminRoutes)
  await app.register(categoriesRoutes)
  await app.register(insightRoutes)
  await app.register(attachmentsRoutes)
  await app.register(knowledgeReadingRoutes)
}

export default knowledgeRoutes
