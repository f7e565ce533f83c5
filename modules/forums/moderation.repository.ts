import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'

/** Staff's moderation: thread states, hidden posts, reports and the questions waiting for an answer. */

export async function setThreadState(db: DbOrTrx, id: string, state: { pinned?: boolean; locked?: boolean; closed?: boolean }): Promise<void> {
  await db.updateTable('forum_threads').set(state).where('id', '=', id).execute()
}

/** Moves a thread and its figures to another forum. */
export async function moveThread(db: DbOrTrx, thread: { id: string; forum_id: string; post_count: number }, toForumId: string): Promise<void> {
  await db.updateTable('forum_threads').set({ forum_id: toForumId }).where('id', '=', thread.id).execute()
  await db.updateTable('forums').set({ thread_count: sql`thread_count - 1`, post_count: sql`post_count - ${thread.post_count}` }).where('id', '=', thread.forum_id).execute()
  await db.updateTable('forums').set({ thread_count: sql`thread_count + 1`, post_count: sql`post_count + ${thread.post_count}`, last_post_at: sql`greatest(last_post_at, (select last_post_at from forum_threads where id = ${thread.id}))` })
    .where('id', '=', toForumId).execute()
}

export async function setHidden(db: DbOrTrx, postId: string, reason: string | null): Promise<void> {
  await db.updateTable('forum_posts').set({ hidden: reason !== null, hidden_reason: reason }).where('id', '=', postId).execute()
}

export function insertReport(db: DbOrTrx, report: { post_id: string; reporter_id: string; reason: string }) {
  return db.insertInto('forum_reports').values(report).returning('id').executeTakeFirstOrThrow()
}

/** Whether the person has an open report of the post already. */
export async function openReportBy(db: DbOrTrx, postId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('forum_reports').select('id').where('post_id', '=', postId).where('reporter_id', '=', userId).where('resolved_at', 'is', null).executeTakeFirst()
  return row !== undefined
}

export function findReport(db: DbOrTrx, id: string) {
  return db.selectFrom('forum_reports').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function resolveReports(db: DbOrTrx, postId: string, userId: string, at: Date): Promise<void> {
  await db.updateTable('forum_reports').set({ resolved_at: at, resolved_by: userId }).where('post_id', '=', postId).where('resolved_at', 'is', null).execute()
}

/** Questions without a marked answer, oldest first (a keyset page). */
export function unanswered(db: DbOrTrx, filter: { after?: { key: string; id: string }; limit: number }) {
  let query = db.selectFrom('forum_threads as t').innerJoin('forums as f', 'f.id', 't.forum_id').leftJoin('forum_thread_cases as c', 'c.thread_id', 't.id')
    .select(['t.id', 't.title', 't.created_at', 't.post_count', 't.locked', 't.closed', 't.held', 'f.name as forum_name', 'c.case_id', sql<string>`t.created_at::text`.as('cursor_at')])
    .where('t.kind', '=', 'question').where('t.answer_post_id', 'is', null)
  if (filter.after) query = query.where(sql<boolean>`(t.created_at, t.id) > (${filter.after.key}::timestamptz, ${filter.after.id}::uuid)`)
  return query.orderBy('t.created_at').orderBy('t.id').limit(filter.limit).execute()
}

export function forumPerson(db: DbOrTrx, userId: string) {
  return db.selectFrom('users').select(['id', 'name', 'kind', 'partner_id']).where('id', '=', userId).executeTakeFirst()
}

export async function setMute(db: DbOrTrx, mute: { user_id: string; until: Date; reason: string; muted_by: string }): Promise<void> {
  await db.insertInto('forum_mutes').values(mute)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ until: mute.until, reason: mute.reason, muted_by: mute.muted_by })).execute()
}

export async function removeMute(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('forum_mutes').where('user_id', '=', userId).execute()
}
