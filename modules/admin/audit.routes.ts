import type { FastifyPluginAsync } from 'fastify'
import { listAudit, listAuditEntities } from '../../core/audit/audit.repository.ts'
import { pageSize, timeCursor, timePage } from '../../core/pagination.ts'

interface AuditQuery { entity?: string; actor?: string; action?: string; record?: string; after?: string }

const clean = (value: unknown, max = 100) => String(value ?? '').trim().slice(0, max)

const auditRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.diContainer.cradle

  app.get<{ Querystring: AuditQuery }>('/admin/audit', { config: { access: 'staff' } }, async (request, reply) => {
    const filters = {
      entity: clean(request.query.entity), actor: clean(request.query.actor),
      action: clean(request.query.action), record: clean(request.query.record)
    }
    const after = timeCursor(request.query.after)
    const rows = await listAudit(db, {
      entity: filters.entity || undefined, actor: filters.actor || undefined, action: filters.action || undefined,
      entityId: filters.record || undefined, after, limit: pageSize + 1
    })
    const page = timePage(rows, pageSize, (r) => r.at_key)
    return reply.page('admin/audit', { page, filters, entities: await listAuditEntities(db), paged: Boolean(after) }, { title: 'Audit trail' })
  })
}

export default auditRoutes
