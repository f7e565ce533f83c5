import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'
import { actions, partnerViewer, scopes } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import type { UserRow } from '../../core/identity/users/users.table.ts'
import { described, IdempotencyHeaders, IdParams, iso, isoOrNull, nextUrl, Nullable, NullableString, NullableTimestamp, OneOf, PageOf, PageQuery, Timestamp } from '../../core/api/schemas.ts'
import { fingerprintOf } from '../../core/api/requests.ts'
import { Invalid } from '../../core/lib/errors.ts'
import { companySizes, CompanyForm, InviteEmployeeForm, parseForm } from './partners.schemas.ts'
import type { PartnerRow } from './partners.table.ts'
import { decodeCursor, toPage } from '../../core/lib/pagination.ts'

/** A partner company, as its page shows it (staff see a little more: partners.api.ts). */
export const Company = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  status: OneOf(['applied', 'active', 'suspended', 'rejected']),
  level: Nullable(Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), rank: Type.Integer() }), { description: 'Its partner level.' }),
  domain: NullableString,
  website: NullableString,
  phone: NullableString,
  address: NullableString,
  city: NullableString,
  postalCode: NullableString,
  country: Type.String({ description: 'ISO 3166-1 alpha-2 code.' }),
  territories: Type.Array(Type.String(), { description: 'Countries served.' }),
  expertise: Type.Array(Type.String()),
  companySize: Type.Unsafe<(typeof companySizes)[number] | null>({ type: ['string', 'null'], enum: [...companySizes, null] }),
  listed: Type.Boolean({ description: 'Listed in the public partner directory.' }),
  summary: NullableString,
  approvedAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp
})

type PartnerWithLevel = PartnerRow & { level_name: string | null; level_rank: number | null }

export const toCompany = (p: PartnerWithLevel): Static<typeof Company> => ({
  id: p.id, name: p.name, status: p.status,
  level: p.level_id ? { id: p.level_id, name: p.level_name ?? '', rank: p.level_rank ?? 0 } : null,
  domain: p.domain, website: p.website, phone: p.phone, address: p.address, city: p.city, postalCode: p.postal_code, country: p.country,
  territories: p.territories, expertise: p.expertise, companySize: p.company_size as Static<typeof Company>['companySize'], listed: p.listed, summary: p.summary,
  approvedAt: isoOrNull(p.approved_at), createdAt: iso(p.created_at), updatedAt: iso(p.updated_at)
})

const CompanyPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 160 })),
  website: Type.Optional(Type.String({ maxLength: 200, description: 'https://…' })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  city: Type.Optional(Type.String({ maxLength: 100 })),
  postalCode: Type.Optional(Type.String({ maxLength: 20 })),
  country: Type.Optional(Type.String({ maxLength: 2, description: 'ISO 3166-1 alpha-2 code.' })),
  territories: Type.Optional(Type.Array(Type.String({ maxLength: 2 }), { maxItems: 250, description: 'Countries served (ISO 3166-1 alpha-2 codes).' })),
  expertise: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 250, description: 'From the program’s list.' })),
  listed: Type.Optional(Type.Boolean({ description: 'Listed in the public partner directory.' })),
  summary: Type.Optional(Type.String({ maxLength: 600, description: 'The directory summary.' }))
}, { additionalProperties: false, description: 'Only the fields sent change.' })

const formToApi: Record<string, string> = { company_name: 'name', company_phone: 'phone' }

const Person = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  email: Type.String(),
  jobTitle: NullableString,
  phone: NullableString,
  role: OneOf(['admin', 'member']),
  status: OneOf(['invited', 'active', 'deactivated'], { description: 'invited: has not set a password yet; deactivated: portal access removed.' }),
  permissions: Type.Record(Type.String(), Type.Unknown(), { description: 'What they may do, area by area (a partner admin: everything).' }),
  lastSignInAt: NullableTimestamp,
  createdAt: Timestamp
})

const TeamQuery = Type.Object({ ...PageQuery })

const toPerson = (u: UserRow, permissions: unknown): Static<typeof Person> => ({
  id: u.id, name: u.name, email: u.email, jobTitle: u.job_title, phone: u.phone, role: u.role, status: u.status,
  permissions: permissions as Record<string, unknown>, lastSignInAt: isoOrNull(u.last_sign_in_at), createdAt: iso(u.created_at)
})

const companyTags = ['Company']
const teamTags = ['Team']
const partnerAccess = { access: 'partner' as const }
const adminAccess = { access: 'partner-admin' as const }
type ById<B = unknown> = { Params: Static<typeof IdParams>; Body: B }

/**
 * The caller's own company and its people, as the company and team pages show them: reading the
 * company is for every key; changing it and the team pages are for partner admins, which a key is
 * only when it may do everything and its issuer is a partner admin.
 */
