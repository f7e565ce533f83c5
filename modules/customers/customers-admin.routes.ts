import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { signedIn } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { pageSize } from '../../core/lib/pagination.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { wantsFragment } from '../../core/web/views.ts'
import { renderPanels } from '../../core/features/widgets.ts'
import { staffFilter, type StaffListQuery } from './customer-filters.ts'
import { ReassignForm } from './customers.schemas.ts'

type ById = { Params: { id: string } }

const customersAdminRoutes: FastifyPluginAsync = async (app) => {
  const { customersAdmin, partners, auditTrail, pageLoader } = app.diContainer.cradle
  const config = { access: 'staff' as const }
  const report = { ...config, heavy: true }
  // The list reads an index in its order, of everyone's accounts or one partner's; a text search may walk every account.
  const searched = { ...config, heavy: (request: FastifyRequest) => Boolean((request.query as StaffListQuery).q?.trim()) }

  /** The account's page; `state.q` and `state.chosen` are the reassign picker's search and choice. */
  async function accountPage(reply: FastifyReply, viewer: NonNullable<typeof reply.request.viewer>, id: string,
    state: { errors?: FieldErrors; message?: string; status?: number; q?: unknown; chosen?: unknown } = {}) {
    const load = pageLoader()
    const [read, history] = await Promise.all([customersAdmin.accountPage(load, id), auditTrail.historyOf(load, id)])
    const { account } = read
    const [picker, panels] = await Promise.all([
      partners.partnerPicker(state.q, state.chosen, { active: true, exceptIds: [account.partner_id], typed: true }),
      renderPanels(app, viewer, 'customer-account', { id, partnerId: account.partner_id })
    ])
    const page = { ...read, history, picker, panels, errors: state.errors ?? {}, message: state.message }
    return reply.page('customers/admin-account', page, { title: account.name, status: state.status })
  }

  app.get<{ Querystring: StaffListQuery }>('/admin/customers', { config: searched }, async (request, reply) => {
    const { filters, filter, paged } = staffFilter(request.query)
    const page = await customersAdmin.list(filter, pageSize)
    const partner = filters.partner ? (await partners.partnerNames({ ids: [filters.partner] }))[0] : undefined
    const data = { page, filters, paged, partner }
    return reply.page(wantsFragment(request) ? 'customers/admin-results' : 'customers/admin-accounts', data, { title: 'Customers' })
  })

  app.get('/admin/customers/duplicates', { config: report }, async (_request, reply) =>
    reply.page('customers/admin-duplicates', { pairs: await customersAdmin.possibleDuplicates() }, { title: 'Possible duplicate customers' }))

  app.get<ById & { Querystring: { q?: string; partner_id?: string } }>('/admin/customers/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    accountPage(reply, signedIn(request), request.params.id, { q: request.query.q, chosen: request.query.partner_id }))

  app.post<ById & { Body: Record<string, string> }>('/admin/customers/:id/reassign', { config, schema: { params: idParams } }, async (request, reply) => {
    await customersAdmin.account(request.params.id)
    try {
      const moved = await customersAdmin.reassign(signedIn(request), request.params.id, parseForm(ReassignForm, request.body).partner_id)
      return reply.flash(`${moved.name} now belongs to ${moved.partner}; its contacts moved with it.`).seeOther(`/admin/customers/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return accountPage(reply, signedIn(request), request.params.id, { errors: err.fields, message: err.message, status: 422, chosen: request.body.partner_id })
    }
  })
}

export default customersAdminRoutes
