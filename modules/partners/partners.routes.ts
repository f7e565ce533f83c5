import type { FastifyPluginAsync } from 'fastify'
import publicRoutes from './public.routes.ts'
import portalRoutes from './portal.routes.ts'
import teamRoutes from './team.routes.ts'
import recruitmentRoutes from './recruitment.routes.ts'
import partnersAdminRoutes from './partners-admin.routes.ts'
import programRoutes from './program.routes.ts'

const partnersRoutes: FastifyPluginAsync = async (app) => {
  await app.register(publicRoutes)
  await app.register(portalRoutes)
  await app.register(teamRoutes)
  await app.register(recruitmentRoutes)
  await app.register(partnersAdminRoutes)
  await app.register(programRoutes)
}

export default partnersRoutes
