import type { FastifyPluginAsync } from 'fastify'
import { timeCursor } from '../../core/lib/pagination.ts'

interface AuditQuery { entity?: string; actor?: string; action?: string; record?: string; after?: string }

const clean = (value: unknown, max = 100) => String(value ?? '').trim().slice(0, max)

const auditRoutes: FastifyPluginAsync = async (app) => {
  const { auditTrail } = app.diContainer.cradle

  app.get<{ Querystring: AuditQuery }>('/admin/audit', { config: { access: 'staff' } }, async (request, reply) => {
    const filters = {
      entity: clean(request.query.entity), actor: clean(request.query.actor),
      action: clean(request.query.action), record: clean(request.query.record)
    }
    const after = timeCursor(request.query.after)
    const page = await auditTrail.page({
      entity: filters.entity || undefined, actor: filters.actor || undefined, action: filters.action || undefined,
      entityId: filters.record || undefined, after
    })
    return reply.page('admin/audit', { page, filters, entities: await auditTrail.entities(), paged: Boolean(after) }, { title: 'Audit trail' })
  })
}

export default auditRoutes
