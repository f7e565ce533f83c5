import type { FastifyPluginAsync } from 'fastify'
import knowledgeAdminRoutes from './knowledge-admin.routes.ts'
import categoriesRoutes from './categories.routes.ts'
import knowledgeReadingRoutes from './knowledge-reading.routes.ts'

const knowledgeRoutes: FastifyPluginAsync = async (app) => {
  await app.register(knowledgeAdminRoutes)
  await app.register(categoriesRoutes)
  await app.register(knowledgeReadingRoutes)
}

export default knowledgeRoutes
