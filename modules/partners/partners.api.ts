import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static } from 'typebox'
import { signedIn } from '../../core/identity/access.ts'
import { described, IdParams, iso, isoOrNull, nextUrl, NullableString, NullableTimestamp, OneOf, PageOf, PageQuery, Timestamp } from '../../core/api/schemas.ts'
import { countryCodes } from '../../core/lib/countries.ts'
import { decodeCursor, timeCursor } from '../../core/lib/pagination.ts'
import { isId } from '../../core/lib/validation.ts'
import companyApi, { Company, toCompany } from './company.api.ts'
import { ApproveForm, parseForm, RejectForm, SuspendForm } from './partners.schemas.ts'

const Country = OneOf(countryCodes, { description: 'ISO 3166-1 alpha-2 code.' })

const Partner = Type.Object({
  ...Company.properties,
  capacity: Type.Integer({ description: 'How many open deals it takes on at once (distribution).' })
})

const PartnersQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches the name and web domain.' })),
  status: Type.Optional(OneOf(['active', 'suspended', 'applied', 'rejected'])),
  levelId: Type.Optional(Type.String({ format: 'uuid' })),
  country: Type.Optional(Country),
  territory: Type.Optional(Country),
  expertise: Type.Optional(Type.String({ maxLength: 100 }))
})

const Application = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: OneOf(['pending', 'approved', 'rejected']),
  partnerId: Type.String({ format: 'uuid', description: 'The company that applied (a partner of status applied until decided).' }),
  company: Type.String(),
  domain: NullableString,
  country: Type.String(),
  territories: Type.Array(Type.String()),
  expertise: Type.Array(Type.String()),
  applicant: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), email: Type.String() }),
  possibleDuplicate: Type.Boolean({ description: 'Its web domain is known already (a partner or an earlier application).' }),
  submittedAt: Timestamp,
  decidedAt: NullableTimestamp,
  rejectionReason: NullableString
})

const ApplicationsQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(OneOf(['pending', 'approved', 'rejected'])),
  country: Type.Optional(Country),
  territory: Type.Optional(Country),
  expertise: Type.Optional(Type.String({ maxLength: 100 })),
  sort: Type.Optional(OneOf(['newest', 'oldest', 'company'], { default: 'newest' }))
})

const ReasonInput = Type.Object({ reason: Type.String({ minLength: 5, maxLength: 2000 }) }, { additionalProperties: false })
const ApproveInput = Type.Object({ levelId: Type.String({ format: 'uuid', description: 'The partner level it joins at.' }) }, { additionalProperties: false })

type ApplicationView = {
  id: string; status: Static<typeof Application>['status']; partner_id: string; company: string; domain: string | null; country: string
  territories: string[]; expertise: string[]; applicant_id: string; applicant_name: string; applicant_email: string; possible_duplicate: boolean
  submitted_at: Date; decided_at: Date | null; rejection_reason: string | null
}

const toApplication = (a: ApplicationView): Static<typeof Application> => ({
  id: a.id, status: a.status, partnerId: a.partner_id, company: a.company, domain: a.domain, country: a.country, territories: a.territories,
  expertise: a.expertise, applicant: { id: a.applicant_id, name: a.applicant_name, email: a.applicant_email }, possibleDuplicate: a.possible_duplicate,
  submittedAt: iso(a.submitted_at), decidedAt: isoOrNull(a.decided_at), rejectionReason: a.rejection_reason
})

const config = { access: 'staff' as const }
type ById<B = unknown> = { Params: Static<typeof IdParams>; Body: B }

