import { sql, type Insertable, type RawBuilder, type Updateable } from 'kysely'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { OpportunitiesTable, OpportunityRow, OpportunityStatus } from './opportunities.table.ts'

/** The deals still in play: in the staff queue, offered, waiting for approval or open. */
export const liveStatuses: OpportunityStatus[] = ['queued', 'offered', 'pending_approval', 'open']

export async function insertOpportunity(db: DbOrTrx, values: Insertable<OpportunitiesTable>): Promise<OpportunityRow> {
  return db.insertInto('opportunities').values(values).returningAll().executeTakeFirstOrThrow()
}

export async function updateOpportunity(db: DbOrTrx, id: string, changes: Updateable<OpportunitiesTable>): Promise<OpportunityRow> {
  return db.updateTable('opportunities').set({ ...changes, updated_at: sql`now()`, last_activity_at: sql`now()` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** An opportunity's version: when it last changed, to the microsecond (a Date keeps milliseconds only). */
const version = sql<string>`opportunities.updated_at::text`.as('version')

export function lockOpportunity(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunities').selectAll().select(version).where('id', '=', id).forUpdate().executeTakeFirst()
}

export function findOpportunity(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunities')
    .leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunities.partner_id')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .selectAll('opportunities').select(['partners.name as partner_name', 'owner.name as owner_name'])
    .where('opportunities.id', '=', id).executeTakeFirst()
}

/** What another module's staff page shows of a deal (its number, name, stage, value, status), as one JSON value for a page loader; `id` may be a subquery. */
export function staffDealQuery(id: RawBuilder<string | null>): RawBuilder<StaffDeal | null> {
  return sql`select row_to_json(d) from (select id, number, name, stage, status, estimated_revenue::text as estimated_revenue, currency, partner_id
    from opportunities where id = (${id})) d`
}

export interface StaffDeal { id: string; number: number; name: string; stage: string; status: string; estimated_revenue: string; currency: string; partner_id: string | null }

/** The partner's view of one opportunity: held by the partner (within the scope) or shared with it. */
export function findForPartner(db: DbOrTrx, partnerId: string, id: string, ownerId: string | null) {
  return forPartnerQuery(db, partnerId, id, ownerId).executeTakeFirst()
}

/** `findForPartner` as a query, to read more beside the deal in the same statement. */
export function forPartnerQuery(db: DbOrTrx, partnerId: string, id: string, ownerId: string | null) {
  return db.selectFrom('opportunities')
    .leftJoin('users as owner', 'owner.id', 'opportunities.owner_id')
    .leftJoin('opportunity_collaborators as c', (j) => j.onRef('c.opportunity_id', '=', 'opportunities.id').on('c.partner_id', '=', partnerId))
    .selectAll('opportunities').select(['owner.name as owner_name', sql<boolean>`c.partner_id is not null`.as('collaborating'), version])
    .where('opportunities.id', '=', id)
    .where((eb) => eb.or([
      eb.and([eb('opportunities.partner_id', '=', partnerId), ...(ownerId ? [eb('opportunities.owner_id', '=', ownerId)] : [])]),
      eb('c.partner_id', '=', partnerId)
    ]))
}

/** Other live deals for the same customer: the same account, or the same domain at another partner. */
export function conflictsFor(db: DbOrTrx, o: { id?: string; accountId: string | null; domain: string | null; partnerId: string | null }) {
  return db.selectFrom('opportunities').leftJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunities.partner_id')
    .select(['opportunities.id', 'opportunities.number', 'opportunities.name', 'opportunities.status', 'opportunities.partner_id', 'partners.name as partner_name', 'opportunities.estimated_revenue', 'opportunities.currency'])
    .where('opportunities.status', 'in', liveStatuses)
    .$if(Boolean(o.id), (q) => q.where('opportunities.id', '<>', o.id!))
    .where((eb) => eb.or([
      ...(o.accountId ? [eb('opportunities.account_id', '=', o.accountId)] : []),
      ...(o.domain ? [eb.and([eb('opportunities.customer_domain', '=', o.domain), eb('opportunities.partner_id', 'is distinct from', o.partnerId)])] : []),
      eb.val(false)
    ]))
    .limit(20).execute()
}

export async function openCountForAccount(db: DbOrTrx, accountId: string): Promise<number> {
  const row = await db.selectFrom('opportunities').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId).where('status', 'in', liveStatuses).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A customer account's latest opportunities, each row carrying how many there are in all (`total`). */
export function listForAccount(db: Db, accountId: string, partnerId: string | null, ownerId: string | null, limit: number) {
  return db.selectFrom('opportunities')
    .select(['id', 'number', 'name', 'status', 'stage', 'estimated_revenue', 'currency', 'expected_close', sql<string>`count(*) over ()`.as('total')])
    .where('account_id', '=', accountId)
    .$if(partnerId !== null, (q) => q.where('partner_id', '=', partnerId!))
    .$if(ownerId !== null, (q) => q.where('owner_id', '=', ownerId!))
    .orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
}

/** Demo data only: puts a deal's dates in the past so dashboards show quarters and stalled deals. */
export async function backdate(db: DbOrTrx, id: string, dates: { createdAt?: Date; closedAt?: Date; lastActivityAt?: Date }): Promise<void> {
  await db.updateTable('opportunities').set({
    ...(dates.createdAt ? { created_at: dates.createdAt } : {}),
    ...(dates.closedAt ? { closed_at: dates.closedAt } : {}),
    ...(dates.lastActivityAt ? { last_activity_at: dates.lastActivityAt, updated_at: dates.lastActivityAt } : {})
  }).where('id', '=', id).execute()
}
