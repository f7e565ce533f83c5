import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { type PartnerViewer, partnerViewer, requireArea } from '../../core/identity/access.ts'
import { renderPanels } from '../../core/features/widgets.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { csvStream, sendCsv } from '../../core/web/csv-download.ts'
import { pageSize, timeCursor } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, isId, parseForm, typedFields } from '../../core/lib/validation.ts'
import { AssignForm, currencies, EditForm, NoteForm, ReasonForm, RegistrationForm, StageForm, WinForm } from './opportunities.schemas.ts'
import { stages, statuses, type Stage } from './opportunities.table.ts'

interface ListQuery { status?: string; stage?: string; q?: string; account?: string; owner?: string; after?: string }
type IdRequest = { Params: { id: string }; Body: Record<string, string | string[]> }

const exportPage = 1000
const exportColumns = ['number', 'name', 'customer', 'status', 'stage', 'estimated_revenue', 'currency', 'expected_close', 'owner', 'changed_at', 'shared_with_us'] as const

const pick = <T extends string>(value: unknown, allowed: readonly T[]): T | '' => (allowed.includes(value as T) ? value as T : '')
const searchText = (q: unknown) => String(q ?? '').trim().slice(0, 100)
const registered = (deal: { status: string }) => (deal.status === 'pending_approval'
  ? 'Registered. Another deal targets the same customer, so our team will approve it first.'
  : 'Registered. The deal is open in your pipeline.')

