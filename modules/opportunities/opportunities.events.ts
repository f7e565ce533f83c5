/**
 * What the opportunities module tells the others: a deal's life from registration or creation by
 * staff, through offers and stages, to won or lost. `partnerId` is the partner the event concerns
 * (the one offered the deal, or holding it); null while the deal waits in the staff queue.
 */
type Deal = { opportunityId: string; partnerId: string | null; by: string | null }

declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    'opportunity.registered': Deal & { accountId: string; status: 'open' | 'pending_approval' }
    'opportunity.created': Deal & { distribution: 'auto' | 'manual' }
    'opportunity.approved': Deal
    'opportunity.declined': Deal & { reason: string }
    'opportunity.offered': Deal & { offerId: string; deadline: string }
    'opportunity.accepted': Deal & { offerId: string; accountId: string }
    'opportunity.rejected': Deal & { offerId: string; reason: string }
    /** A pending offer nears its deadline (sent once, when the partner is reminded). */
    'opportunity.offer-expiring': Deal & { offerId: string; deadline: string }
    'opportunity.expired': Deal & { offerId: string }
    'opportunity.returned': Deal & { reason: string }
    'opportunity.stage-changed': Deal & { from: string; to: string }
    'opportunity.won': Deal & { actualRevenue: string; currency: string }
    'opportunity.lost': Deal & { reason: string }
  }
}

export {}
