import type { EventName } from '../../core/background/events/events.ts'
import type { WebhookSource, WebhookSources, WebhookType } from '../../core/features/features.ts'
import { Offer, Opportunity } from './opportunities.resource.ts'

/** The opportunities' webhook events: a partner's endpoints get those of its own deals and offers. */
export const webhookTypes: Record<string, WebhookType> = {
  'offer.created': { label: 'Offer created', data: Offer, staffOnly: false },
  'offer.expiring': { label: 'Offer expiring soon', data: Offer, staffOnly: false },
  'opportunity.registered': { label: 'Opportunity registered', data: Opportunity, staffOnly: false },
  'opportunity.accepted': { label: 'Opportunity accepted (an offer accepted, or a registration approved)', data: Opportunity, staffOnly: false },
  'opportunity.won': { label: 'Opportunity won', data: Opportunity, staffOnly: false },
  'opportunity.lost': { label: 'Opportunity lost', data: Opportunity, staffOnly: false }
}

/** The deal's or offer's partner, if it has one (staff endpoints get the rest). */
const partnerOf = (partnerId: string | null) => (partnerId ? [partnerId] : [])

const deal = <N extends EventName>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: async (_cradle, event) => partnerOf((event.payload as { partnerId: string | null }).partnerId),
  data: (cradle, event, partnerId, db) => cradle.opportunities.resource((event.payload as { opportunityId: string }).opportunityId, partnerId, db)
})

const offer = <N extends 'opportunity.offered' | 'opportunity.offer-expiring'>(type: string): WebhookSource<N> => ({
  type,
  partnersOf: async (_cradle, event) => partnerOf(event.payload.partnerId),
  data: (cradle, event, _partnerId, db) => cradle.opportunities.offerResource(
    { id: event.payload.offerId, offeredAt: new Date(event.occurredAt), deadline: new Date(event.payload.deadline) }, event.payload.opportunityId, db)
})

export const webhookSources: WebhookSources = {
  'opportunity.offered': offer('offer.created'),
  'opportunity.offer-expiring': offer('offer.expiring'),
  'opportunity.registered': deal('opportunity.registered'),
  'opportunity.accepted': deal('opportunity.accepted'),
  'opportunity.approved': deal('opportunity.accepted'),
  'opportunity.won': deal('opportunity.won'),
  'opportunity.lost': deal('opportunity.lost')
}
