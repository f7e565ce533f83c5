import { audit, type Actor } from '../../core/data/audit/audit.service.ts'
import type { DbOrTrx } from '../../core/data/database.ts'
import { insertEvent } from './timeline.repository.ts'
import type { OpportunityRow } from './opportunities.table.ts'

export const snapshot = (o: OpportunityRow) => ({
  name: o.name, status: o.status, stage: o.stage, partner_id: o.partner_id, owner_id: o.owner_id, account_id: o.account_id,
  customer_name: o.customer_name, territory: o.territory, expertise: o.expertise, estimated_revenue: o.estimated_revenue,
  currency: o.currency, expected_close: o.expected_close, actual_revenue: o.actual_revenue, lost_reason: o.lost_reason
})

export interface HistoryEntry {
  kind: string
  body?: string
  /** The partner the event concerns; other partners never see it. Null: everyone with access. */
  partnerId?: string | null
  staffOnly?: boolean
  before?: OpportunityRow
  after: OpportunityRow
}

/** One change, written twice in its transaction: the opportunity's timeline and the audit trail. */
export async function recordHistory(trx: DbOrTrx, actor: Actor, entry: HistoryEntry): Promise<void> {
  await insertEvent(trx, {
    opportunity_id: entry.after.id, partner_id: entry.partnerId ?? null, staff_only: entry.staffOnly ?? false,
    kind: entry.kind, body: entry.body ?? '', actor_id: actor.id, actor_name: actor.name
  })
  await audit(trx, actor, {
    action: `opportunity.${entry.kind}`, entity: 'opportunity', entityId: entry.after.id, partnerId: entry.after.partner_id ?? entry.partnerId ?? null,
    before: entry.before && snapshot(entry.before), after: { ...snapshot(entry.after), ...(entry.body ? { note: entry.body } : {}) }
  })
}
