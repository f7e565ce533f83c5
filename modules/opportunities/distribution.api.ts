import type { FastifyPluginAsync } from 'fastify'
import Type, { type Static } from 'typebox'
import { signedIn } from '../../core/identity/access.ts'
import { apiKeyOf } from '../../core/identity/api-keys/api-keys.service.ts'
import { fingerprintOf } from '../../core/api/requests.ts'
import { described, IdempotencyHeaders, IdParams, iso, isoOrNull, Money, nextUrl, Nullable, NullableString, OneOf, PageOf, PageQuery, Timestamp } from '../../core/api/schemas.ts'
import { decodeCursor, encodeCursor, timeCursor } from '../../core/lib/pagination.ts'
import { parseForm } from '../../core/lib/validation.ts'
import { OfferForm } from './opportunities.schemas.ts'
import { stages, statuses, type OfferRow, type ScoreReason } from './opportunities.table.ts'

const Ref = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() })

const ChannelOpportunity = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.Integer({ description: 'The number the pages show (OPP-<number>).' }),
  name: Type.String(),
  customerName: Type.String(),
  status: OneOf(statuses),
  stage: OneOf(stages),
  source: OneOf(['registration', 'staff'], { description: 'Registered by a partner, or created by staff.' }),
  territory: Type.String(),
  estimatedRevenue: Money,
  expectedClose: Type.String({ format: 'date' }),
  partner: Nullable(Ref, { description: 'The partner holding it; null while it waits in the staff queue.' }),
  updatedAt: Timestamp
})

const ListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(OneOf(statuses, { description: '"queued": the staff queue, the deals waiting to be offered.' })),
  stage: Type.Optional(OneOf(stages)),
  partnerId: Type.Optional(Type.String({ format: 'uuid' })),
  accountId: Type.Optional(Type.String({ format: 'uuid' })),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches the deal’s and the customer’s name.' }))
})

const Reason = Type.Object({
  factor: Type.String({ description: 'A factor of the distribution rules (territory, expertise, level, …).' }),
  points: Type.Number({ description: 'What it adds to the score.' }),
  note: Type.String({ description: 'Why, in the words of the ranking page.' })
})

const RankedPartner = Type.Object({
  partner: Type.Object({ ...Ref.properties, level: NullableString }),
  eligible: Type.Boolean(),
  blockers: Type.Array(Type.String(), { description: 'Why the partner may not be offered the deal (empty when eligible).' }),
  score: Type.Number(),
  reasons: Type.Array(Reason),
  offeredBefore: Type.Boolean({ description: 'The deal was offered to this partner before.' })
})

const RankingQuery = Type.Object({ ...PageQuery })
const OfferParams = Type.Object({ id: Type.String({ format: 'uuid' }), offerId: Type.String({ format: 'uuid' }) })

const Offer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  opportunityId: Type.String({ format: 'uuid' }),
  partner: Ref,
  status: OneOf(['pending', 'accepted', 'rejected', 'expired', 'withdrawn', 'returned']),
  score: Nullable(Type.Number()),
  reasons: Type.Array(Reason),
  offeredAt: Timestamp,
  deadline: Timestamp,
  answeredAt: Nullable(Timestamp),
  reason: Nullable(Type.String(), { description: 'The partner’s reason for rejecting or returning it.' })
})

const OfferInput = Type.Object({
  partnerId: Type.String({ format: 'uuid', description: 'An active partner of the ranking.' }),
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, description: 'Hours the partner has to answer; default: the distribution rules’.' }))
}, { additionalProperties: false })

const toOffer = (o: OfferRow & { partner_name: string }): Static<typeof Offer> => ({
  id: o.id, opportunityId: o.opportunity_id, partner: { id: o.partner_id, name: o.partner_name }, status: o.status,
  score: o.score === null ? null : Number(o.score), reasons: o.reasons as ScoreReason[], offeredAt: iso(o.offered_at), deadline: iso(o.deadline),
  answeredAt: isoOrNull(o.answered_at), reason: o.reason
})

const tags = ['Distribution (staff)']
const config = { access: 'staff' as const }
type ById<Q = unknown> = { Params: Static<typeof IdParams>; Querystring: Q }

