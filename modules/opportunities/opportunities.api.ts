import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'
import { partnerViewer, type PartnerViewer } from '../../core/identity/access.ts'
import { NotFound } from '../../core/lib/errors.ts'
import { described, IdempotencyHeaders, IdParams, iso, nextUrl, NullableId, OneOf, PageOf, PageQuery, Timestamp } from '../../core/api/schemas.ts'
import { timeCursor } from '../../core/lib/pagination.ts'
import { Offer, Opportunity, OpportunitySummary, Stage, Status, toOffer, toOpportunity } from './opportunities.resource.ts'
import { currencies, EditForm, NoteForm, ReasonForm, RegistrationForm, StageForm, WinForm } from './opportunities.schemas.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { etagOf, fingerprintOf, ifMatchVersion } from '../../core/api/requests.ts'
import { sendJsonText } from '../../core/api/json-text.ts'
import distributionApi from './distribution.api.ts'

const ListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Status),
  stage: Type.Optional(Stage),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches the deal’s and the customer’s name.' })),
  accountId: Type.Optional(Type.String({ format: 'uuid', description: 'Only the deals of this customer account.' })),
  owner: Type.Optional(Type.Literal('me', { description: '"me": only the key issuer’s own deals (for company-wide access).' }))
})

const OffersQuery = Type.Object({ ...PageQuery })
const TimelineQuery = Type.Object({ ...PageQuery })

const TimelineEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String({ description: 'What happened: registered, edited, stage, note, won, lost, offered, accepted, …' }),
  body: Type.String({ description: 'The words the deal’s page shows for it (a note’s text).' }),
  actor: Type.Object({ id: NullableId, name: Type.String() }, { description: 'Who did it (the system has no id).' }),
  at: Timestamp
})

const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag of the version read; 412 Precondition Failed if the opportunity changed since.' }))
})

const MoneyInput = Type.Object({
  amount: Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$', description: 'A decimal number with at most two decimals, e.g. "25000.00".' }),
  currency: OneOf(currencies, { description: 'ISO 4217 code.' })
}, { additionalProperties: false })

const dealFields = {
  name: Type.String({ minLength: 1, maxLength: 160 }),
  estimatedRevenue: MoneyInput,
  expectedClose: Type.String({ format: 'date', description: 'YYYY-MM-DD.' }),
  expertise: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: 'Products and expertise, from the program’s list.' })),
  description: Type.Optional(Type.String({ maxLength: 4000 }))
}

const Registration = Type.Object({
  ...dealFields,
  accountId: Type.String({ format: 'uuid', description: 'One of your customer accounts.' }),
  contactId: Type.Optional(Type.String({ format: 'uuid', description: 'A contact of that account.' }))
}, { additionalProperties: false })

const DealPatch = Type.Partial(Type.Object(dealFields), { additionalProperties: false })
const StageInput = Type.Object({ stage: Stage }, { additionalProperties: false })
const WinInput = Type.Object({ actualRevenue: Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,2})?$', description: 'In the deal’s currency.' }) }, { additionalProperties: false })
const ReasonInput = Type.Object({ reason: Type.String({ minLength: 5, maxLength: 2000 }) }, { additionalProperties: false })
const NoteInput = Type.Object({ body: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false })

type DealForm = { name: string; estimated_revenue: string; currency: string; expected_close: string; expertise: string[]; description: string }

/** The API's deal fields as the forms name them, so one set of rules checks both. */
const asDealForm = (body: Partial<Static<typeof Registration>>): Partial<DealForm> => ({
  name: body.name, estimated_revenue: body.estimatedRevenue?.amount, currency: body.estimatedRevenue?.currency,
  expected_close: body.expectedClose, expertise: body.expertise, description: body.description
})
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
const NoContent = Type.Null({ description: 'Done; nothing to return.' })

const tags = ['Opportunities']
const config = { access: 'partner' as const }

