import { sql, type Insertable, type RawBuilder } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { Reach } from '../../core/identity/reach.ts'
import { timeCursor, timePage } from '../../core/lib/pagination.ts'
import type { CaseEventRow, CaseEventsTable } from './cases.table.ts'
import { withDates } from './json-rows.ts'

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
 * A page of a case's timeline for its page, as one JSON value for a page loader: the latest events before
 * `after` (the cursor of the earliest one shown before), with `reach` only if its case is within it;
 * timelinePageOf makes the page of them. Written as SQL: built with Kysely's query builder it was a
 * tenth of what a case page cost in Node.
 */
export function timelineQuery(caseId: string, includeInternal: boolean, after: unknown, reach?: Reach): RawBuilder<Array<Record<string, unknown>>> {
  const before = timeCursor(after)
  const conditions = [
    sql`case_events.case_id = ${caseId}`,
    ...includeInternal ? [] : [sql`case_events.internal = false`],
    ...before ? [sql`(case_events.created_at, case_events.id) < (${before.key}::timestamptz, ${before.id}::uuid)`] : [],
    ...reach ? [sql`exists (select from cases where cases.id = ${caseId} and cases.partner_id = ${reach.partnerId}${reach.ownerId !== null ? sql` and cases.created_by = ${reach.ownerId}` : sql``})`] : []
  ]
  return sql`select to_json(array(select row_to_json(x) from (
    select case_events.*, a.file_name, a.content_type, a.size, case_events.created_at::text as time
    from case_events left join case_attachments as a on a.id = case_events.attachment_id
    where ${sql.join(conditions, sql` and `)}
    order by case_events.created_at desc, case_events.id desc limit ${sql.lit(timelineShown + 1)}) x))`
}

/** An event as a case's page shows it: with its file's name, type and size, and its cursor's key (`time`). */
type TimelineRow = CaseEventRow & { file_name: string | null; content_type: string | null; size: number | null; time: string }

/** The rows read as the page: oldest first as the timeline reads, `next` leading to the earlier ones. */
export function timelinePageOf(rows: Array<Record<string, unknown>>) {
  const page = timePage(rows.map((r) => withDates<TimelineRow>(r)), timelineShown, (e) => e.time)
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