/** Distribution for staff keys: the channel's deals, the partners ranked for a queued one, and offering it — as the staff pages do. */
const distributionApi: FastifyPluginAsync = async (app) => {
  const { channel, distribution, submissions } = app.diContainer.cradle

  app.get<{ Querystring: Static<typeof ListQuery> }>('/channel/opportunities', {
    config,
    schema: { summary: 'List every opportunity (staff)', description: 'Latest change first, with the staff list’s filters.', tags, querystring: ListQuery, response: { 200: described(PageOf(ChannelOpportunity), 'A page of the channel’s deals.') } }
  }, async (request) => {
    const { status, stage, partnerId, accountId, q, cursor, limit = 50 } = request.query
    const page = await channel.list({ status, stage, partnerId, accountId, search: q?.trim() || undefined, after: timeCursor(cursor) }, limit)
    return {
      items: page.items.map((o) => ({
        id: o.id, number: o.number, name: o.name, customerName: o.customer_name, status: o.status, stage: o.stage, source: o.source,
        territory: o.territory, estimatedRevenue: { amount: String(o.estimated_revenue), currency: o.currency },
        expectedClose: new Date(o.expected_close).toISOString().slice(0, 10),
        partner: o.partner_id ? { id: o.partner_id, name: o.partner_name ?? '' } : null, updatedAt: iso(o.updated_at)
      })),
      next: page.next, nextUrl: nextUrl(request.url, page.next)
    }
  })

  app.get<ById<Static<typeof RankingQuery>>>('/channel/opportunities/:id/ranking', {
    config,
    schema: {
      summary: 'Rank the partners for a queued opportunity (staff)', description: 'Every active partner, eligible ones first by score, with the reasons of the score. 409 unless the deal waits in the staff queue.',
      tags, params: IdParams, querystring: RankingQuery, response: { 200: described(PageOf(RankedPartner), 'A page of the ranking, best first.') }
    }
  }, async (request) => {
    const ranking = await channel.ranking(request.params.id)
    // The ranking is worked out whole for each call; the cursor is a place in it.
    const from = Number(decodeCursor<{ at: string }>(request.query.cursor, { at: 'string' })?.at ?? 0) || 0
    const limit = request.query.limit ?? 50
    const next = from + limit < ranking.length ? encodeCursor({ at: String(from + limit) }) : null
    return {
      items: ranking.slice(from, from + limit).map((r) => ({
        partner: { id: r.partner.id, name: r.partner.name, level: r.partner.levelName }, eligible: r.eligible, blockers: r.blockers,
        score: r.score, reasons: r.reasons, offeredBefore: r.offeredBefore
      })),
      next, nextUrl: nextUrl(request.url, next)
    }
  })

  app.get<ById>('/channel/opportunities/:id/offers', {
    config,
    schema: { summary: 'List the offers made of an opportunity (staff)', description: 'Oldest first.', tags, params: IdParams, response: { 200: described(Type.Object({ items: Type.Array(Offer) }), 'Every offer of the deal.') } }
  }, async (request) => ({ items: (await channel.offers(request.params.id)).map(toOffer) }))

  app.get<{ Params: Static<typeof OfferParams> }>('/channel/opportunities/:id/offers/:offerId', {
    config,
    schema: { summary: 'Get an offer of an opportunity (staff)', tags, params: OfferParams, response: { 200: described(Offer, 'The offer.') } }
  }, async (request) => toOffer(await channel.offer(request.params.id, request.params.offerId)))

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof OfferInput> }>('/channel/opportunities/:id/offers', {
    config,
    schema: {
      summary: 'Offer a queued opportunity to a partner (staff)', description: 'The partner is e-mailed and has until the deadline to answer. 409 unless the deal waits in the staff queue.',
      tags, params: IdParams, body: OfferInput, headers: IdempotencyHeaders,
      response: { 201: described(Offer, 'Offered; Location names the offer.'), 200: described(Offer, 'Already offered by an earlier request with this Idempotency-Key: that offer.') }
    }
  }, async (request, reply) => {
    const viewer = signedIn(request)
    const { id } = request.params
    const saved = await submissions.once(request, `api-key:${apiKeyOf(request).id}`, async (submission) => {
      const hours = request.body.hours ?? (await distribution.rules()).offer_hours
      const form = parseForm(OfferForm, { partner_id: request.body.partnerId, hours })
      return distribution.offer(viewer, id, form.partner_id, form.hours, submission)
    }, (offerId) => `/api/v1/channel/opportunities/${id}/offers/${offerId}`, fingerprintOf(request))
    reply.code(saved.repeat ? 200 : 201).header('location', saved.location)
    return toOffer(await channel.offer(id, saved.location.split('/').pop()!))
  })
}

export default distributionApi
