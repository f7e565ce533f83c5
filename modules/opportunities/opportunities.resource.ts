import Type, { type Static } from 'typebox'
import { iso, isoOrNull, Money, Nullable, NullableId, NullableString, NullableTimestamp, OneOf, Timestamp } from '../../core/api/schemas.ts'
import { stages, statuses } from './opportunities.table.ts'

/** Opportunities and offers as the API shows them: in its answers and in the webhooks' payloads. */
export const Status = OneOf(statuses)
export const Stage = OneOf(stages)
const day = (date: Date) => date.toISOString().slice(0, 10)
const money = (amount: string, currency: string) => ({ amount: String(amount), currency })

export const OpportunitySummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.Integer({ description: 'The number the pages show (OPP-<number>).' }),
  name: Type.String(),
  customerName: Type.String(),
  status: Status,
  stage: Stage,
  estimatedRevenue: Money,
  expectedClose: Type.String({ format: 'date' }),
  ownerName: NullableString,
  sharedWithUs: Type.Boolean({ description: 'Another partner’s deal that this company works on with them.' }),
  updatedAt: Timestamp
})

export const Opportunity = Type.Object({
  ...OpportunitySummary.properties,
  description: Type.String(),
  accountId: NullableId,
  contactId: NullableId,
  customerDomain: NullableString,
  territory: Type.String(),
  expertise: Type.Array(Type.String()),
  actualRevenue: Nullable(Money),
  lostReason: NullableString,
  closedAt: NullableTimestamp,
  createdAt: Timestamp
})

export const Offer = Type.Object({
  id: Type.String({ format: 'uuid' }),
  opportunityId: Type.String({ format: 'uuid' }),
  number: Type.Integer(),
  name: Type.String(),
  customerName: Type.String(),
  territory: Type.String(),
  expertise: Type.Array(Type.String()),
  estimatedRevenue: Money,
  expectedClose: Type.String({ format: 'date' }),
  description: Type.String(),
  offeredAt: Timestamp,
  deadline: Timestamp
})

type DealRow = {
  id: string; number: number; name: string; customer_name: string; status: string; stage: string; estimated_revenue: string; currency: string
  expected_close: Date; owner_name: string | null; partner_id: string | null; updated_at: Date
}

/** A deal in a list, as the partner `partnerId` sees it (another partner's deal is one shared with them). */
export const summary = (o: DealRow, partnerId: string | null): Static<typeof OpportunitySummary> => ({
  id: o.id, number: o.number, name: o.name, customerName: o.customer_name, status: o.status as Static<typeof Status>, stage: o.stage as Static<typeof Stage>,
  estimatedRevenue: money(o.estimated_revenue, o.currency), expectedClose: day(o.expected_close), ownerName: o.owner_name,
  sharedWithUs: partnerId !== null && o.partner_id !== partnerId, updatedAt: iso(o.updated_at)
})

/** The whole deal, as the partner `partnerId` sees it (null: as staff). */
export const toOpportunity = (o: DealRow & {
  description: string; account_id: string | null; contact_id: string | null; customer_domain: string | null; territory: string; expertise: string[]
  actual_revenue: string | null; lost_reason: string | null; closed_at: Date | null; created_at: Date
}, partnerId: string | null): Static<typeof Opportunity> => ({
  ...summary(o, partnerId), description: o.description, accountId: o.account_id, contactId: o.contact_id, customerDomain: o.customer_domain,
  territory: o.territory, expertise: o.expertise, actualRevenue: o.actual_revenue === null ? null : money(o.actual_revenue, o.currency),
  lostReason: o.lost_reason, closedAt: isoOrNull(o.closed_at), createdAt: iso(o.created_at)
})

/** An offer: the deal offered and when its answer is due. */
export const toOffer = (offer: { id: string; offeredAt: Date; deadline: Date }, o: {
  id: string; number: number; name: string; customer_name: string; territory: string; expertise: string[]; estimated_revenue: string; currency: string
  expected_close: Date; description: string
}): Static<typeof Offer> => ({
  id: offer.id, opportunityId: o.id, number: o.number, name: o.name, customerName: o.customer_name, territory: o.territory,
  expertise: o.expertise, estimatedRevenue: money(o.estimated_revenue, o.currency), expectedClose: day(o.expected_close), description: o.description,
  offeredAt: iso(offer.offeredAt), deadline: iso(offer.deadline)
})
