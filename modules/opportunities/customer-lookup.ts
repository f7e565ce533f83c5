import type { PartnerViewer } from '../../core/identity/access.ts'
import type { Actor } from '../../core/data/audit/audit.service.ts'
import type { DbOrTrx } from '../../core/data/database.ts'

/** What opportunities need of the customers module's public services: its accounts, */
export interface CustomerLookup {
  account(viewer: PartnerViewer, id: string): Promise<{ id: string; name: string; domain: string | null; country: string | null }>
  searchAccounts(viewer: PartnerViewer, q: string, limit: number): Promise<Array<{ id: string; name: string }>>
  contactsOf(viewer: PartnerViewer, accountId: string): Promise<Array<{ id: string; name: string }>>
  ensureAccount(trx: DbOrTrx, actor: Actor, partnerId: string, customer: { name: string; domain: string | null; country: string | null; ownerId: string | null }): Promise<string>
}

/** and its contacts. */
export interface ContactLookup {
  contact(viewer: PartnerViewer, id: string): Promise<{ id: string; account_id: string | null }>
}
