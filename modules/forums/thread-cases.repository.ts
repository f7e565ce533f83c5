import type { DbOrTrx } from '../../core/data/database.ts'

/** Questions turned into support cases. */

export function caseOfThread(db: DbOrTrx, threadId: string) {
  return db.selectFrom('forum_thread_cases').selectAll().where('thread_id', '=', threadId).executeTakeFirst()
}

export function threadOfCase(db: DbOrTrx, caseId: string) {
  return db.selectFrom('forum_thread_cases').selectAll().where('case_id', '=', caseId).executeTakeFirst()
}

/** Claims the thread for a case about to be opened; false if it has one, or another claim (two staff at once). */
export async function claim(db: DbOrTrx, claim: { thread_id: string; opened_by: string; opened_at: Date }): Promise<boolean> {
  const row = await db.insertInto('forum_thread_cases').values({ ...claim, case_id: null }).onConflict((oc) => oc.column('thread_id').doNothing())
    .returning('thread_id').executeTakeFirst()
  return row !== undefined
}

export async function setCase(db: DbOrTrx, threadId: string, caseId: string): Promise<void> {
  await db.updateTable('forum_thread_cases').set({ case_id: caseId }).where('thread_id', '=', threadId).execute()
}

/** Lets go of a claim whose case could not be opened. */
export async function unclaim(db: DbOrTrx, threadId: string): Promise<void> {
  await db.deleteFrom('forum_thread_cases').where('thread_id', '=', threadId).where('case_id', 'is', null).execute()
}

export async function markPosted(db: DbOrTrx, threadId: string, replyId: string): Promise<void> {
  await db.updateTable('forum_thread_cases').set({ posted_reply_id: replyId }).where('thread_id', '=', threadId).execute()
}
