import type { FastifyPluginAsync } from 'fastify'
import { timeCursor } from '../../core/lib/pagination.ts'
import { idParams } from '../../core/lib/validation.ts'

/** Background jobs for staff admins: what waits, and what was given up with its error, to retry. */
const jobsRoutes: FastifyPluginAsync = async (app) => {
  const { jobQueue } = app.diContainer.cradle
  const config = { access: 'staff-admin' as const }

  app.get<{ Querystring: { after?: string } }>('/admin/jobs', { config }, async (request, reply) => {
    const before = timeCursor(request.query.after)
    const [counts, page] = await Promise.all([jobQueue.counts(), jobQueue.failed(before)])
    return reply.page('admin/jobs', { counts, page, paged: Boolean(before) }, { title: 'Background jobs' })
  })

  app.post<{ Params: { id: string } }>('/admin/jobs/:id/retry', { config, schema: { params: idParams } }, async (request, reply) => {
    await jobQueue.retry(request.params.id)
    return reply.flash('The job will run again in a moment.').seeOther('/admin/jobs')
  })
}

export default jobsRoutes