const companyApi: FastifyPluginAsync = async (app) => {
  const { partners, partnerUsers, channelAreas, submissions } = app.diContainer.cradle

  // The access grid as JSON: each area's scope and actions, each grant a yes or no; what is left out takes its default.
  const Permissions = Type.Object({
    ...Object.fromEntries(channelAreas.list.map((area) => [area.name, Type.Optional(Type.Object({
      scope: OneOf(scopes),
      ...Object.fromEntries(actions.filter((a) => area.actions[a] !== undefined).map((a) => [a, Type.Optional(Type.Boolean())]))
    }, { additionalProperties: false, description: area.label }))])),
    ...Object.fromEntries(channelAreas.grants.map((grant) => [grant.name, Type.Optional(Type.Boolean({ description: grant.label }))]))
  } as Record<string, TSchema>, { additionalProperties: false, description: 'What they may do; anything left out takes the default of a new employee.' })

  const Invitation = Type.Object({
    name: Type.String({ minLength: 1, maxLength: 120 }),
    email: Type.String({ maxLength: 254 }),
    jobTitle: Type.Optional(Type.String({ maxLength: 120 })),
    permissions: Type.Optional(Permissions)
  }, { additionalProperties: false })

  const personOf = async (partnerId: string, id: string) => {
    const person = await partnerUsers.member(partnerId, id)
    return toPerson(person, channelAreas.effective(person))
  }

  app.get('/company', {
    config: partnerAccess,
    schema: { summary: 'Your company', description: 'Its profile as the company page shows it.', tags: companyTags, response: { 200: described(Company, 'The company.') } }
  }, async (request) => toCompany(await partners.partner(partnerViewer(request).partnerId)))

  app.patch<{ Body: Static<typeof CompanyPatch> }>('/company', {
    config: adminAccess,
    schema: { summary: 'Change your company’s profile (partner admins)', tags: companyTags, body: CompanyPatch, response: { 200: described(Company, 'The company as changed.') } }
  }, async (request) => {
    const viewer = partnerViewer(request)
    const p = await partners.partner(viewer.partnerId)
    const b = request.body
    const given = Object.fromEntries(Object.entries({
      company_name: b.name, website: b.website, company_phone: b.phone, address: b.address, city: b.city, postal_code: b.postalCode,
      country: b.country, territories: b.territories, expertise: b.expertise, listed: b.listed, summary: b.summary
    }).filter(([, v]) => v !== undefined))
    const stored = {
      company_name: p.name, website: p.website ?? '', company_phone: p.phone ?? '', address: p.address ?? '', city: p.city ?? '', postal_code: p.postal_code ?? '',
      country: p.country, territories: p.territories, expertise: p.expertise, listed: p.listed, summary: p.summary ?? ''
    }
    try {
      await partners.updateProfile(viewer, viewer.partnerId, parseForm(CompanyForm, { ...stored, ...given }))
    } catch (err) {
      // The form's field names where the API's differ, so each problem points at the field sent.
      if (err instanceof Invalid) throw new Invalid(Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [formToApi[k] ?? k, v])), err.message)
      throw err
    }
    return toCompany(await partners.partner(viewer.partnerId))
  })

  app.get<{ Querystring: Static<typeof TeamQuery> }>('/team', {
    config: adminAccess,
    schema: { summary: 'List your team (partner admins)', description: 'By name: everyone of the company, invited and removed people too.', tags: teamTags, querystring: TeamQuery, response: { 200: described(PageOf(Person), 'A page of the team.') } }
  }, async (request) => {
    const { cursor, limit = 50 } = request.query
    const after = decodeCursor<{ name: string; id: string }>(cursor, { name: 'string', id: 'string' })
    // The team page shows the whole team at once; the API pages through the same list in its order (name, id).
    const people = (await partnerUsers.list(partnerViewer(request).partnerId))
      .filter((u) => !after || u.name > after.name || (u.name === after.name && u.id > after.id))
    const page = toPage(people.slice(0, limit + 1), limit, (u) => ({ name: u.name, id: u.id }))
    return { items: page.items.map((u) => toPerson(u, channelAreas.effective(u))), next: page.next, nextUrl: nextUrl(request.url, page.next) }
  })

  app.get<ById>('/team/:id', {
    config: adminAccess,
    schema: { summary: 'Get a team member (partner admins)', tags: teamTags, params: IdParams, response: { 200: described(Person, 'The person.') } }
  }, async (request) => personOf(partnerViewer(request).partnerId, request.params.id))

  app.post<{ Body: Static<typeof Invitation> }>('/team', {
    config: adminAccess,
    schema: {
      summary: 'Invite an employee (partner admins)', description: 'They are e-mailed a link to set their password, which works once, for 7 days.',
      tags: teamTags, body: Invitation, headers: IdempotencyHeaders,
      response: { 201: described(Person, 'Invited; Location names them.'), 200: described(Person, 'Already invited by an earlier request with this Idempotency-Key.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`, async (submission) => {
      const form = parseForm(InviteEmployeeForm, { name: request.body.name, email: request.body.email, job_title: request.body.jobTitle })
      return (await partners.inviteEmployee(viewer, viewer.partnerId, form, channelAreas.normalise(request.body.permissions ?? {}), submission)).id
    }, (id) => `/api/v1/team/${id}`, fingerprintOf(request))
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return personOf(viewer.partnerId, saved.location.split('/').pop()!)
  })

  const access = (path: string, summary: string, description: string, active: boolean) =>
    app.post<ById>(`/team/:id/${path}`, {
      config: adminAccess,
      schema: { summary, description, tags: teamTags, params: IdParams, response: { 200: described(Person, 'The person, as they are now.') } }
    }, async (request) => {
      const viewer = partnerViewer(request)
      await partnerUsers.setAccess(viewer, viewer.partnerId, request.params.id, active)
      return personOf(viewer.partnerId, request.params.id)
    })

  access('remove', 'Remove an employee’s portal access (partner admins)',
    'They are signed out at their next request and the API keys they issued stop for good. 409 for the last partner admin or the key’s own issuer.', false)
  access('restore', 'Restore an employee’s portal access (partner admins)', 'They can sign in again; their old API keys stay revoked.', true)
}

export default companyApi
