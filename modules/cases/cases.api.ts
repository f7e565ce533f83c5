import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static } from 'typebox'
import { described, IdempotencyHeaders, IdParams, nextUrl, OneOf, PageOf, PageQuery } from '../../core/api/schemas.ts'
import { fingerprintOf } from '../../core/api/requests.ts'
import { partnerViewer, signedIn } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { timeCursor } from '../../core/lib/pagination.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { CaseForm, NoteForm, ReplyForm, StaffReplyForm } from './cases.schemas.ts'
import { Case, Reply, toCase, toReply } from './cases.resource.ts'
import { caseStatuses, caseTypes, priorities } from './cases.table.ts'

const CaseInput = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown.' }),
  type: OneOf(caseTypes),
  priority: OneOf(priorities, { default: 'normal' }),
  accountId: Type.Optional(Type.String({ format: 'uuid', description: 'One of your customer accounts.' })),
  opportunityId: Type.Optional(Type.String({ format: 'uuid', description: 'One of your company’s opportunities.' }))
}, { additionalProperties: false })

const ReplyInput = Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown.' }) }, { additionalProperties: false })
const StaffReplyInput = Type.Object({
  body: Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown.' }),
  internal: Type.Optional(Type.Boolean({ default: false, description: 'An internal note: never shown to the partner.' }))
}, { additionalProperties: false })

const ListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(OneOf(caseStatuses)),
  mine: Type.Optional(Type.Boolean({ description: 'Only the cases the key’s issuer opened.' }))
})

const Replies = Type.Object({ items: Type.Array(Reply) })
const tags = ['Cases']
const partner = { access: 'partner' as const }
const staff = { access: 'staff' as const }

/** Support cases in the API: a partner's own within the key's reach, public replies only; staff keys read and answer any case. */
const casesApi: FastifyPluginAsync = async (app) => {
  const { cases, caseDesk, submissions } = app.diContainer.cradle

  app.get<{ Querystring: Static<typeof ListQuery> }>('/cases', {
    config: partner, schema: { summary: 'List support cases', tags, querystring: ListQuery, response: { 200: described(PageOf(Case), 'A page of cases, the latest activity first.') } }
  }, async (request) => {
    const viewer = partnerViewer(request)
    const { status, mine, cursor, limit = 50 } = request.query
    const page = await cases.list(viewer, { status, mine, after: timeCursor(cursor) }, limit)
    return { items: page.items.map((c) => toCase(c)), next: page.next, nextUrl: nextUrl(request.url, page.next) }
  })

  app.get<{ Params: Static<typeof IdParams> }>('/cases/:id', {
    config: partner, schema: { summary: 'Get a support case', tags, params: IdParams, response: { 200: described(Case, 'The case.') } }
  }, async (request) => toCase(await cases.forPartner(partnerViewer(request), request.params.id)))

  app.post<{ Body: Static<typeof CaseInput> }>('/cases', {
    config: partner,
    schema: {
      summary: 'Open a support case', tags, body: CaseInput, headers: IdempotencyHeaders,
      response: { 201: described(Case, 'Opened; Location names it.'), 200: described(Case, 'Already opened by an earlier request with this Idempotency-Key: that case.') }
    }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    const body = request.body
    const form = { subject: body.subject, body: body.description, type: body.type, priority: body.priority, account_id: body.accountId ?? '', opportunity_id: body.opportunityId ?? '', follow_up_of: '' }
    await cases.links(viewer, form)
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`,
      (submission) => cases.open(viewer, parseForm(CaseForm, form), undefined, submission), (id) => `/api/v1/cases/${id}`, fingerprintOf(request))
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return toCase(await cases.forPartner(viewer, saved.location.split('/').pop()!))
  })

  app.get<{ Params: Static<typeof IdParams> }>('/cases/:id/replies', {
    config: partner, schema: { summary: 'List a case’s replies', description: 'The public replies, oldest first: never an internal note.', tags, params: IdParams, response: { 200: described(Replies, 'The replies.') } }
  }, async (request) => ({ items: (await cases.replies(partnerViewer(request), request.params.id)).map(toReply) }))

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof ReplyInput> }>('/cases/:id/replies', {
    config: partner, schema: { summary: 'Reply on a case', tags, params: IdParams, body: ReplyInput, response: { 201: described(Reply, 'The reply.') } }
  }, async (request, reply) => {
    const viewer = partnerViewer(request)
    await cases.forPartner(viewer, request.params.id)
    const added = await cases.reply(viewer, request.params.id, parseForm(ReplyForm, request.body).body, undefined)
    reply.code(201)
    return toReply(added)
  })

  app.get<{ Params: Static<typeof IdParams> }>('/desk/cases/:id', {
    config: staff, schema: { summary: 'Get any support case (staff)', tags, params: IdParams, response: { 200: described(Case, 'The case.') } }
  }, async (request) => toCase(await caseDesk.get(request.params.id)))

  app.get<{ Params: Static<typeof IdParams> }>('/desk/cases/:id/replies', {
    config: staff, schema: { summary: 'List a case’s replies and internal notes (staff)', tags, params: IdParams, response: { 200: described(Replies, 'Replies and internal notes, oldest first.') } }
  }, async (request) => ({ items: (await caseDesk.replies(request.params.id)).map(toReply) }))

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof StaffReplyInput> }>('/desk/cases/:id/replies', {
    config: staff, schema: { summary: 'Reply on a case, or add an internal note (staff)', tags, params: IdParams, body: StaffReplyInput, response: { 201: described(Reply, 'The reply or note.') } }
  }, async (request, reply) => {
    const actor = signedIn(request)
    const { body, internal } = request.body
    const added = internal
      ? await caseDesk.note(actor, request.params.id, parseForm(NoteForm, { note: body }).note, undefined)
      : await caseDesk.reply(actor, request.params.id, parseForm(StaffReplyForm, { body, next_status: '' }), undefined)
    reply.code(201)
    return toReply(added)
  })
}

export default casesApi
