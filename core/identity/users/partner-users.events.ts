/** A partner's people losing and regaining access (their invitation is the partners module's event). */
declare module '../../background/events/events.ts' {
  interface DomainEvents {
    'partner.employee-removed': { partnerId: string; userId: string; by: string | null }
    'partner.employee-restored': { partnerId: string; userId: string; by: string | null }
  }
}

export {}
