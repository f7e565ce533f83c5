import type { FastifyPluginAsync } from 'fastify'
import casesAdminRoutes from './cases-admin.routes.ts'
import casesCannedRoutes from './cases-canned.routes.ts'
import casesExportRoutes from './cases-export.routes.ts'
import casesSettingsRoutes from './cases-settings.routes.ts'
import casesPortalRoutes from './cases-portal.routes.ts'
import { acceptUploads } from './uploads.ts'

const casesRoutes: FastifyPluginAsync = async (app) => {
  await acceptUploads(app)
  await app.register(casesPortalRoutes)
  await app.register(casesExportRoutes)
  await app.register(casesAdminRoutes)
  await app.register(casesCannedRoutes)
  await app.register(casesSettingsRoutes)
}

export default casesRoutes
