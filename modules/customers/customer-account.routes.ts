import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { type PartnerViewer, partnerViewer } from '../../core/identity/access.ts'
import { Conflict, Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { pageSize } from '../../core/lib/pagination.ts'
import { pickerSize, pickerText } from '../../core/lib/pickers.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, parseForm } from '../../core/lib/validation.ts'
import { wantsFragment } from '../../core/web/views.ts'
import { renderPanels } from '../../core/features/widgets.ts'
import { accountFilter, type AccountListQuery } from './customer-filters.ts'
import { AccountForm, ContactChoiceForm, PrimaryContactForm } from './customers.schemas.ts'

type ById = { Params: { id: string } }
type FormById = ById & { Body: Record<string, string> }
type PickerQuery = { Querystring: { q?: string; contact_id?: string } }

const customerAccountRoutes: FastifyPluginAsync = async (app) => {
  const { customers, customerContacts, customerPickers, submissions } = app.diContainer.cradle
  const config = { access: 'partner' as const }

  async function formPage(reply: FastifyReply, viewer: PartnerViewer, state: { id?: string; values: Record<string, unknown>; errors?: FieldErrors; message?: string; status?: number }) {
    const owners = customers.seesCompany(viewer) ? await customers.owners(viewer) : []
    return reply.page('customers/account-form', { ...state, errors: state.errors ?? {}, owners }, {
      title: state.id ? 'Edit customer account' : 'New customer account', status: state.status
    })
  }

  /**
   * The account's page, also re-rendered with the message of a refused change; for an editor, a picker of the contacts
   * elsewhere to add, searching for q (without JavaScript) and keeping the chosen one.
   */
  async function accountPage(reply: FastifyReply, viewer: PartnerViewer, id: string, state: { q?: string; chosen?: unknown; message?: string; errors?: FieldErrors; status?: number } = {}) {
    const can = customers.abilities(viewer)
    const text = pickerText(state.q)
    const { contacts, pickable, ...account } = await customers.accountPage(viewer, id, can.edit ? { search: text || undefined, limit: pickerSize + 1 } : null)
    const picker = can.edit ? await customerPickers.contactPickerOf(viewer, text, pickable, state.chosen) : null
    const panels = await renderPanels(app, viewer, 'customer-account', { id, partnerId: account.partner_id })
    return reply.page('customers/account', { account, contacts, picker, panels, can, errors: state.errors ?? {}, message: state.message }, {
      title: account.name, status: state.status
    })
  }

  /** Post/redirect/get; a refused change shows the account page again with why. */
  async function change(reply: FastifyReply, viewer: PartnerViewer, id: string, action: () => Promise<string>, chosen?: unknown) {
    try {
      return reply.flash(await action()).seeOther(`/portal/customers/${id}`)
    } catch (err) {
      if (err instanceof Invalid) return accountPage(reply, viewer, id, { chosen, errors: err.fields, message: Object.values(err.fields).join(' '), status: 422 })
      if (err instanceof Conflict) return accountPage(reply, viewer, id, { message: err.message, status: 409 })
      throw err
    }
  }

  app.get<{ Querystring: AccountListQuery }>('/portal/customers', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const seesCompany = customers.seesCompany(viewer)
    const { filters, filter, paged } = accountFilter(request.query, viewer, seesCompany)
    const page = await customers.listAccounts(viewer, filter, pageSize)
    const data = { page, filters, paged, seesCompany, can: customers.abilities(viewer) }
    return reply.page(wantsFragment(request) ? 'customers/account-results' : 'customers/accounts', data, { title: 'Customers' })
  })

  app.get('/portal/customers/new', { config }, async (request, reply) => {
    customers.reach(partnerViewer(request))
    customers.permit(partnerViewer(request), 'create')
    return formPage(reply, partnerViewer(request), { values: {} })
  })

  app.post<{ Body: Record<string, string> }>('/portal/customers', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => customers.createAccount(viewer, parseForm(AccountForm, request.body), submission), (id) => `/portal/customers/${id}`)
      return reply.flash(saved.repeat ? alreadySaved : 'Customer account created.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, viewer, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById & PickerQuery>('/portal/customers/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    accountPage(reply, partnerViewer(request), request.params.id, { q: request.query.q, chosen: request.query.contact_id }))

  /** The "add an existing contact" choices for htmx: the partner's contacts elsewhere or without an account. */
  app.get<ById & PickerQuery>('/portal/customers/:id/contact-options', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await customers.account(viewer, request.params.id)
    customers.permit(viewer, 'edit')
    const picker = await customerPickers.contactPicker(viewer, request.params.id, request.query.q, request.query.contact_id)
    return reply.page('customers/contact-options', { picker, fragment: true }, { title: 'Contacts' })
  })

  app.get<ById>('/portal/customers/:id/edit', { config, schema: { params: idParams } }, async (request, reply) => {
    const account = await customers.account(partnerViewer(request), request.params.id)
    return formPage(reply, partnerViewer(request), { id: account.id, values: { ...account, owner_id: account.owner_id ?? '' } })
  })

  app.post<FormById>('/portal/customers/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // Ownership before the form: another partner's id must answer 404, never a form error.
    await customers.account(viewer, request.params.id)
    try {
      await customers.updateAccount(viewer, request.params.id, parseForm(AccountForm, request.body))
      return reply.flash('Customer account saved.').seeOther(`/portal/customers/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, viewer, { id: request.params.id, values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.post<FormById>('/portal/customers/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      const name = await customers.removeAccount(viewer, request.params.id)
      return reply.flash(`${name} was removed. Its contacts are kept, without an account.`).seeOther('/portal/customers')
    } catch (err) {
      if (!(err instanceof Conflict)) throw err
      return accountPage(reply, viewer, request.params.id, { message: err.message, status: 409 })
    }
  })

  app.post<FormById>('/portal/customers/:id/primary-contact', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await customers.account(viewer, request.params.id)
    return change(reply, viewer, request.params.id, async () => {
      await customers.setPrimaryContact(viewer, request.params.id, parseForm(PrimaryContactForm, request.body).primary_contact_id)
      return 'Primary contact set.'
    })
  })

  app.post<FormById>('/portal/customers/:id/contacts', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await customers.account(viewer, request.params.id)
    return change(reply, viewer, request.params.id, async () => {
      const { contact_id } = parseForm(ContactChoiceForm, request.body)
      await customerContacts.move(viewer, contact_id, request.params.id)
      return 'Contact added to this account.'
    }, request.body.contact_id)
  })
}

export default customerAccountRoutes
