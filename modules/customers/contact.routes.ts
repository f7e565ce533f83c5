import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { type PartnerViewer, partnerViewer } from '../../core/identity/access.ts'
import { Invalid, type FieldErrors } from '../../core/lib/errors.ts'
import { pageSize } from '../../core/lib/pagination.ts'
import { alreadySaved } from '../../core/web/submissions/submissions.ts'
import { idParams, parseForm, typedFields } from '../../core/lib/validation.ts'
import { wantsFragment } from '../../core/web/views.ts'
import { contactFilter, type ContactListQuery } from './customer-filters.ts'
import { ContactForm, MoveContactForm } from './customers.schemas.ts'
import type { ContactRow } from './customers.table.ts'

type ById = { Params: { id: string } }
type FormById = ById & { Body: Record<string, string> }
type OptionsQuery = { Querystring: { q?: string; account_id?: string } }
/** A contact form's page: a search without JavaScript sends the whole form along, q with it. */
type FormQuery = { Querystring: Record<string, unknown> & { q?: string; account?: string } }


const contactRoutes: FastifyPluginAsync = async (app) => {
  const { customers, customerContacts, customerPickers, submissions } = app.diContainer.cradle
  const config = { access: 'partner' as const }

  /** The contact form; its account picker searches for q (without JavaScript) and keeps the chosen account. */
  async function formPage(reply: FastifyReply, viewer: PartnerViewer, state: { id?: string; values: Record<string, unknown>; q?: string; errors?: FieldErrors; message?: string; status?: number }) {
    const picker = await customerPickers.accountPicker(viewer, state.q, state.values.account_id)
    return reply.page('customers/contact-form', { ...state, errors: state.errors ?? {}, picker }, {
      title: state.id ? 'Edit contact' : 'New contact', status: state.status
    })
  }

  /** The contact's page; for an editor, a picker of the accounts to move the contact to, searching for q and keeping the chosen one. */
  async function contactPage(reply: FastifyReply, viewer: PartnerViewer, id: string, state: { q?: string; chosen?: unknown; errors?: FieldErrors; message?: string; status?: number } = {}) {
    const can = customers.abilities(viewer)
    const { contact, picker } = can.edit
      ? await customerPickers.contactWithMovePicker(viewer, id, state.q, state.chosen)
      : { contact: await customerContacts.contact(viewer, id), picker: null }
    return reply.page('customers/contact', { contact, picker, can, errors: state.errors ?? {}, message: state.message }, {
      title: `${contact.first_name} ${contact.last_name}`, status: state.status
    })
  }

  app.get<{ Querystring: ContactListQuery }>('/portal/customers/contacts', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const { filters, filter, paged } = contactFilter(request.query)
    const page = await customerContacts.list(viewer, filter, pageSize)
    const data = { page, filters, paged, can: customers.abilities(viewer) }
    return reply.page(wantsFragment(request) ? 'customers/contact-results' : 'customers/contacts', data, { title: 'Contacts' })
  })

  app.get<FormQuery>('/portal/customers/contacts/new', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    customers.reach(viewer)
    customers.permit(viewer, 'create')
    return formPage(reply, viewer, { values: { account_id: request.query.account ?? '', ...typedFields(ContactForm, request.query) }, q: request.query.q })
  })

  /** The contact form's account choices for htmx; the form itself is guarded, the list shows no more than the customers list. */
  app.get<OptionsQuery>('/portal/customers/account-options', { config }, async (request, reply) => {
    const picker = await customerPickers.accountPicker(partnerViewer(request), request.query.q, request.query.account_id)
    return reply.page('customers/account-options', { picker, fragment: true }, { title: 'Accounts' })
  })

  app.post<{ Body: Record<string, string> }>('/portal/customers/contacts', { config }, async (request, reply) => {
    const viewer = partnerViewer(request)
    try {
      const saved = await submissions.once(request, viewer.id,
        (submission) => customerContacts.create(viewer, parseForm(ContactForm, request.body), submission),
        (contact: ContactRow) => (contact.account_id ? `/portal/customers/${contact.account_id}` : `/portal/customers/contacts/${contact.id}`))
      return reply.flash(saved.repeat ? alreadySaved : 'Contact created.').seeOther(saved.location)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, viewer, { values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.get<ById & OptionsQuery>('/portal/customers/contacts/:id', { config, schema: { params: idParams } }, async (request, reply) =>
    contactPage(reply, partnerViewer(request), request.params.id, { q: request.query.q, chosen: request.query.account_id }))

  /** The move form's account choices for htmx: every account but the contact's own. */
  app.get<ById & OptionsQuery>('/portal/customers/contacts/:id/account-options', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const contact = await customerContacts.contact(viewer, request.params.id)
    customers.permit(viewer, 'edit')
    const picker = await customerPickers.accountPicker(viewer, request.query.q, request.query.account_id, contact.account_id)
    return reply.page('customers/account-options', { picker, moving: true, fragment: true }, { title: 'Accounts' })
  })

  app.get<ById & FormQuery>('/portal/customers/contacts/:id/edit', { config, schema: { params: idParams } }, async (request, reply) => {
    const contact = await customerContacts.contact(partnerViewer(request), request.params.id)
    const values = { ...contact, account_id: contact.account_id ?? '', ...typedFields(ContactForm, request.query) }
    return formPage(reply, partnerViewer(request), { id: contact.id, values, q: request.query.q })
  })

  app.post<FormById>('/portal/customers/contacts/:id', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    // Ownership before the form: another partner's id must answer 404, never a form error.
    await customerContacts.contact(viewer, request.params.id)
    try {
      await customerContacts.update(viewer, request.params.id, parseForm(ContactForm, request.body))
      return reply.flash('Contact saved.').seeOther(`/portal/customers/contacts/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return formPage(reply, viewer, { id: request.params.id, values: request.body, errors: err.fields, message: err.message, status: 422 })
    }
  })

  app.post<FormById>('/portal/customers/contacts/:id/move', { config, schema: { params: idParams } }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await customerContacts.contact(viewer, request.params.id)
    try {
      await customerContacts.move(viewer, request.params.id, parseForm(MoveContactForm, request.body).account_id)
      return reply.flash('Contact moved.').seeOther(`/portal/customers/contacts/${request.params.id}`)
    } catch (err) {
      if (!(err instanceof Invalid)) throw err
      return contactPage(reply, viewer, request.params.id, { chosen: request.body.account_id, errors: err.fields, message: Object.values(err.fields).join(' '), status: 422 })
    }
  })

  app.post<FormById>('/portal/customers/contacts/:id/dissociate', { config, schema: { params: idParams } }, async (request, reply) => {
    const contact = await customerContacts.contact(partnerViewer(request), request.params.id)
    await customerContacts.dissociate(partnerViewer(request), request.params.id)
    return reply.flash(`${contact.first_name} ${contact.last_name} no longer belongs to ${contact.account_name ?? 'an account'}.`)
      .seeOther(contact.account_id ? `/portal/customers/${contact.account_id}` : `/portal/customers/contacts/${contact.id}`)
  })

  app.post<FormById>('/portal/customers/contacts/:id/remove', { config, schema: { params: idParams } }, async (request, reply) => {
    const contact = await customerContacts.remove(partnerViewer(request), request.params.id)
    return reply.flash(`${contact.first_name} ${contact.last_name} was removed.`)
      .seeOther(contact.account_id ? `/portal/customers/${contact.account_id}` : '/portal/customers/contacts')
  })
}

export default contactRoutes
