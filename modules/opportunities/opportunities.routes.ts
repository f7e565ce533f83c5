import type { FastifyPluginAsync } from 'fastify'
import channelRoutes from './channel.routes.ts'
import offersRoutes from './offers.routes.ts'
import opportunitiesAdminRoutes from './opportunities-admin.routes.ts'
import pipelineRoutes from './pipeline.routes.ts'
import rulesRoutes from './rules.routes.ts'

const opportunitiesRoutes: FastifyPluginAsync = async (app) => {
  await app.register(offersRoutes)
  await app.register(pipelineRoutes)
  await app.register(opportunitiesAdminRoutes)
  await app.register(channelRoutes)
  await app.register(rulesRoutes)
}

export default opportunitiesRoutes
