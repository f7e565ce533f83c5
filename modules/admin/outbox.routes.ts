import type { FastifyPluginAsync } from 'fastify'
import { NotFound } from '../../core/errors.ts'
import { findMail, listMail } from '../../core/mail/mail.repository.ts'
import { pageSize, timeCursor, timePage } from '../../core/pagination.ts'
import { idParams } from '../../core/validation.ts'

const outboxRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.diContainer.cradle
  const config = { access: 'staff-admin' as const }

  app.get<{ Querystring: { to?: string; after?: string } }>('/admin/outbox', { config }, async (request, reply) => {
    const to = String(request.query.to ?? '').trim().slice(0, 254)
    const before = timeCursor(request.query.after)
    const rows = await listMail(db, { to: to || undefined, before, limit: pageSize + 1 })
    const page = timePage(rows, pageSize, (m) => m.created_key)
    return reply.page('admin/outbox', { page, to, paged: Boolean(before) }, { title: 'Outbox' })
  })

  app.get<{ Params: { id: string } }>('/admin/outbox/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const mail = await findMail(db, request.params.id)
    if (!mail) throw new NotFound('The message')
    return reply.page('admin/outbox-message', { mail }, { title: mail.subject })
  })
}

export default outboxRoutes
