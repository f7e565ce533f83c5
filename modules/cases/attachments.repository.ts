import type { DbOrTrx } from '../../core/data/database.ts'
import type { Reach } from '../../core/identity/reach.ts'

export function insertAttachment(trx: DbOrTrx, attachment: { case_id: string; partner_id: string; internal: boolean; file_name: string; content_type: string; size: number; created_by: string | null }) {
  return trx.insertInto('case_attachments').values(attachment).returningAll().executeTakeFirstOrThrow()
}

/** A case's file a partner may fetch: of a case within the reach, never one of an internal note. */
export function partnerAttachment(db: DbOrTrx, reach: Reach, id: string) {
  return db.selectFrom('case_attachments as a').innerJoin('cases as c', 'c.id', 'a.case_id')
    .select(['a.id', 'a.file_name', 'a.content_type', 'a.size'])
    .where('a.id', '=', id).where('a.internal', '=', false).where('c.partner_id', '=', reach.partnerId)
    .$if(reach.ownerId !== null, (q) => q.where('c.created_by', '=', reach.ownerId!))
    .executeTakeFirst()
}

export function staffAttachment(db: DbOrTrx, id: string) {
  return db.selectFrom('case_attachments').select(['id', 'file_name', 'content_type', 'size']).where('id', '=', id).executeTakeFirst()
}

// The database store's bytes

export async function insertFile(trx: DbOrTrx, attachmentId: string, data: Buffer): Promise<void> {
  await trx.insertInto('case_files').values({ attachment_id: attachmentId, data }).execute()
}

export async function findFile(db: DbOrTrx, attachmentId: string): Promise<Buffer | undefined> {
  return (await db.selectFrom('case_files').select('data').where('attachment_id', '=', attachmentId).executeTakeFirst())?.data
}
