import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { signedIn, type Access, type Viewer } from '../../core/identity/access.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { pageSize } from '../../core/lib/pagination.ts'
import { idParams } from '../../core/lib/validation.ts'
import { rotationOverlapHours, type EndpointForm } from './webhooks.service.ts'

/** The two places endpoints are managed, beside the API keys: a company's (its admins) and the staff's (staff admins). */
const places = [
  { base: '/portal/integrations', access: 'partner-admin', partner: true },
  { base: '/admin/integrations', access: 'staff-admin', partner: false }
] as const satisfies ReadonlyArray<{ base: string; access: Access; partner: boolean }>

type Body = Record<string, string | string[] | undefined>
type ById = { Params: { id: string } }

const formOf = (body: Body): EndpointForm => ({
  url: String(body.url ?? ''), description: String(body.description ?? ''), events: [body.events ?? []].flat().map(String)
})

const webhooksRoutes: FastifyPluginAsync = async (app) => {
  const { webhooks } = app.diContainer.cradle

  for (const place of places) {
    const config = { access: place.access }
    const base = `${place.base}/webhooks`
    const byId = { config, schema: { params: idParams } }
    const choices = (viewer: Viewer) => webhooks.typesFor(viewer)

    const formPage = (reply: FastifyReply, viewer: Viewer, data: { values: EndpointForm; id?: string; errors?: Record<string, string>; message?: string }, status = 200) =>
      reply.page('webhooks/form', { ...data, place, base, choices: choices(viewer), errors: data.errors ?? {} },
        { title: data.id ? 'Edit webhook endpoint' : 'New webhook endpoint', status })

    const secretPage = (reply: FastifyReply, endpoint: { id: string; url: string }, secret: string, rotated: boolean) =>
      reply.header('cache-control', 'no-store').page('webhooks/secret', { endpoint, secret, rotated, base, place, overlapHours: rotationOverlapHours },
        { title: rotated ? 'New signing secret' : 'Webhook endpoint created', status: rotated ? 200 : 201 })

    app.get<{ Querystring: { after?: string } }>(base, { config }, async (request, reply) => {
      const page = await webhooks.list(signedIn(request), request.query.after, pageSize)
      return reply.page('webhooks/list', { page, place, base, paged: Boolean(request.query.after) }, { title: 'Webhooks' })
    })

    app.get(`${base}/new`, { config }, async (request, reply) =>
      formPage(reply, signedIn(request), { values: { url: '', description: '', events: [] } }))

    app.post<{ Body: Body }>(base, { config }, async (request, reply) => {
      const viewer = signedIn(request)
      const values = formOf(request.body ?? {})
      try {
        const { endpoint, secret } = await webhooks.create(viewer, values)
        return secretPage(reply, endpoint, secret, false)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return formPage(reply, viewer, { values, errors: err.fields, message: err.message }, 422)
      }
    })

    app.get<ById & { Querystring: { after?: string } }>(`${base}/:id`, byId, async (request, reply) => {
      const viewer = signedIn(request)
      const endpoint = await webhooks.get(viewer, request.params.id)
      const log = await webhooks.deliveries(viewer, endpoint.id, request.query.after, pageSize)
      return reply.page('webhooks/endpoint', { endpoint, log, place, base, paged: Boolean(request.query.after) }, { title: 'Webhook endpoint' })
    })

    app.get<ById>(`${base}/:id/edit`, byId, async (request, reply) => {
      const viewer = signedIn(request)
      const endpoint = await webhooks.get(viewer, request.params.id)
      return formPage(reply, viewer, { id: endpoint.id, values: { url: endpoint.url, description: endpoint.description, events: endpoint.events } })
    })

    app.post<ById & { Body: Body }>(`${base}/:id`, byId, async (request, reply) => {
      const viewer = signedIn(request)
      const values = formOf(request.body ?? {})
      try {
        await webhooks.update(viewer, request.params.id, values)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return formPage(reply, viewer, { id: request.params.id, values, errors: err.fields, message: err.message }, 422)
      }
      return reply.flash('The endpoint is saved.').seeOther(`${base}/${request.params.id}`)
    })

    for (const enabled of [true, false]) {
      app.post<ById>(`${base}/:id/${enabled ? 'enable' : 'disable'}`, byId, async (request, reply) => {
        await webhooks.setEnabled(signedIn(request), request.params.id, enabled)
        return reply.flash(enabled ? 'The endpoint is on: new events are sent to it.' : 'The endpoint is off: no events are sent to it.').seeOther(`${base}/${request.params.id}`)
      })
    }

    app.post<ById>(`${base}/:id/rotate`, byId, async (request, reply) => {
      const viewer = signedIn(request)
      const secret = await webhooks.rotateSecret(viewer, request.params.id)
      return secretPage(reply, await webhooks.get(viewer, request.params.id), secret, true)
    })

    app.post<ById>(`${base}/:id/test`, byId, async (request, reply) => {
      await webhooks.sendTest(signedIn(request), request.params.id)
      return reply.flash('A test event is on its way; its delivery shows in the log below in a moment.').seeOther(`${base}/${request.params.id}`)
    })

    app.post<ById>(`${base}/:id/delete`, byId, async (request, reply) => {
      const url = await webhooks.remove(signedIn(request), request.params.id)
      return reply.flash(`The endpoint ${url} is deleted: nothing more is sent to it.`).seeOther(base)
    })
  }
}

export default webhooksRoutes
