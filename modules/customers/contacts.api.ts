import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import Type, { type Static } from 'typebox'
import { partnerViewer, type PartnerViewer } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { described, IdempotencyHeaders, IdParams, iso, nextUrl, Nullable, NullableId, NullableString, PageOf, PageQuery, PersonRef, Timestamp } from '../../core/api/schemas.ts'
import { etagOf, fingerprintOf, ifMatchVersion } from '../../core/api/requests.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { contactFilter } from './customer-filters.ts'
import { ContactForm } from './customers.schemas.ts'
import type { ContactRow } from './customers.table.ts'

const Contact = Type.Object({
  id: Type.String({ format: 'uuid' }),
  firstName: Type.String(),
  lastName: Type.String(),
  email: NullableString,
  phone: NullableString,
  jobTitle: NullableString,
  account: Nullable(Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }), { description: 'The customer account the contact belongs to, if any.' }),
  owner: Nullable(PersonRef, { description: 'The partner employee who owns the contact.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
})

const contactFields = {
  firstName: Type.String({ minLength: 1, maxLength: 80 }),
  lastName: Type.String({ minLength: 1, maxLength: 80 }),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  jobTitle: Type.Optional(Type.String({ maxLength: 120 }))
}

const ContactInput = Type.Object({
  ...contactFields,
  accountId: Type.Optional(Type.String({ format: 'uuid', description: 'One of your customer accounts; without it the contact belongs to none.' }))
}, { additionalProperties: false })

const ContactPatch = Type.Object({
  ...Type.Partial(Type.Object(contactFields)).properties,
  accountId: Type.Optional(NullableId)
}, { additionalProperties: false, description: 'Only the fields sent change; accountId null takes the contact off its account.' })

const ListQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches the name and e-mail.' }))
})

type ContactWithNames = ContactRow & { account_name: string | null; owner_name?: string | null }

const toContact = (c: ContactWithNames): Static<typeof Contact> => ({
  id: c.id, firstName: c.first_name, lastName: c.last_name, email: c.email, phone: c.phone, jobTitle: c.job_title,
  account: c.account_id ? { id: c.account_id, name: c.account_name ?? '' } : null,
  owner: c.owner_id ? { id: c.owner_id, name: c.owner_name ?? '' } : null,
  createdAt: iso(c.created_at), updatedAt: iso(c.updated_at)
})

/** The API's input, as the contact form names its fields (so one schema checks both). */
const asForm = (body: Static<typeof ContactPatch>) => ({
  first_name: body.firstName, last_name: body.lastName, email: body.email, phone: body.phone, job_title: body.jobTitle,
  account_id: body.accountId === null ? '' : body.accountId
})

const tags = ['Customers']
const config = { access: 'partner' as const }
type ById<B = unknown, Q = unknown> = { Params: Static<typeof IdParams>; Body: B; Querystring: Q }

/** The partner's customer contacts in the API, within the key's reach, as on the contact pages. */
const contactsApi: FastifyPluginAsync = async (app) => {
  const { customers, customerContacts, submissions } = app.diContainer.cradle

  /** The contact as the key may see it; its ETag names this version. */
  const contactOf = async (viewer: PartnerViewer, id: string, reply: FastifyReply) => {
    const contact = await customerContacts.contact(viewer, id)
    reply.header('etag', etagOf(contact.version))
    return toContact(contact)
  }

  const list = async (viewer: PartnerViewer, url: string, query: Static<typeof ListQuery>, accountId?: string) => {
    const { filter } = contactFilter({ q: query.q, after: query.cursor })
    const page = await customerContacts.list(viewer, { ...filter, accountId }, query.limit ?? 50)
    return { items: page.items.map(toContact), next: page.next, nextUrl: nextUrl(url, page.next) }
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/customers/contacts', {
    config,
    schema: { summary: 'List customer contacts', description: 'By last name, with or without an account.', tags, querystring: ListQuery, response: { 200: described(PageOf(Contact), 'A page of contacts.') } }
  }, async (request) => list(partnerViewer(request), request.url, request.query))

  app.get<ById<unknown, Static<typeof ListQuery>>>('/customers/accounts/:id/contacts', {
    config,
    schema: { summary: 'List a customer account’s contacts', tags, params: IdParams, querystring: ListQuery, response: { 200: described(PageOf(Contact), 'A page of the account’s contacts, by last name.') } }
  }, async (request) => {
    const viewer = partnerViewer(request)
    // An account out of the key's reach answers 404, like its page.
    await customers.account(viewer, request.params.id)
    return list(viewer, request.url, request.query, request.params.id)
  })

  app.get<ById>('/customers/contacts/:id', {
    config,
    schema: { summary: 'Get a customer contact', tags, params: IdParams, response: { 200: described(Contact, 'The contact; its ETag names this version.') } }
  }, async (request, reply) => contactOf(partnerViewer(request), request.params.id, reply))

  app.post<{ Body: Static<typeof ContactInput> }>('/customers/contacts', {
    config,
    schema: {
      summary: 'Create a customer contact', tags, body: ContactInput, headers: IdempotencyHeaders,
      response: { 201: described(Contact, 'Created; Location names it.'), 200: described(Contact, 'Already created by an earlier request with this Idempotency-Key: that contact.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`,
      (submission) => customerContacts.create(viewer, parseForm(ContactForm, asForm(request.body)), submission),
      (contact: ContactRow) => `/api/v1/customers/contacts/${contact.id}`, fingerprintOf(request))
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return contactOf(viewer, saved.location.split('/').pop()!, reply)
  })

  app.patch<ById<Static<typeof ContactPatch>>>('/customers/contacts/:id', {
    config,
    schema: {
      summary: 'Change a customer contact', description: 'Only the fields sent change. Send the ETag you read as If-Match to change only that version: 412 if it changed since.',
      tags, params: IdParams, body: ContactPatch,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The ETag of the version read; 412 Precondition Failed if the contact changed since.' })) }),
      response: { 200: described(Contact, 'The contact as changed; its ETag names the new version.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const expected = ifMatchVersion(request)
    const c = await customerContacts.contact(viewer, request.params.id)
    const stored = { first_name: c.first_name, last_name: c.last_name, email: c.email ?? '', phone: c.phone ?? '', job_title: c.job_title ?? '', account_id: c.account_id ?? '' }
    const given = Object.fromEntries(Object.entries(asForm(request.body)).filter(([, v]) => v !== undefined))
    await customerContacts.update(viewer, c.id, parseForm(ContactForm, { ...stored, ...given }), expected ?? c.version)
    return contactOf(viewer, c.id, reply)
  })
}

export default contactsApi
