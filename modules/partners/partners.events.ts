/** What the partners module tells the others: decisions on a company and its people. */
declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    /** A company applied to the program: its application waits for staff. */
    'partner.applied': { partnerId: string; applicationId: string; by: string | null }
    'partner.approved': { partnerId: string; levelId: string; by: string | null }
    'partner.rejected': { partnerId: string; reason: string; by: string | null }
    'partner.suspended': { partnerId: string; reason: string | null; by: string | null }
    'partner.reactivated': { partnerId: string; by: string | null }
    'partner.employee-invited': { partnerId: string; userId: string; by: string | null }
  }
}

export {}
