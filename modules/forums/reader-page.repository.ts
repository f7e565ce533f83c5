import { sql, type RawBuilder } from 'kysely'
import { readableByRef } from '../../core/identity/audience.repository.ts'
import type { ReaderRef } from '../../core/identity/audience.ts'
import type { FollowLevel, ForumRow, PostRow, ThreadRow } from './forums.table.ts'

/**
 * What a forum's page and a thread's page read, each a value for the page loader, so a page's values
 * go to the database in one round trip with the reader's levels (a partner's audience rule works
 * them out in the query). Rows come back as PostgreSQL writes them in JSON (times as text), a list as
 * one JSON text (`to_json(array(…))`), which node parses natively.
 */

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

/** Where a thread page starts: a post number, the first the person has not read, or the last page. */
export type PageStart = number | 'unread' | 'last'

export type ReadableThread = ThreadRow & { forum_name: string; posting: ForumRow['posting']; allow_hidden_company: boolean; audience: ForumRow['audience'] }
export type PagePost = PostRow & { voted: boolean }

const postColumns = sql`p.id, p.thread_id, p.number, p.author_id, p.author_name, p.staff, p.partner_id, p.company_name, p.hide_company,
  p.body, p.hidden, p.hidden_reason, p.deleted, p.held, p.helpful, p.edited_at, p.created_at`

/** A thread in its forum's list, with who started it (kept on the thread) and how far the person has read it. */
export type ListedThread = ThreadRow & {
  author_name: string | null; staff: boolean; partner_id: string | null; company_name: string | null; hide_company: boolean
  cursor_at: string; last_read: number | null
}

export interface ThreadListFilter { pinned: boolean; after?: { key: string; id: string }; limit: number; withHeld: boolean }

/**
 * The pinned threads of a forum, or a keyset page of the others, newest activity first; with how far `userId` has read each.
 * The pinned and held flags are written into the text: as parameters, PostgreSQL guesses that half the forum's threads
 * match each, prices the cached plan above planning anew and so plans the list on every view.
 */
function listThreads(forumId: string, userId: string | null, filter: ThreadListFilter) {
  const lastRead = userId ? sql`(select r.last_number from forum_reads r where r.thread_id = t.id and r.user_id = ${userId})` : sql`null::integer`
  const held = filter.withHeld ? sql`` : userId ? sql`and (not t.held or t.author_id = ${userId})` : sql`and not t.held`
  const after = filter.after ? sql`and (t.last_post_at, t.id) < (${filter.after.key}::timestamptz, ${filter.after.id}::uuid)` : sql``
  return sql`select t.id, t.forum_id, t.kind, t.title, t.author_id, t.pinned, t.locked, t.closed, t.answer_post_id, t.post_count, t.last_post_at,
      t.held, t.created_at, t.starter_name as author_name, t.starter_staff as staff, t.starter_partner_id as partner_id,
      t.starter_company as company_name, t.starter_hide_company as hide_company, t.last_post_at::text as cursor_at, ${lastRead} as last_read
    from forum_threads t where t.forum_id = ${forumId} and t.pinned = ${sql.lit(filter.pinned)} ${held} ${after}
    order by t.last_post_at desc, t.id desc limit ${sql.lit(filter.limit)}`
}

export const forumPage = {
  forum: (reader: ReaderRef, id: string): RawBuilder<Json<ForumRow> | null> =>
    sql`select row_to_json(f) from forums f where f.id = ${id} and ${readableByRef(reader, 'f')}`,
  threads: (forumId: string, userId: string | null, filter: ThreadListFilter): RawBuilder<Array<Json<ListedThread>>> =>
    sql`select to_json(array(select row_to_json(x) from (${listThreads(forumId, userId, filter)}) x))`,
  follow: (userId: string, forumId: string): RawBuilder<FollowLevel | null> =>
    sql`select level from forum_follows where user_id = ${userId} and forum_id = ${forumId}`
}

/** The number of the first post a page shows, worked out from the thread's count and the person's read marker. */
function firstOf(threadId: string, userId: string | null, start: PageStart, size: number) {
  const count = sql`(select post_count from forum_threads where id = ${threadId})`
  if (start === 'last') return sql`greatest(1, ${count} - ${sql.lit(size - 1)})`
  if (start === 'unread') {
    const read = userId ? sql`(select last_number from forum_reads where user_id = ${userId} and thread_id = ${threadId})` : sql`0`
    return sql`least(coalesce(${read}, 0) + 1, greatest(${count}, 1))`
  }
  return sql`least(${sql.lit(Math.max(1, start))}, greatest(${count}, 1))`
}

export const threadPage = {
  thread: (reader: ReaderRef, id: string): RawBuilder<Json<ReadableThread> | null> => sql`select row_to_json(x) from (
    select t.id, t.forum_id, t.kind, t.title, t.author_id, t.pinned, t.locked, t.closed, t.answer_post_id, t.post_count, t.last_post_at, t.held, t.created_at,
      f.name as forum_name, f.posting, f.allow_hidden_company, f.audience
    from forum_threads t join forums f on f.id = t.forum_id where t.id = ${id} and ${readableByRef(reader, 'f')}) x`,
  read: (userId: string, threadId: string): RawBuilder<number | null> =>
    sql`select last_number from forum_reads where user_id = ${userId} and thread_id = ${threadId}`,
  /** A page of posts from `start`, each with whether the person found it helpful. */
  posts: (threadId: string, userId: string | null, start: PageStart, size: number): RawBuilder<Array<Json<PagePost>>> => {
    const voted = userId ? sql`exists (select 1 from forum_votes v where v.post_id = p.id and v.user_id = ${userId})` : sql`false`
    return sql`select to_json(array(select row_to_json(x) from (select ${postColumns}, ${voted} as voted from forum_posts p
      where p.thread_id = ${threadId} and p.number >= ${firstOf(threadId, userId, start, size)} order by p.number limit ${sql.lit(size)}) x))`
  },
  /** The post marked as the question's answer, wherever in the thread it is. */
  answer: (threadId: string): RawBuilder<Json<PostRow> | null> => sql`select row_to_json(x) from (select ${postColumns}
    from forum_threads t join forum_posts p on p.id = t.answer_post_id where t.id = ${threadId}) x`,
  follow: (userId: string, threadId: string): RawBuilder<boolean | null> =>
    sql`select following from forum_thread_follows where user_id = ${userId} and thread_id = ${threadId}`,
  /** For staff: the forums a thread may move to, and the case the question became. */
  forums: (): RawBuilder<Array<{ id: string; name: string }>> =>
    sql`select to_json(array(select row_to_json(x) from (select id, name from forums order by position, name) x))`,
  caseOf: (threadId: string): RawBuilder<string | null> => sql`select case_id from forum_thread_cases where thread_id = ${threadId}`
}

const date = (text: string) => new Date(text)
const dateOrNull = (text: string | null) => (text === null ? null : new Date(text))

export const forumOf = (row: Json<ForumRow>): ForumRow => ({ ...row, created_at: date(row.created_at), last_post_at: dateOrNull(row.last_post_at) } as ForumRow)
export const listedOf = (row: Json<ListedThread>): ListedThread => ({ ...row, last_post_at: date(row.last_post_at), created_at: date(row.created_at) })
export const threadOf = (row: Json<ReadableThread>): ReadableThread => ({ ...row, last_post_at: date(row.last_post_at), created_at: date(row.created_at) })
export const postOf = <P extends Json<PostRow>>(row: P) => ({ ...row, created_at: date(row.created_at), edited_at: dateOrNull(row.edited_at) })
