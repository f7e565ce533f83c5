import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely'
import type { Database, DbOrTrx } from '../../core/data/database.ts'
import { olderThan } from '../../core/data/keyset.ts'
import { timePage } from '../../core/lib/pagination.ts'
import { partnerProfiles } from '../partners/index.ts'

export async function addCollaborator(db: DbOrTrx, opportunityId: string, partnerId: string, by: string): Promise<boolean> {
  const result = await db.insertInto('opportunity_collaborators').values({ opportunity_id: opportunityId, partner_id: partnerId, added_by: by })
    .onConflict((oc) => oc.doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function removeCollaborator(db: DbOrTrx, opportunityId: string, partnerId: string): Promise<void> {
  await db.deleteFrom('opportunity_collaborators').where('opportunity_id', '=', opportunityId).where('partner_id', '=', partnerId).execute()
}

export function collaboratorsOf(db: DbOrTrx, opportunityId: string) {
  return db.selectFrom('opportunity_collaborators').innerJoin(partnerProfiles(db).as('partners'), 'partners.id', 'opportunity_collaborators.partner_id')
    .select(['partners.id', 'partners.name', 'opportunity_collaborators.added_at']).where('opportunity_id', '=', opportunityId).orderBy('partners.name').execute()
}

export async function insertEvent(db: DbOrTrx, event: { opportunity_id: string; partner_id: string | null; staff_only?: boolean; kind: string; body?: string; actor_id: string | null; actor_name: string }): Promise<void> {
  await db.insertInto('opportunity_events').values(event).execute()
}

/** Events a page of a deal's timeline shows. */
export const timelinePage = 50

/**
 * The timeline, newest first, `size` events a page (the pages show 50) after `after`. Staff (null) see everything; a partner sees general events and those of the
 * partners now involved with the deal (the holder and its collaborators), never a former holder's.
 */
export async function timeline(db: DbOrTrx, opportunityId: string, involvedPartners: string[] | null, after?: { key: string; id: string }, size = timelinePage) {
  const rows = await timelineQuery(db, opportunityId, involvedPartners, after, size).execute()
  return timePage(rows, size, (e) => e.at_key)
}

/**
 * `timeline`'s page as a query (`size` + 1 events); `involvedPartners` may be a subquery of the
 * partner ids, parenthesised, for a query read inside the deal's own.
 */
export function timelineQuery(db: DbOrTrx, opportunityId: string, involvedPartners: string[] | RawBuilder<string> | null, after: { key: string; id: string } | undefined, size: number) {
  const involved = (eb: ExpressionBuilder<Database, 'opportunity_events'>) =>
    (Array.isArray(involvedPartners) ? (involvedPartners.length ? [eb('partner_id', 'in', involvedPartners)] : []) : [eb('partner_id', 'in', involvedPartners!)])
  return db.selectFrom('opportunity_events').selectAll('opportunity_events').select(sql<string>`at::text`.as('at_key'))
    .where('opportunity_id', '=', opportunityId)
    .$if(involvedPartners !== null, (q) => q.where('staff_only', '=', false)
      .where((eb) => eb.or([eb('partner_id', 'is', null), ...involved(eb)])))
    .$if(after !== undefined, (q) => q.where(olderThan('at', 'id', after!)))
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(sql.lit(size + 1))
}
