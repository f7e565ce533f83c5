import type { FastifyPluginAsync } from 'fastify'
import { Invalid } from '../../core/lib/errors.ts'
import { decodeCursor } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { choice, email, idParams, parseForm, text, Type } from '../../core/lib/validation.ts'
import { signedIn } from '../../core/identity/access.ts'

const InviteForm = Type.Object({
  email: email(),
  name: text({ label: 'Name', max: 120 }),
  role: choice(['member', 'admin'], 'Role')
})
const RoleForm = Type.Object({ role: choice(['member', 'admin'], 'Role') })

interface ListQuery { q?: string; after?: string }

const staffRoutes: FastifyPluginAsync = async (app) => {
  const { staff, submissions } = app.diContainer.cradle
  const access = { access: 'staff-admin' as const }

  app.get<{ Querystring: ListQuery }>('/admin/staff', { config: access }, async (request, reply) => {
    const q = String(request.query.q ?? '').trim().slice(0, 100)
    const after = decodeCursor<{ name: string; id: string }>(request.query.after, { name: 'string', id: 'string' })
    const page = await staff.page({ search: q || undefined, after })
    return reply.page('admin/staff-list', { page, q, paged: Boolean(after) }, { title: 'Staff' })
  })

  app.get('/admin/staff/new', { config: access }, async (_request, reply) =>
    reply.page('admin/staff-invite', { values: { role: 'member' }, errors: {} }, { title: 'Invite a staff member' }))

  app.post<{ Body: Record<string, string> }>('/admin/staff', { config: access }, async (request, reply) => {
    try {
      const saved = await submissions.once(request, signedIn(request).id,
        (submission) => staff.invite(signedIn(request), parseForm(InviteForm, request.body), submission), (id) => `/admin/staff/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : `Invitation sent to ${saved.created.email}.`).seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return reply.page('admin/staff-invite', { values: request.body, errors: err.fields }, { title: 'Invite a staff member', status: 422 })
    }
  })

  app.get<{ Params: { id: string } }>('/admin/staff/:id', { config: access, schema: { params: idParams } }, async (request, reply) => {
    const user = await staff.member(request.params.id)
    return reply.page('admin/staff-detail', { user }, { title: user.name })
  })

  app.post<{ Params: { id: string }; Body: Record<string, string> }>('/admin/staff/:id/role', { config: access, schema: { params: idParams } }, async (request, reply) => {
    const form = parseForm(RoleForm, request.body)
    await staff.setRole(signedIn(request), request.params.id, form.role)
    return reply.flash('Role changed. It applies from their next request.').seeOther(`/admin/staff/${request.params.id}`)
  })

  app.post<{ Params: { id: string } }>('/admin/staff/:id/deactivate', { config: access, schema: { params: idParams } }, async (request, reply) => {
    await staff.setActive(signedIn(request), request.params.id, false)
    return reply.flash('Deactivated. They are signed out at their next request.').seeOther(`/admin/staff/${request.params.id}`)
  })

  app.post<{ Params: { id: string } }>('/admin/staff/:id/reactivate', { config: access, schema: { params: idParams } }, async (request, reply) => {
    await staff.setActive(signedIn(request), request.params.id, true)
    return reply.flash('Reactivated.').seeOther(`/admin/staff/${request.params.id}`)
  })

  app.post<{ Params: { id: string } }>('/admin/staff/:id/resend', { config: access, schema: { params: idParams } }, async (request, reply) => {
    await staff.resendInvitation(signedIn(request), request.params.id)
    return reply.flash('A new invitation is on its way; the old link no longer works.').seeOther(`/admin/staff/${request.params.id}`)
  })
}

export default staffRoutes
