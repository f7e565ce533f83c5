import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static } from 'typebox'
import { partnerViewer } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { described, IdempotencyHeaders, IdParams, nextUrl, OneOf, PageOf, PageQuery } from '../../core/api/schemas.ts'
import { etagOf, fingerprintOf, ifMatchVersion } from '../../core/api/requests.ts'
import { countryCodes } from '../../core/lib/countries.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { accountFilter } from './customer-filters.ts'
import { AccountForm } from './customers.schemas.ts'
import contactsApi from './contacts.api.ts'
import { Account, toAccount } from './customers.resource.ts'

const AccountInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 160 }),
  domain: Type.Optional(Type.String({ maxLength: 253, description: 'A name like example.com, without http:// or a path.' })),
  website: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  city: Type.Optional(Type.String({ maxLength: 100 })),
  postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  country: Type.Optional(Type.String({ maxLength: 2, description: 'ISO 3166-1 alpha-2 code.' })),
  industry: Type.Optional(Type.String({ maxLength: 80 })),
  ownerId: Type.Optional(Type.String({ format: 'uuid', description: 'Someone of your team (company-wide access only); default: the key’s issuer.' }))
}, { additionalProperties: false })

const AccountPatch = Type.Partial(AccountInput, { additionalProperties: false })

const ListQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches name, domain and city.' })),
  country: Type.Optional(OneOf(countryCodes, { description: 'ISO 3166-1 alpha-2 code.' })),
  owner: Type.Optional(Type.Literal('mine', { description: '"mine": only the accounts the key’s issuer owns.' })),
  sort: Type.Optional(OneOf(['name', 'newest'], { default: 'name' }))
})

/** The API's input, as the account form names its fields (so one schema checks both). */
const asForm = (body: Partial<Static<typeof AccountInput>>) => ({
  name: body.name, domain: body.domain, website: body.website, phone: body.phone, address: body.address, city: body.city,
  postal_code: body.postalCode, country: body.country, industry: body.industry, owner_id: body.ownerId
})

const tags = ['Customers']
const config = { access: 'partner' as const }

/** Customer accounts in the API: the partner's own, within the key's reach, as on the pages. */
const customersApi: FastifyPluginAsync = async (app) => {
  const { customers } = app.diContainer.cradle

  app.get<{ Querystring: Static<typeof ListQuery> }>('/customers/accounts', {
    config,
    schema: { summary: 'List customer accounts', tags, querystring: ListQuery, response: { 200: described(PageOf(Account), 'A page of accounts, by name or newest first.') } }
  }, async (request) => {
    const viewer = partnerViewer(request)
    const { q, country, owner, sort, cursor, limit = 50 } = request.query
    const { filter } = accountFilter({ q, country, owner, sort, after: cursor }, viewer, customers.seesCompany(viewer))
    const page = await customers.listAccounts(viewer, filter, limit)
    return { items: page.items.map(toAccount), next: page.next, nextUrl: nextUrl(request.url, page.next) }
  })

  app.get<{ Params: Static<typeof IdParams> }>('/customers/accounts/:id', {
    config,
    schema: { summary: 'Get a customer account', tags, params: IdParams, response: { 200: described(Account, 'The account; its ETag names this version.') } }
  }, async (request, reply) => {
    const account = await customers.account(partnerViewer(request), request.params.id)
    reply.header('etag', etagOf(account.version))
    return toAccount(account)
  })

  app.post<{ Body: Static<typeof AccountInput> }>('/customers/accounts', {
    config,
    schema: {
      summary: 'Create a customer account', tags, body: AccountInput,
      headers: IdempotencyHeaders,
      response: { 201: described(Account, 'Created; Location names it.'), 200: described(Account, 'Already created by an earlier request with this Idempotency-Key: that account.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const { submissions } = app.diContainer.cradle
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`,
      (submission) => customers.createAccount(viewer, parseForm(AccountForm, asForm(request.body)), submission),
      (id) => `/api/v1/customers/accounts/${id}`, fingerprintOf(request))
    const account = await customers.account(viewer, saved.location.split('/').pop()!)
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location).header('etag', etagOf(account.version))
    return toAccount(account)
  })

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof AccountPatch> }>('/customers/accounts/:id', {
    config,
    schema: {
      summary: 'Change a customer account', description: 'Only the fields sent change. Send the ETag you read as If-Match to change only that version: 412 if it changed since.',
      tags, params: IdParams, body: AccountPatch,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The ETag of the version read; 412 Precondition Failed if the account changed since.' })) }),
      response: { 200: described(Account, 'The account as changed; its ETag names the new version.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const expected = ifMatchVersion(request)
    const current = await customers.account(viewer, request.params.id)
    const given = Object.fromEntries(Object.entries(asForm(request.body)).filter(([, v]) => v !== undefined))
    const stored = Object.fromEntries(Object.keys(AccountForm.properties).map((k) => [k, k === 'owner_id' ? '' : (current as Record<string, unknown>)[k] ?? '']))
    await customers.updateAccount(viewer, request.params.id, parseForm(AccountForm, { ...stored, ...given }), expected ?? current.version)
    const changed = await customers.account(viewer, request.params.id)
    reply.header('etag', etagOf(changed.version))
    return toAccount(changed)
  })

  await app.register(contactsApi)
}

export default customersApi
