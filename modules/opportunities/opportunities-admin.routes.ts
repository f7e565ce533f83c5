import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { renderPanels } from '../../core/features/widgets.ts'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { csvStream, sendCsv } from '../../core/web/csv-download.ts'
import { pageSize, timeCursor } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, isId, parseForm, Type } from '../../core/lib/validation.ts'
import { factors } from './factors.ts'
import {
  currencies, OfferForm, PartnerChoiceForm, ReasonForm, StaffNoteForm, StaffOpportunityForm
} from './opportunities.schemas.ts'
import { stages, statuses } from './opportunities.table.ts'
import { signedIn } from '../../core/identity/access.ts'

interface ListQuery { status?: string; partner?: string; stage?: string; q?: string; account?: string; after?: string }
type ById = { Params: { id: string } }

const exportPage = 1000
const exportColumns = ['number', 'name', 'customer', 'territory', 'partner', 'status', 'stage', 'source', 'estimated_revenue', 'currency',
  'expected_close', 'changed_at'] as const
type FormById = ById & { Body: Record<string, string | string[]> }

/** Which form a refusal belongs to: 'note', 'decline', 'collaborator', or the partner id of an offer row. */
interface PageState {
  form?: string; errors?: FieldErrors; values?: Record<string, unknown>; message?: string; status?: number; after?: { key: string; id: string }
  /** The share form's partner picker: what was searched for. */
  q?: unknown
}

const collaboratorParams = Type.Object({ id: Type.String({ format: 'uuid' }), partnerId: Type.String({ format: 'uuid' }) })

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' =>
  (typeof value === 'string' && allowed.includes(value as T) ? value as T : '')


/** What the create form shows again after a refusal: what was typed, expertise kept as a list. */
const submitted = (body: Record<string, string | string[]>) => ({ ...body, expertise: [body.expertise ?? []].flat() })

