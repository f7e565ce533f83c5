import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn, type Viewer } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { cannedVariables } from './canned.service.ts'
import { CannedForm } from './cases.schemas.ts'

type IdRequest = { Params: { id: string }; Body: Record<string, unknown> }
const config = { access: 'staff' as const }

/** Staff's canned replies: their own, and the shared ones staff admins keep. */
const casesCannedRoutes: FastifyPluginAsync = async (app) => {
  const { cannedReplies, submissions } = app.diContainer.cradle

  const listPage = async (reply: FastifyReply, viewer: Viewer, state: { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string } = {}, status = 200) =>
    reply.page('cases/admin-canned', {
      replies: await cannedReplies.usable(viewer), variables: cannedVariables, values: state.values ?? {}, errors: state.errors ?? {}, message: state.message,
      mayShare: viewer.role === 'admin'
    }, { title: 'Canned replies', status })

  app.get('/admin/cases/canned', { config }, async (request, reply) => listPage(reply, signedIn(request)))

  app.post<{ Body: Record<string, unknown> }>('/admin/cases/canned', { config }, async (request, reply) => {
    const viewer = signedIn(request)
    try {
      const saved = await submissions.once(request, viewer.id, (submission) => cannedReplies.create(viewer, parseForm(CannedForm, request.body), submission), '/admin/cases/canned')
      return reply.flash(saved.repeat ? alreadySaved : 'Canned reply saved.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return listPage(reply, viewer, { values: request.body, errors: err.fields, message: err.message }, 422)
    }
  })

  const editPage = async (reply: FastifyReply, viewer: Viewer, id: string, state: { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string } = {}, status = 200) => {
    const canned = await cannedReplies.get(viewer, id)
    return reply.page('cases/admin-canned-edit', {
      canned, values: state.values ?? { ...canned, shared: canned.owner_id === null }, errors: state.errors ?? {}, message: state.message,
      variables: cannedVariables, mayShare: viewer.role === 'admin', editable: canned.owner_id !== null || viewer.role === 'admin'
    }, { title: canned.title, status })
  }

  app.get<IdRequest>('/admin/cases/canned/:id', { config, schema: { params: idParams } }, async (request, reply) => editPage(reply, signedIn(request), request.params.id))

  app.post<IdRequest>('/admin/cases/canned/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = signedIn(request)
    await cannedReplies.get(viewer, request.params.id)
    try {
      await cannedReplies.update(viewer, request.params.id, parseForm(CannedForm, request.body))
      return reply.flash('Canned reply saved.').seeOther('/admin/cases/canned')
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return editPage(reply, viewer, request.params.id, { values: request.body, errors: err.fields, message: err.message }, 422)
    }
  })

  app.post<IdRequest>('/admin/cases/canned/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    await cannedReplies.remove(signedIn(request), request.params.id)
    return reply.flash('Canned reply removed.').seeOther('/admin/cases/canned')
  })
}

export default casesCannedRoutes
