import type { Insertable } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
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

export function findEvent(db: DbOrTrx, caseId: string, id: string) {
  return db.selectFrom('case_events').selectAll().where('id', '=', id).where('case_id', '=', caseId).executeTakeFirst()
}