/** Partners and recruitment for staff keys, as the staff pages do them; and (companyApi) a partner's own company and team. */
const partnersApi: FastifyPluginAsync = async (app) => {
  const { partners } = app.diContainer.cradle
  const partnerOf = async (id: string) => {
    const p = await partners.partner(id)
    return { ...toCompany(p), capacity: p.capacity }
  }
  const tags = ['Partners (staff)']

  app.get<{ Querystring: Static<typeof PartnersQuery> }>('/partners', {
    config,
    schema: { summary: 'List partners (staff)', description: 'By name, with the staff list’s filters.', tags, querystring: PartnersQuery, response: { 200: described(PageOf(Partner), 'A page of partners.') } }
  }, async (request) => {
    const { q, status, levelId, country, territory, expertise, cursor, limit = 50 } = request.query
    const after = decodeCursor<{ name: string; id: string }>(cursor, { name: 'string', id: 'string' })
    const page = await partners.list({
      search: q?.trim() || undefined, status, levelId, country, territory, expertise, after: after && isId(after.id) ? after : undefined
    }, limit)
    return { items: page.items.map((p) => ({ ...toCompany(p), capacity: p.capacity })), next: page.next, nextUrl: nextUrl(request.url, page.next) }
  })

  app.get<ById>('/partners/:id', {
    config,
    schema: { summary: 'Get a partner (staff)', tags, params: IdParams, response: { 200: described(Partner, 'The partner.') } }
  }, async (request) => partnerOf(request.params.id))

  app.post<ById<Static<typeof ReasonInput>>>('/partners/:id/suspend', {
    config,
    schema: {
      summary: 'Suspend a partner (staff)', description: 'Its people are signed out at their next request and its API keys stop. 409 unless it is active.',
      tags, params: IdParams, body: ReasonInput, response: { 200: described(Partner, 'The partner, suspended.') }
    }
  }, async (request) => {
    await partners.partner(request.params.id)
    await partners.setSuspended(signedIn(request), request.params.id, true, parseForm(SuspendForm, request.body).reason)
    return partnerOf(request.params.id)
  })

  app.post<ById>('/partners/:id/reactivate', {
    config,
    schema: { summary: 'Reactivate a suspended partner (staff)', description: '409 unless it is suspended.', tags, params: IdParams, response: { 200: described(Partner, 'The partner, active again.') } }
  }, async (request) => {
    await partners.setSuspended(signedIn(request), request.params.id, false)
    return partnerOf(request.params.id)
  })

  const recruitment = ['Recruitment (staff)']

  app.get<{ Querystring: Static<typeof ApplicationsQuery> }>('/partner-applications', {
    config,
    schema: { summary: 'List partner applications (staff)', description: 'Newest first unless sorted otherwise, with the applications page’s filters.', tags: recruitment, querystring: ApplicationsQuery, response: { 200: described(PageOf(Application), 'A page of applications.') } }
  }, async (request) => {
    const { status, country, territory, expertise, sort = 'newest', cursor, limit = 50 } = request.query
    const company = decodeCursor<{ key: string; id: string }>(cursor, { key: 'string', id: 'string' })
    const after = sort === 'company' ? (company && isId(company.id) ? company : undefined) : timeCursor(cursor)
    const page = await partners.applications({ status, country, territory, expertise, sort, after }, limit)
    return { items: page.items.map(toApplication), next: page.next, nextUrl: nextUrl(request.url, page.next) }
  })

  app.get<ById>('/partner-applications/:id', {
    config,
    schema: { summary: 'Get a partner application (staff)', tags: recruitment, params: IdParams, response: { 200: described(Application, 'The application.') } }
  }, async (request) => toApplication(await partners.application(request.params.id)))

  app.post<ById<Static<typeof ApproveInput>>>('/partner-applications/:id/approve', {
    config,
    schema: {
      summary: 'Approve a partner application (staff)', description: 'The company becomes an active partner at the level given; the applicant its partner admin, e-mailed. 409 once decided.',
      tags: recruitment, params: IdParams, body: ApproveInput, response: { 200: described(Application, 'The application, approved.') }
    }
  }, async (request) => {
    await partners.application(request.params.id)
    await partners.approve(signedIn(request), request.params.id, parseForm(ApproveForm, { level_id: request.body.levelId }).level_id)
    return toApplication(await partners.application(request.params.id))
  })

  app.post<ById<Static<typeof ReasonInput>>>('/partner-applications/:id/reject', {
    config,
    schema: {
      summary: 'Reject a partner application, with a reason (staff)', description: 'The applicant is e-mailed the reason; the application is kept. 409 once decided.',
      tags: recruitment, params: IdParams, body: ReasonInput, response: { 200: described(Application, 'The application, rejected.') }
    }
  }, async (request) => {
    await partners.application(request.params.id)
    await partners.reject(signedIn(request), request.params.id, parseForm(RejectForm, request.body).reason)
    return toApplication(await partners.application(request.params.id))
  })

  await app.register(companyApi)
}

export default partnersApi
