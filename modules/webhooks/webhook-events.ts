import Type, { type TSchema } from 'typebox'
import type { Cradle } from '../../core/container.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { DomainEvent, EventName } from '../../core/background/events/events.ts'
import { Case, CaseReplied } from '../cases/index.ts'
import { Account } from '../customers/index.ts'
import { Offer, Opportunity } from '../opportunities/index.ts'
import { Application } from '../partners/index.ts'

type Services = Pick<Cradle, 'opportunities' | 'customersAdmin' | 'partners' | 'caseDesk'>

/** The events an endpoint may pick: label, what `data` holds, and whether a partner's endpoint may take it. */
export const webhookTypes = {
  'offer.created': { label: 'Offer created', data: Offer, staffOnly: false },
  'offer.expiring': { label: 'Offer expiring soon', data: Offer, staffOnly: false },
  'opportunity.registered': { label: 'Opportunity registered', data: Opportunity, staffOnly: false },
  'opportunity.accepted': { label: 'Opportunity accepted (an offer accepted, or a registration approved)', data: Opportunity, staffOnly: false },
  'opportunity.won': { label: 'Opportunity won', data: Opportunity, staffOnly: false },
  'opportunity.lost': { label: 'Opportunity lost', data: Opportunity, staffOnly: false },
  'customer.created': { label: 'Customer created', data: Account, staffOnly: false },
  'customer.updated': { label: 'Customer updated', data: Account, staffOnly: false },
  'customer.removed': {
    label: 'Customer removed', staffOnly: false,
    data: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }, { description: 'The account that was removed.' })
  },
  'case.created': { label: 'Support case opened', data: Case, staffOnly: false },
  'case.replied': { label: 'Support case replied to (public replies only)', data: CaseReplied, staffOnly: false },
  'case.status-changed': { label: 'Support case status changed', data: Case, staffOnly: false },
  'case.breached': { label: 'Support case missed a service target', data: Case, staffOnly: false },
  'application.submitted': { label: 'Partner application submitted', data: Application, staffOnly: true },
  'application.decided': { label: 'Partner application approved or rejected', data: Application, staffOnly: true }
} as const satisfies Record<string, { label: string; data: TSchema; staffOnly: boolean }>

export type WebhookType = keyof typeof webhookTypes
export const typeNames = Object.keys(webhookTypes) as WebhookType[]

/** The one event of every endpoint's test button: no resource, only who sent it. */
export const testType = 'webhook.test'

interface Source<N extends EventName> {
  type: WebhookType
  /** The partner whose endpoints also get it (staff endpoints get every event); null: staff only. */
  partnerOf: (event: DomainEvent<N>) => string | null
  /** The resource as the API shows it to that partner (null: to staff); null when it is gone (nothing is sent). */
  data: (services: Services, event: DomainEvent<N>, partnerId: string | null, db: DbOrTrx) => Promise<unknown>
}

const deal = <N extends EventName>(type: WebhookType): Source<N> => ({
  type,
  partnerOf: (event) => (event.payload as { partnerId: string | null }).partnerId,
  data: (s, event, partnerId, db) => s.opportunities.resource((event.payload as { opportunityId: string }).opportunityId, partnerId, db)
})
const offer = <N extends 'opportunity.offered' | 'opportunity.offer-expiring'>(type: WebhookType): Source<N> => ({
  type,
  partnerOf: (event) => event.payload.partnerId,
  data: (s, event, _partnerId, db) => s.opportunities.offerResource(
    { id: event.payload.offerId, offeredAt: new Date(event.occurredAt), deadline: new Date(event.payload.deadline) }, event.payload.opportunityId, db)
})
const account = <N extends 'customer.created' | 'customer.updated'>(type: WebhookType): Source<N> => ({
  type,
  partnerOf: (event) => event.payload.partnerId,
  data: (s, event, _partnerId, db) => s.customersAdmin.resource(event.payload.accountId, db)
})
const application = <N extends 'partner.applied' | 'partner.approved' | 'partner.rejected'>(type: WebhookType): Source<N> => ({
  type,
  partnerOf: () => null,
  data: (s, event, _partnerId, db) => s.partners.applicationResource(event.payload.partnerId, db)
})

const supportCase = <N extends 'case.created' | 'case.status-changed' | 'case.breached'>(type: WebhookType): Source<N> => ({
  type,
  partnerOf: (event) => event.payload.partnerId,
  data: (s, event, _partnerId, db) => s.caseDesk.resource(event.payload.caseId, db)
})

/** Which domain event becomes which webhook event. */
export const sources: { [N in EventName]?: Source<N> } = {
  'opportunity.offered': offer('offer.created'),
  'opportunity.offer-expiring': offer('offer.expiring'),
  'opportunity.registered': deal('opportunity.registered'),
  'opportunity.accepted': deal('opportunity.accepted'),
  'opportunity.approved': deal('opportunity.accepted'),
  'opportunity.won': deal('opportunity.won'),
  'opportunity.lost': deal('opportunity.lost'),
  'customer.created': account('customer.created'),
  'customer.updated': account('customer.updated'),
  'customer.removed': {
    type: 'customer.removed',
    partnerOf: (event) => event.payload.partnerId,
    data: async (_s, event) => ({ id: event.payload.accountId, name: event.payload.name })
  },
  'case.created': supportCase('case.created'),
  'case.replied': {
    type: 'case.replied',
    partnerOf: (event) => event.payload.partnerId,
    data: (s, event, _partnerId, db) => s.caseDesk.replyResource(event.payload.caseId, event.payload.eventId, db)
  },
  'case.status-changed': supportCase('case.status-changed'),
  'case.breached': supportCase('case.breached'),
  'partner.applied': application('application.submitted'),
  'partner.approved': application('application.decided'),
  'partner.rejected': application('application.decided')
}
