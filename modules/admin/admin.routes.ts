import type { FastifyPluginAsync } from 'fastify'
import { renderWidgets } from '../../core/features/widgets.ts'
import auditRoutes from './audit.routes.ts'
import jobsRoutes from './jobs.routes.ts'
import outboxRoutes from './outbox.routes.ts'
import staffRoutes from './staff.routes.ts'
import { signedIn } from '../../core/identity/access.ts'

const adminRoutes: FastifyPluginAsync = async (app) => {
  app.get('/admin', { config: { access: 'staff' } }, async (request, reply) => {
    const widgets = await renderWidgets(app, signedIn(request), 'staff')
    return reply.page('admin/home', { widgets }, { title: 'Admin home' })
  })
  await app.register(staffRoutes)
  await app.register(auditRoutes)
  await app.register(outboxRoutes)
  await app.register(jobsRoutes)
}

export default adminRoutes