/** The partner's deals in the API, within the key's reach, as the pipeline pages show them. */
const opportunitiesApi: FastifyPluginAsync = async (app) => {
  const { pipeline, opportunities, customers, distribution, submissions } = app.diContainer.cradle

  app.get<{ Querystring: Static<typeof ListQuery> }>('/opportunities', {
    config,
    schema: { summary: 'List opportunities', description: 'Newest activity first; deals shared with the company come along.', tags, querystring: ListQuery, response: { 200: described(PageOf(OpportunitySummary), 'A page of the pipeline.') } }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const { status, stage, q, accountId, owner, cursor, limit = 50 } = request.query
    // A customer out of the key's reach answers 404, like its page.
    if (accountId) await customers.account(viewer, accountId)
    const search = q?.trim()
    const page = await pipeline.listJson(viewer, {
      status, stage, search: search || undefined, accountId, mine: owner === 'me' && pipeline.ownerChoice(viewer), after: timeCursor(cursor)
    }, limit)
    return sendJsonText(reply, `{"items":[${page.items.map((o) => o.json).join(',')}],"next":${JSON.stringify(page.next)},"nextUrl":${JSON.stringify(nextUrl(request.url, page.next))}}`)
  })

  /** The deal as the key may see it, whole; its ETag names this version. */
  const dealOf = async (viewer: PartnerViewer, id: string, reply: FastifyReply): Promise<Static<typeof Opportunity>> => {
    const o = await opportunities.forPartner(viewer, id)
    reply.header('etag', etagOf(o.version))
    return toOpportunity(o, viewer.partnerId)
  }
  type ById<B = unknown> = { Params: Static<typeof IdParams>; Body: B }

  app.get<ById>('/opportunities/:id', {
    config,
    schema: { summary: 'Get an opportunity', tags, params: IdParams, response: { 200: described(Opportunity, 'The opportunity; its ETag names this version.') } }
  }, async (request, reply) => dealOf(partnerViewer(request), request.params.id, reply))

  app.post<{ Body: Static<typeof Registration> }>('/opportunities', {
    config,
    schema: {
      summary: 'Register an opportunity', description: 'Opens it in the pipeline; if another deal targets the same customer it waits for the channel team’s approval (status pending_approval).',
      tags, body: Registration, headers: IdempotencyHeaders,
      response: { 201: described(Opportunity, 'Registered; Location names it.'), 200: described(Opportunity, 'Already registered by an earlier request with this Idempotency-Key.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`, async (submission) => {
      const form = parseForm(RegistrationForm, { ...asDealForm(request.body), account_id: request.body.accountId, contact_id: request.body.contactId ?? '' })
      return (await opportunities.register(viewer, form, submission)).id
    }, (id) => `/api/v1/opportunities/${id}`, fingerprintOf(request))
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return dealOf(viewer, saved.location.split('/').pop()!, reply)
  })

  app.patch<ById<Static<typeof DealPatch>>>('/opportunities/:id', {
    config,
    schema: {
      summary: 'Change an opportunity', description: 'Only the fields sent change. Send the ETag you read as If-Match to change only that version: 412 if it changed since.',
      tags, params: IdParams, body: DealPatch, headers: IfMatchHeaders, response: { 200: described(Opportunity, 'The opportunity as changed; its ETag names the new version.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const expected = ifMatchVersion(request)
    const o = await opportunities.forPartner(viewer, request.params.id)
    const current: DealForm = {
      name: o.name, estimated_revenue: String(o.estimated_revenue), currency: o.currency, expected_close: o.expected_close.toISOString().slice(0, 10),
      expertise: o.expertise, description: o.description
    }
    await opportunities.edit(viewer, o.id, parseForm(EditForm, { ...current, ...defined(asDealForm(request.body)) }), expected ?? o.version)
    return dealOf(viewer, o.id, reply)
  })

  /** An action on a deal that answers with the deal as it is afterwards. */
  const dealAction = <B extends TSchema>(action: string, summary: string, body: B, answer: string,
    act: (viewer: PartnerViewer, id: string, body: Static<B>) => Promise<void>) =>
    app.post<ById<Static<B>>>(`/opportunities/:id/${action}`, {
      config,
      schema: { summary, tags, params: IdParams, body, response: { 200: described(Opportunity, answer) } }
    }, async (request, reply) => {
      const viewer = partnerViewer(request)
      await act(viewer, request.params.id, request.body as Static<B>)
      return dealOf(viewer, request.params.id, reply)
    })

  dealAction('stage', 'Move an opportunity to a stage', StageInput, 'The opportunity at its new stage.',
    (viewer, id, body) => opportunities.moveStage(viewer, id, parseForm(StageForm, body).stage))
  dealAction('won', 'Mark an opportunity won', WinInput, 'The opportunity, won.',
    (viewer, id, body) => opportunities.win(viewer, id, parseForm(WinForm, { actual_revenue: body.actualRevenue }).actual_revenue))
  dealAction('lost', 'Mark an opportunity lost', ReasonInput, 'The opportunity, lost.',
    (viewer, id, body) => opportunities.lose(viewer, id, parseForm(ReasonForm, body).reason))

  app.post<ById<Static<typeof NoteInput>>>('/opportunities/:id/notes', {
    config,
    schema: { summary: 'Add a note to an opportunity’s timeline', tags, params: IdParams, body: NoteInput, response: { 204: NoContent } }
  }, async (request, reply) => {
    await opportunities.addNote(partnerViewer(request), request.params.id, parseForm(NoteForm, request.body).body)
    return reply.code(204).send()
  })

  app.get<ById & { Querystring: Static<typeof TimelineQuery> }>('/opportunities/:id/timeline', {
    config,
    schema: {
      summary: 'An opportunity’s timeline', description: 'Its history and notes as the deal’s page shows them to your company, newest first.',
      tags, params: IdParams, querystring: TimelineQuery, response: { 200: described(PageOf(TimelineEvent), 'A page of the timeline.') }
    }
  }, async (request) => {
    const page = await pipeline.timeline(partnerViewer(request), request.params.id, timeCursor(request.query.cursor), request.query.limit ?? 50)
    return {
      items: page.items.map((e) => ({ id: e.id, kind: e.kind, body: e.body, actor: { id: e.actor_id, name: e.actor_name }, at: iso(e.at) })),
      next: page.next, nextUrl: nextUrl(request.url, page.next)
    }
  })

  app.get<{ Querystring: Static<typeof OffersQuery> }>('/offers', {
    config,
    schema: { summary: 'List the offers waiting for an answer', description: 'Soonest deadline first.', tags: ['Offers'], querystring: OffersQuery, response: { 200: described(PageOf(Offer), 'A page of pending offers.') } }
  }, async (request) => {
    const viewer = partnerViewer(request)
    const page = await distribution.inbox(viewer, timeCursor(request.query.cursor), request.query.limit ?? 50)
    return {
      items: page.items.map((o) => toOffer({ id: o.id, offeredAt: o.offered_at, deadline: o.deadline }, { ...o, id: o.opportunity_id })),
      next: page.next, nextUrl: nextUrl(request.url, page.next)
    }
  })

  app.post<ById>('/offers/:id/accept', {
    config,
    schema: { summary: 'Accept an offer', description: 'Needs the "may accept or reject offers" permission. The deal joins the pipeline.', tags: ['Offers'], params: IdParams, response: { 200: described(Opportunity, 'The accepted opportunity, now in the pipeline.') } }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const opportunity = await distribution.accept(viewer, request.params.id)
    return dealOf(viewer, opportunity.id, reply)
  })

  app.post<ById<Static<typeof ReasonInput>>>('/offers/:id/reject', {
    config,
    schema: { summary: 'Reject an offer, with a reason', tags: ['Offers'], params: IdParams, body: ReasonInput, response: { 204: NoContent } }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    if (!(await distribution.offeredTo(viewer, request.params.id))) throw new NotFound('The offer')
    await distribution.reject(viewer, request.params.id, parseForm(ReasonForm, request.body).reason)
    return reply.code(204).send()
  })

  await app.register(distributionApi)
}

export default opportunitiesApi
