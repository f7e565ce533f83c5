import type { FastifyPluginAsync } from 'fastify'
import { partnerViewer } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { choice, idParams, parseForm, Type } from '../../core/lib/validation.ts'
import { InviteEmployeeForm } from './partners.schemas.ts'

const RoleForm = Type.Object({ role: choice(['member', 'admin'], 'Role') })

const teamRoutes: FastifyPluginAsync = async (app) => {
  const { partners, partnerUsers, submissions, channelAreas } = app.diContainer.cradle
  const grid = { areas: channelAreas.list, grants: channelAreas.grants }
  const config = { access: 'partner-admin' as const }
  type IdRequest = { Params: { id: string }; Body: Record<string, string> }

  app.get('/portal/team', { config }, async (request, reply) => {
    const people = await partnerUsers.list(partnerViewer(request).partnerId)
    return reply.page('partners/team', { people }, { title: 'Team' })
  })

  app.get('/portal/team/invite', { config }, async (_request, reply) =>
    reply.page('partners/team-invite', { values: {}, errors: {}, ...grid, permissions: channelAreas.defaults }, { title: 'Invite an employee' }))

  app.post<{ Body: Record<string, string> }>('/portal/team', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      const saved = await submissions.once(request, viewer.id, (submission) => {
        const form = parseForm(InviteEmployeeForm, request.body)
        return partners.inviteEmployee(viewer, viewer.partnerId, form, channelAreas.fromForm(request.body), submission)
      }, (id) => `/portal/team/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : `Invitation sent to ${saved.created.email}. The link works once, for 7 days.`).seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.page('partners/team-invite', { values: request.body, errors: err.fields, message: err.message, ...grid, permissions: channelAreas.asFilledIn(request.body) }, { title: 'Invite an employee', status: 422 })
    }
  })

  app.get<IdRequest>('/portal/team/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const person = await partnerUsers.member(partnerViewer(request).partnerId, request.params.id)
    return reply.page('partners/team-member', { person, ...grid, permissions: channelAreas.normalise(person.permissions), errors: {} }, { title: person.name })
  })

  app.post<IdRequest>('/portal/team/:id/permissions', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // Ownership before the form: another partner's id must answer 404, never a form error.
    await partnerUsers.member(viewer.partnerId, request.params.id)
    await partnerUsers.setPermissions(viewer, viewer.partnerId, request.params.id, channelAreas.fromForm(request.body))
    return reply.flash('Access saved. It applies from their next request.').seeOther(`/portal/team/${request.params.id}`)
  })

  app.post<IdRequest>('/portal/team/:id/role', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await partnerUsers.member(viewer.partnerId, request.params.id)
    const form = parseForm(RoleForm, request.body)
    await partnerUsers.setRole(viewer, viewer.partnerId, request.params.id, form.role)
    return reply.flash(form.role === 'admin' ? 'They are now a partner admin.' : 'They are no longer a partner admin.').seeOther(`/portal/team/${request.params.id}`)
  })

  app.post<IdRequest>('/portal/team/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await partnerUsers.setAccess(viewer, viewer.partnerId, request.params.id, false)
    return reply.flash('Portal access removed. They are signed out at their next request.').seeOther(`/portal/team/${request.params.id}`)
  })

  app.post<IdRequest>('/portal/team/:id/restore', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await partnerUsers.setAccess(viewer, viewer.partnerId, request.params.id, true)
    return reply.flash('Portal access restored.').seeOther(`/portal/team/${request.params.id}`)
  })

  app.post<IdRequest>('/portal/team/:id/resend', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await partners.resendInvitation(viewer, viewer.partnerId, request.params.id)
    return reply.flash('A new invitation is on its way; the old link no longer works.').seeOther(`/portal/team/${request.params.id}`)
  })
}

export default teamRoutes
