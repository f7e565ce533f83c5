import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn, type Access, type ChannelPermissions, type Viewer } from '../../core/identity/access.ts'
import { lifetimes } from '../../core/identity/api-keys/api-keys.service.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { pageSize } from '../../core/lib/pagination.ts'
import { idParams } from '../../core/lib/validation.ts'

/** The two places keys are managed: a company's (its admins) and the staff's (staff admins). */
const places = [
  { base: '/portal/integrations', access: 'partner-admin', partner: true, crumb: 'Company' },
  { base: '/admin/integrations', access: 'staff-admin', partner: false, crumb: 'Settings' }
] as const satisfies ReadonlyArray<{ base: string; access: Access; partner: boolean; crumb: string }>

const lifetimeOptions = Object.entries(lifetimes).map(([value, label]) => ({ value, label }))

const integrationsRoutes: FastifyPluginAsync = async (app) => {
  const { apiKeys, channelAreas } = app.diContainer.cradle
  const grid = { areas: channelAreas.list, grants: channelAreas.grants }

  for (const place of places) {
    const config = { access: place.access }
    type Body = { Body: Record<string, string> }

    const formPage = (reply: FastifyReply, data: { values: Record<string, unknown>; permissions: ChannelPermissions; errors?: Record<string, string>; message?: string }, status = 200) =>
      reply.page('integrations/key-form', { ...data, ...grid, place, lifetimeOptions, errors: data.errors ?? {} }, { title: 'New API key', status })

    app.get<{ Querystring: { after?: string } }>(place.base, { config }, async (request, reply) => {
      const page = await apiKeys.list(signedIn(request), request.query.after, pageSize)
      return reply.page('integrations/keys', { page, place, paged: Boolean(request.query.after) }, { title: 'Integrations' })
    })

    app.get(`${place.base}/keys/new`, { config }, async (_request, reply) =>
      formPage(reply, { values: { lifetime: '90' }, permissions: channelAreas.defaults }))

    app.post<Body>(`${place.base}/keys`, { config }, async (request, reply) => {
      const viewer: Viewer = signedIn(request)
      const body = request.body ?? {}
      try {
        const permissions = place.partner ? channelAreas.fromForm(body) : null
        const key = await apiKeys.issue(viewer, { name: String(body.name ?? ''), lifetime: String(body.lifetime ?? '') }, permissions)
        return reply.header('cache-control', 'no-store').page('integrations/key-issued', { key, place }, { title: 'API key issued', status: 201 })
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return formPage(reply, { values: body, permissions: channelAreas.asFilledIn(body), errors: err.fields, message: err.message }, 422)
      }
    })

    app.post<{ Params: { id: string } }>(`${place.base}/keys/:id/revoke`, { config, schema: { params: idParams } }, async (request, reply) => {
      const name = await apiKeys.revoke(signedIn(request), request.params.id)
      return reply.flash(`The key “${name}” is revoked: its next request is refused.`).seeOther(place.base)
    })
  }
}

export default integrationsRoutes