const pipelineRoutes: FastifyPluginAsync = async (app) => {
  const { opportunities, pipeline, customers, customerContacts, customerPickers, partners, submissions } = app.diContainer.cradle
  const config = { access: 'partner' as const }
  /** The list's filters from its address, as the page shows them and as the pipeline service takes them. */
  const pipelineFilter = async (viewer: PartnerViewer, query: ListQuery) => {
    // A customer out of the viewer's reach answers 404, like its page.
    const account = isId(query.account) ? await customers.account(viewer, query.account) : null
    // Whoever sees the whole company's deals may narrow them to their own ("My deals", as in the
    // reference portal's views).
    const ownerChoice = pipeline.ownerChoice(viewer)
    const mine = ownerChoice && query.owner === 'me'
    const filters = {
      status: pick(query.status, statuses), stage: pick(query.stage, stages), q: searchText(query.q), account: account?.id ?? '', owner: mine ? 'me' : ''
    }
    const filter = {
      mine, status: filters.status || undefined, stage: filters.stage || undefined, search: filters.q || undefined, accountId: account?.id
    }
    return { filters, filter, account, ownerChoice }
  }

  app.get<{ Querystring: ListQuery }>('/portal/opportunities', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const { filters, filter, account, ownerChoice } = await pipelineFilter(viewer, request.query)
    const after = timeCursor(request.query.after)
    const page = await pipeline.list(viewer, { ...filter, after }, pageSize)
    return reply.page('opportunities/list', { page, filters, account, ownerChoice, stages, statuses, paged: Boolean(after) }, { title: 'Opportunities' })
  })

  app.get<{ Querystring: ListQuery }>('/portal/opportunities/export.csv', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // Filters (and their 404s) are worked out before the stream starts: once the headers are sent, an error cannot follow.
    const { filter } = await pipelineFilter(viewer, request.query)
    return sendCsv(reply, 'opportunities', csvStream(exportColumns,
      (cursor) => pipeline.list(viewer, { ...filter, after: timeCursor(cursor) }, exportPage),
      (o) => ({
        ...o, customer: o.customer_name, owner: o.owner_name, expected_close: new Date(o.expected_close).toISOString().slice(0, 10),
        changed_at: o.updated_at.toISOString(), shared_with_us: o.partner_id === viewer.partnerId ? '' : 'yes'
      })))
  })

  app.get('/portal/opportunities/board', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const board = await pipeline.board(viewer)
    return reply.page('opportunities/board', { board, stages }, { title: 'Pipeline board' })
  })

  /**
   * The account and contact a form names, within the viewer's reach: another partner's, or a colleague's for an "own records"
   * user, answers 404 like any record out of reach. A missing or malformed id is left to the form's own checks.
   */
  const chosenAccount = async (viewer: PartnerViewer, form: { account_id?: unknown; contact_id?: unknown }) => {
    if (isId(form.contact_id)) await customerContacts.contact(viewer, form.contact_id)
    return isId(form.account_id) ? customers.account(viewer, form.account_id) : null
  }

  const registrationPage = async (viewer: PartnerViewer, form: {
    values: Record<string, unknown>; account: { id: string } | null; q?: string; errors?: Record<string, string>; message?: string
  }) => {
    const { account } = form
    const picker = await customerPickers.accountPicker(viewer, form.q ?? '', account?.id)
    const noCustomers = picker.choices.length === 0 && (!picker.q || (await customers.searchAccounts(viewer, '', 1)).length === 0)
    return {
      values: form.values, errors: form.errors ?? {}, message: form.message, picker, noCustomers, currencies,
      expertiseOptions: (await partners.program()).expertise_options,
      contacts: account ? await customers.contactsOf(viewer, account.id) : []
    }
  }

  app.get<{ Querystring: Record<string, unknown> & { q?: string; account?: string } }>('/portal/opportunities/new', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    requireArea(viewer, 'opportunities', 'create')
    const typed = typedFields(RegistrationForm, request.query)
    const account = await chosenAccount(viewer, { account_id: typed.account_id ?? request.query.account, contact_id: typed.contact_id })
    const values = { currency: 'USD', ...typed, expertise: [request.query.expertise ?? []].flat() }
    return reply.page('opportunities/register', await registrationPage(viewer, { values, account, q: searchText(request.query.q) }), { title: 'Register a deal' })
  })

  app.get<{ Querystring: { q?: string; account_id?: string } }>('/portal/opportunities/customer-options', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    requireArea(viewer, 'opportunities', 'create')
    const picker = await customerPickers.accountPicker(viewer, searchText(request.query.q), request.query.account_id)
    return reply.page('opportunities/customer-options', { picker, fragment: true }, { title: 'Customers' })
  })

  app.get<{ Querystring: { account_id?: string } }>('/portal/opportunities/contact-options', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const account = await chosenAccount(viewer, { account_id: request.query.account_id })
    const contacts = account ? await customers.contactsOf(viewer, account.id) : []
    return reply.page('opportunities/contact-field', { contacts }, { title: 'Contact' })
  })

  app.post<{ Body: Record<string, string | string[]> }>('/portal/opportunities', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // Ownership first, so another's customer answers 404 even when other fields are wrong too.
    const account = await chosenAccount(viewer, request.body)
    try {
      const saved = await submissions.once(request, viewer.id,
        async (submission) => opportunities.register(viewer, parseForm(RegistrationForm, request.body), submission), (id) => `/portal/opportunities/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : registered(saved.created)).seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const values = { ...request.body, expertise: [request.body.expertise ?? []].flat() }
      return reply.page('opportunities/register', await registrationPage(viewer, { values, account, errors: err.fields, message: err.message }), { title: 'Register a deal', status: 422 })
    }
  })

  const detail = async (reply: FastifyReply, viewer: PartnerViewer, id: string,
    extra: { errors?: Record<string, string>; failed?: string; values?: Record<string, unknown>; after?: { key: string; id: string } } = {}, status = 200) => {
    const { opportunity, holder, events, assignees, canEdit } = await pipeline.detail(viewer, id, extra.after)
    const panels = await renderPanels(app, viewer, 'opportunity', { id: opportunity.id, partnerId: opportunity.partner_id })
    return reply.page('opportunities/detail', {
      panels,
      o: opportunity, holder, events, olderEvents: Boolean(extra.after), assignees, stages, errors: extra.errors ?? {}, failed: extra.failed, values: extra.values ?? {},
      canEdit
    }, { title: opportunity.name, status })
  }

  app.get<IdRequest & { Querystring: { after?: string } }>('/portal/opportunities/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    detail(reply, partnerViewer(request), request.params.id, { after: timeCursor(request.query.after) }))

  app.get<IdRequest>('/portal/opportunities/:id/edit', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const o = await opportunities.forPartner(viewer, request.params.id)
    const values = { ...o, expected_close: new Date(o.expected_close).toISOString().slice(0, 10) }
    return reply.page('opportunities/edit', { o, values, errors: {}, currencies, expertiseOptions: (await partners.program()).expertise_options }, { title: `Edit ${o.name}` })
  })

  app.post<IdRequest>('/portal/opportunities/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const o = await opportunities.forPartner(viewer, request.params.id)
    try {
      await opportunities.edit(viewer, o.id, parseForm(EditForm, request.body))
      return reply.flash('Saved.').seeOther(`/portal/opportunities/${o.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      const values = { ...request.body, expertise: [request.body.expertise ?? []].flat() }
      return reply.page('opportunities/edit', { o, values, errors: err.fields, message: err.message, currencies, expertiseOptions: (await partners.program()).expertise_options }, { title: `Edit ${o.name}`, status: 422 })
    }
  })

  /** The detail page's small forms: ownership first (404), then the form (422 on the page), then the change. */
  const action = <T>(path: string, parse: (body: unknown) => T, run: (viewer: PartnerViewer, id: string, form: T) => Promise<unknown>, done: string) =>
    app.post<IdRequest>(`/portal/opportunities/:id/${path}`, { config, schema: { params: idParams } }, async (request, reply) => {
      const viewer = partnerViewer(request)
      await opportunities.forPartner(viewer, request.params.id)
      try {
        await run(viewer, request.params.id, parse(request.body))
        return reply.flash(done).seeOther(`/portal/opportunities/${request.params.id}`)
      } catch (err) {
        if (!(err instanceof Invalid)) throw err
        return detail(reply, viewer, request.params.id, { errors: err.fields, failed: path, values: request.body }, 422)
      }
    })

  action('stage', (b) => parseForm(StageForm, b), (v, id, f) => opportunities.moveStage(v, id, f.stage as Stage), 'Stage changed.')
  action('assign', (b) => parseForm(AssignForm, b), (v, id, f) => opportunities.assign(v, id, f.owner_id), 'Owner changed.')
  action('win', (b) => parseForm(WinForm, b), (v, id, f) => opportunities.win(v, id, f.actual_revenue), 'Congratulations! The deal is won.')
  action('lose', (b) => parseForm(ReasonForm, b), (v, id, f) => opportunities.lose(v, id, f.reason), 'The deal is closed as lost.')
  action('return', (b) => parseForm(ReasonForm, b), (v, id, f) => opportunities.giveBack(v, id, f.reason), 'Returned. Our team will find another partner for it.')

  /** Like the small forms, but a note is added once per submission key. */
  app.post<IdRequest>('/portal/opportunities/:id/notes', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await opportunities.forPartner(viewer, request.params.id)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => opportunities.addNote(viewer, request.params.id, parseForm(NoteForm, request.body).body, submission), (id) => `/portal/opportunities/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : 'Note added.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return detail(reply, viewer, request.params.id, { errors: err.fields, failed: 'notes', values: request.body }, 422)
    }
  })
}

export default pipelineRoutes
