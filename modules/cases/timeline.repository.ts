import { sql, type Insertable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import type { CaseEventsTable } from './cases.table.ts'

export function insertEvent(trx: DbOrTrx, event: Insertable<CaseEventsTable>) {
  return trx.insertInto('case_events').values(event).returningAll().executeTakeFirstOrThrow()
}

/**
 * A case's timeline, oldest first, with each event's file. `internal: false` leaves out every
 * internal event (notes, assignments, a note's files): what any partner-facing page reads.
 */
export function timelineOf(db: DbOrTrx, caseId: string, includeInternal: boolean) {
  return db.selectFrom('case_events').leftJoin('case_attachments as a', 'a.id', 'case_events.attachment_id')
    .selectAll('case_events').select(['a.file_name', 'a.content_type', 'a.size'])
    .where('case_events.case_id', '=', caseId)
    .$if(!includeInternal, (q) => q.where('case_events.internal', '=', false))
    .orderBy('case_events.created_at').orderBy('case_events.id').execute()
}

/** Events a case's page shows at once: the latest, the earlier ones a page away, so a long case stays light (issue 18). */
export const timelineShown = 15

/**
 * A page of a case's timeline for its page: the latest events before `after` (the cursor of the earliest one
 * shown before), oldest first as the timeline reads; `next` leads to the earlier ones.
 */
export async function timelinePage(db: DbOrTrx, caseId: string, includeInternal: boolean, after: unknown) {
  const before = timeCursor(after)
  const rows = await db.selectFrom('case_events').leftJoin('case_attachments as a', 'a.id', 'case_events.attachment_id')
    .selectAll('case_events').select(['a.file_name', 'a.content_type', 'a.size', sql<string>`case_events.created_at::text`.as('time')])
    .where('case_events.case_id', '=', caseId)
    .$if(!includeInternal, (q) => q.where('case_events.internal', '=', false))
    .$if(Boolean(before), (q) => q.where(sql<boolean>`(case_events.created_at, case_events.id) < (${before!.key}::timestamptz, ${before!.id}::uuid)`))
    .orderBy('case_events.created_at', 'desc').orderBy('case_events.id', 'desc').limit(timelineShown + 1).execute()
  const page = timePage(rows, timelineShown, (e) => e.time)
  return { items: page.items.reverse(), next: page.next }
}

/** The newest public reply staff wrote on a case. */
export function latestStaffReply(db: DbOrTrx, caseId: string) {
  return db.selectFrom('case_events').select(['id', 'created_at']).where('case_id', '=', caseId).where('kind', '=', 'reply')
    .where('internal', '=', false).where('actor_kind', '=', 'staff').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
}

export function findEvent(db: DbOrTrx, caseId: string, id: string) {
  return db.selectFrom('case_events').selectAll().where('id', '=', id).where('case_id', '=', caseId).executeTakeFirst()
}
