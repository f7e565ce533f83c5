/**
 * What the customers module tells the others. `customer.removed` is emitted before the account is
 * deleted: an in-transaction handler of a module that still holds records of it refuses the removal
 * with its reason (opportunities: "3 open opportunities").
 */
declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    'customer.created': { accountId: string; partnerId: string; name: string; source: 'form' | 'offer' | 'import'; by: string | null }
    'customer.updated': { accountId: string; partnerId: string; changed: string[]; by: string | null }
    'customer.removed': { accountId: string; partnerId: string; name: string; by: string | null }
    'customer.reassigned': { accountId: string; fromPartnerId: string; toPartnerId: string; by: string | null }
  }
}

export {}
