import type { DbOrTrx } from '../../core/data/database.ts'
import { readableBy } from '../../core/identity/audience.repository.ts'
import type { Reader } from '../../core/identity/audience.ts'

export function insertAttachment(trx: DbOrTrx, attachment: { article_id: string; file_name: string; content_type: string; size: number; created_by: string | null }) {
  return trx.insertInto('knowledge_attachments').values(attachment).returningAll().executeTakeFirstOrThrow()
}

export async function deleteAttachment(trx: DbOrTrx, articleId: string, id: string): Promise<boolean> {
  const result = await trx.deleteFrom('knowledge_attachments').where('id', '=', id).where('article_id', '=', articleId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** An attachment the reader may fetch: staff any, others only of a published article within their audience. */
export function readableAttachment(db: DbOrTrx, reader: Reader, id: string) {
  let query = db.selectFrom('knowledge_attachments as t').innerJoin('knowledge_articles as a', 'a.id', 't.article_id')
    .where('t.id', '=', id).where(readableBy(reader, 'a'))
  if (reader.kind !== 'staff') query = query.where('a.status', '=', 'published')
  return query.select(['t.id', 't.file_name', 't.content_type', 't.size']).executeTakeFirst()
}

// The database store's bytes

export async function insertFile(trx: DbOrTrx, attachmentId: string, data: Buffer): Promise<void> {
  await trx.insertInto('knowledge_files').values({ attachment_id: attachmentId, data }).execute()
}

export async function findFile(db: DbOrTrx, attachmentId: string): Promise<Buffer | undefined> {
  return (await db.selectFrom('knowledge_files').select('data').where('attachment_id', '=', attachmentId).executeTakeFirst())?.data
}
