import type { FastifyPluginAsync } from 'fastify'
import { timeCursor } from '../../core/lib/pagination.ts'
import { idParams } from '../../core/lib/validation.ts'

const outboxRoutes: FastifyPluginAsync = async (app) => {
  const { outbox } = app.diContainer.cradle
  const config = { access: 'staff-admin' as const }

  app.get<{ Querystring: { to?: string; after?: string } }>('/admin/outbox', { config }, async (request, reply) => {
    const to = String(request.query.to ?? '').trim().slice(0, 254)
    const before = timeCursor(request.query.after)
    const page = await outbox.page({ to: to || undefined, before })
    return reply.page('admin/outbox', { page, to, paged: Boolean(before) }, { title: 'Outbox' })
  })

  app.get<{ Params: { id: string } }>('/admin/outbox/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const mail = await outbox.message(request.params.id)
    return reply.page('admin/outbox-message', { mail }, { title: mail.subject })
  })
}

export default outboxRoutes
