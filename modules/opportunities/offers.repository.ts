import { sql } from 'kysely'
import type { Db, DbOrTrx } from '../../core/data/database.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { OfferStatus } from './opportunities.table.ts'

export async function insertOffer(db: DbOrTrx, offer: { opportunity_id: string; partner_id: string; deadline: Date; score: number | null; reasons: string; offered_by: string | null }) {
  return db.insertInto('opportunity_offers').values(offer).returningAll().executeTakeFirstOrThrow()
}

export function lockOffer(db: DbOrTrx, id: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function setOfferStatus(db: DbOrTrx, id: string, status: OfferStatus, by: string | null, reason: string | null = null): Promise<void> {
  await db.updateTable('opportunity_offers').set({ status, answered_by: by, reason, answered_at: sql`now()` }).where('id', '=', id).execute()
}

export function acceptedOfferFor(db: DbOrTrx, opportunityId: string, partnerId: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('opportunity_id', '=', opportunityId)
    .where('partner_id', '=', partnerId).where('status', '=', 'accepted').executeTakeFirst()
}

export function offersOf(db: DbOrTrx, opportunityId: string) {
  return db.selectFrom('opportunity_offers').innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunity_offers.partner_id')
    .selectAll('opportunity_offers').select('partners.name as partner_name')
    .where('opportunity_id', '=', opportunityId).orderBy('offered_at').execute()
}

/** The partner's inbox: offers waiting for its answer, soonest deadline first, a page after `after`. */
export function pendingOffersForPartner(db: Db, partnerId: string, page: { after?: { key: string; id: string }; limit: number }) {
  return db.selectFrom('opportunity_offers').innerJoin('opportunities', 'opportunities.id', 'opportunity_offers.opportunity_id')
    .select(['opportunity_offers.id', 'opportunity_offers.deadline', 'opportunity_offers.offered_at', 'opportunities.id as opportunity_id',
      'opportunities.number', 'opportunities.name', 'opportunities.customer_name', 'opportunities.territory', 'opportunities.expertise',
      'opportunities.estimated_revenue', 'opportunities.currency', 'opportunities.expected_close', 'opportunities.description',
      sql<string>`opportunity_offers.deadline::text`.as('deadline_key')])
    .where('opportunity_offers.partner_id', '=', partnerId).where('opportunity_offers.status', '=', 'pending')
    .$if(page.after !== undefined, (q) => q.where((eb) => {
      const at = sql<Date>`${page.after!.key}::timestamptz`
      return eb.or([eb('opportunity_offers.deadline', '>', at), eb.and([eb('opportunity_offers.deadline', '=', at), eb('opportunity_offers.id', '>', page.after!.id)])])
    }))
    .orderBy('opportunity_offers.deadline').orderBy('opportunity_offers.id').limit(page.limit).execute()
}

export function findOfferForPartner(db: DbOrTrx, partnerId: string, offerId: string) {
  return db.selectFrom('opportunity_offers').selectAll().where('id', '=', offerId).where('partner_id', '=', partnerId).executeTakeFirst()
}

export async function partnersOffered(db: DbOrTrx, opportunityId: string): Promise<string[]> {
  const rows = await db.selectFrom('opportunity_offers').select('partner_id').where('opportunity_id', '=', opportunityId).execute()
  return rows.map((r) => r.partner_id)
}

/** A partner's answers to offers (joined as f for partners p): answered, accepted, returned, response time — as a trigger keeps them. */
export const offerRecord = sql`left join lateral (
      select answered, accepted, returned, response_hours / nullif(timed, 0) as avg_response_hours
      from opportunity_offer_figures where partner_id = p.id
    ) f on true`
