/**
 * What the cases module tells the others. `partnerId` is the company whose case it is; `by` who
 * acted (null: the system). Internal notes raise no event: nothing outside the staff's pages hears of them.
 */
type Case = { caseId: string; partnerId: string; by: string | null }

declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    'case.created': Case & { opportunityId: string | null }
    /** A public reply, by the partner or the staff; `status` is the case's once the reply is in (a staff reply may resolve it). */
    'case.replied': Case & { eventId: string; from: 'partner' | 'staff'; status: string }
    'case.status-changed': Case & { from: string; to: string }
    /** A service target passed without a first response or a resolution. */
    'case.breached': Case & { target: string }
  }
}

export {}