const opportunitiesAdminRoutes: FastifyPluginAsync = async (app) => {
  const { opportunities, distribution, channel, partners, submissions, pageLoader } = app.diContainer.cradle
  const config = { access: 'staff' as const }
  const report = { ...config, heavy: true }
  // The list reads its order's index for every filter but a text search, which may walk every deal.
  const searched = { ...config, heavy: (request: FastifyRequest) => Boolean((request.query as ListQuery).q?.trim()) }

  async function showNew(reply: FastifyReply, state: PageState = {}) {
    const rules = await distribution.rules()
    const page = {
      currencies, expertiseOptions: (await partners.program()).expertise_options,
      values: state.values ?? { currency: 'USD', distribution: rules.auto_distribute ? 'auto' : 'manual', expertise: [] },
      errors: state.errors ?? {}, message: state.message
    }
    return reply.page('opportunities/admin-new', page, { title: 'New opportunity', status: state.status })
  }

  /** The opportunity's page, also re-rendered with the messages of a refused change. */
  async function showOpportunity(reply: FastifyReply, id: string, state: PageState = {}) {
    const deal = await channel.opportunity(pageLoader(), id, state.after)
    const taken = [deal.opportunity.partner_id, ...deal.collaborators.map((c) => c.id)].filter((id): id is string => Boolean(id))
    const chosen = state.form === 'collaborator' ? state.values?.partner_id : undefined
    const page = {
      ...deal, olderEvents: Boolean(state.after), factors, taken,
      picker: await partners.partnerPicker(state.q, chosen, { active: true, exceptIds: taken, typed: true }),
      form: state.form, errors: state.errors ?? {}, values: state.values ?? {}, message: state.message,
      panels: await renderPanels(app, signedIn(reply.request), 'opportunity', { id: deal.opportunity.id, partnerId: deal.opportunity.partner_id })
    }
    return reply.page('opportunities/admin-opportunity', page, { title: `#${deal.opportunity.number} ${deal.opportunity.name}`, status: state.status })
  }

  /** Refusals re-render the page: field messages with 422 beside the form sent, a change the status does not allow with 409. */
  async function change(reply: FastifyReply, id: string, form: string, values: Record<string, unknown>, action: () => Promise<string>) {
    try {
      return reply.flash(await action()).seeOther(`/admin/opportunities/${id}`)
    } catch (err) {
      if (err instanceof Invalid) return showOpportunity(reply, id, { form, errors: err.fields, values, message: err.message, status: 422 })
      if (err instanceof Conflict) return showOpportunity(reply, id, { form, message: err.message, status: 409 })
      throw err
    }
  }

  /** The staff list's filters from its address, as the page shows them and as the channel service takes them. */
  const staffFilter = (q: ListQuery) => {
    const filters = {
      status: pick(q.status, statuses), partner: isId(q.partner) ? q.partner : '', stage: pick(q.stage, stages), q: String(q.q ?? '').trim().slice(0, 100),
      account: isId(q.account) ? q.account : ''
    }
    const filter = {
      status: filters.status || undefined, partnerId: filters.partner || undefined, stage: filters.stage || undefined,
      search: filters.q || undefined, accountId: filters.account || undefined
    }
    return { filters, filter }
  }

  app.get<{ Querystring: ListQuery }>('/admin/opportunities', { config: searched }, async (request, reply) => {
    const { filters, filter } = staffFilter(request.query)
    const after = timeCursor(request.query.after)
    const { page, counts } = await channel.listWithCounts(pageLoader(), { ...filter, after }, pageSize)
    const partner = filters.partner ? (await partners.partnerNames({ ids: [filters.partner] }))[0] : undefined
    return reply.page('opportunities/admin-list', { page, filters, paged: Boolean(after), counts, partner, statuses, stages }, { title: 'Opportunities' })
  })

  app.get<{ Querystring: ListQuery }>('/admin/opportunities/export.csv', { config: report }, async (request, reply) => {
    const { filter } = staffFilter(request.query)
    return sendCsv(reply, 'channel-opportunities', csvStream(exportColumns,
      (cursor) => channel.list({ ...filter, after: timeCursor(cursor) }, exportPage),
      (o) => ({
        ...o, customer: o.customer_name, partner: o.partner_name ?? '', expected_close: new Date(o.expected_close).toISOString().slice(0, 10),
        changed_at: o.updated_at.toISOString()
      })))
  })

  app.get('/admin/opportunities/new', { config }, async (_request, reply) => showNew(reply))

  app.post<{ Body: Record<string, string | string[]> }>('/admin/opportunities', { config }, async (request, reply) => {
    try {
      const saved = await submissions.once(request, signedIn(request).id,
        async (submission) => opportunities.create(signedIn(request), parseForm(StaffOpportunityForm, request.body), submission), (id) => `/admin/opportunities/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : `Opportunity #${saved.created.number} created.`).seeOther(saved.location)
    } catch (err) {
      if (err instanceof Invalid) return showNew(reply, { errors: err.fields, values: submitted(request.body), message: err.message, status: 422 })
      throw err
    }
  })

  app.get<ById & { Querystring: { after?: string; q?: string; partner_id?: string } }>('/admin/opportunities/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    showOpportunity(reply, request.params.id, {
      after: timeCursor(request.query.after), q: request.query.q,
      ...(request.query.partner_id ? { form: 'collaborator', values: { partner_id: request.query.partner_id } } : {})
    }))

  app.post<FormById>('/admin/opportunities/:id/offer', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, String(request.body.partner_id ?? ''), request.body, async () => {
      const form = parseForm(OfferForm, request.body)
      await distribution.offer(signedIn(request), request.params.id, form.partner_id, form.hours)
      return 'Offered. The partner has been e-mailed and has until the deadline to answer.'
    }))

  app.post<ById>('/admin/opportunities/:id/offer-best', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, 'best', {}, async () => {
      await distribution.offerBest(signedIn(request), request.params.id)
      return 'Offered to the best eligible partner, who has been e-mailed.'
    }))

  app.post<ById>('/admin/opportunities/:id/approve', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, 'approve', {}, async () => {
      await opportunities.decideRegistration(signedIn(request), request.params.id, true)
      return 'Registration approved. The partner has been e-mailed.'
    }))

  app.post<FormById>('/admin/opportunities/:id/decline', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, 'decline', request.body, async () => {
      const form = parseForm(ReasonForm, request.body)
      await opportunities.decideRegistration(signedIn(request), request.params.id, false, form.reason)
      return 'Registration declined. The partner has been e-mailed the reason.'
    }))

  app.post<FormById>('/admin/opportunities/:id/collaborators', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, 'collaborator', request.body, async () => {
      const name = await opportunities.setCollaborator(signedIn(request), request.params.id, parseForm(PartnerChoiceForm, request.body).partner_id, true)
      return `Shared with ${name} as a collaborator.`
    }))

  app.post<{ Params: { id: string; partnerId: string } }>('/admin/opportunities/:id/collaborators/:partnerId/remove', { config, schema: { params: collaboratorParams } }, async (request, reply) =>
    change(reply, request.params.id, 'collaborator', {}, async () => {
      await opportunities.setCollaborator(signedIn(request), request.params.id, request.params.partnerId, false)
      return 'No longer shared with that partner.'
    }))

  app.post<FormById>('/admin/opportunities/:id/notes', { config, schema: { params: idParams } }, async (request, reply) =>
    change(reply, request.params.id, 'note', request.body, async () => {
      const saved = await submissions.once(request, signedIn(request).id, async (submission) => {
        const form = parseForm(StaffNoteForm, request.body)
        await opportunities.staffNote(signedIn(request), request.params.id, form.body, !form.shared, submission)
        return form.shared ? 'Note added; the partners on this deal can read it.' : 'Internal note added.'
      }, (id) => `/admin/opportunities/${id}`)
      return saved.repeat ? alreadySaved : saved.created
    }))
}

export default opportunitiesAdminRoutes
