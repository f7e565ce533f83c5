import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { searchVector } from '../../core/data/search.repository.ts'
import { readableBy } from '../../core/identity/audience.repository.ts'
import type { Reader } from '../../core/identity/audience.ts'
import { plainText } from '../../core/web/markdown.ts'
import type { ThreadKind } from './forums.table.ts'

/** Threads and their numbered posts. A reader's queries join the forum and carry its audience rule. */

const threadColumns = ['t.id', 't.forum_id', 't.kind', 't.title', 't.author_id', 't.pinned', 't.locked', 't.closed', 't.answer_post_id',
  't.post_count', 't.last_post_at', 't.held', 't.created_at'] as const
const postColumns = ['p.id', 'p.thread_id', 'p.number', 'p.author_id', 'p.author_name', 'p.staff', 'p.partner_id', 'p.company_name',
  'p.hide_company', 'p.body', 'p.hidden', 'p.hidden_reason', 'p.deleted', 'p.held', 'p.helpful', 'p.edited_at', 'p.created_at'] as const

/** A thread with its forum's name and rules, if the reader may read the forum. */
export function readableThread(db: DbOrTrx, reader: Reader, id: string) {
  return db.selectFrom('forum_threads as t').innerJoin('forums as f', 'f.id', 't.forum_id')
    .select(threadColumns).select(['f.name as forum_name', 'f.posting', 'f.allow_hidden_company', 'f.audience'])
    .where('t.id', '=', id).where(readableBy(reader, 'f')).executeTakeFirst()
}

/** A post with its thread and forum, if the reader may read the forum. */
export function readablePost(db: DbOrTrx, reader: Reader, id: string) {
  return db.selectFrom('forum_posts as p').innerJoin('forum_threads as t', 't.id', 'p.thread_id').innerJoin('forums as f', 'f.id', 't.forum_id')
    .select(postColumns).select(['t.forum_id', 't.kind', 't.title', 't.author_id as asker_id', 't.locked', 't.closed', 't.answer_post_id', 't.post_count',
      'f.name as forum_name', 'f.posting', 'f.allow_hidden_company'])
    .where('p.id', '=', id).where(readableBy(reader, 'f')).executeTakeFirst()
}

/** Locks a thread's row for a change of its posts (numbering, counts, answer). */
export function lockThread(db: DbOrTrx, id: string) {
  return db.selectFrom('forum_threads as t').select(threadColumns).where('t.id', '=', id).forUpdate().executeTakeFirst()
}

/** Posts of a thread from number `from` on, in order: the unique (thread, number) index makes any page as quick as the first. */
export function listPosts(db: DbOrTrx, threadId: string, from: number, limit: number) {
  return db.selectFrom('forum_posts as p').select(postColumns).where('p.thread_id', '=', threadId).where('p.number', '>=', from)
    .orderBy('p.number').limit(limit).execute()
}

/** Moves a person's read marker forward (never back) to the post number shown. */
export async function markRead(db: DbOrTrx, userId: string, threadId: string, number: number): Promise<void> {
  await db.insertInto('forum_reads').values({ user_id: userId, thread_id: threadId, last_number: number })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ last_number: sql`greatest(forum_reads.last_number, excluded.last_number)` }))
    .execute()
}

export function insertThread(db: DbOrTrx, thread: { forum_id: string; kind: ThreadKind; title: string; author_id: string; created_at: Date; held: boolean }) {
  return db.insertInto('forum_threads').values({ ...thread, last_post_at: thread.created_at, search: searchVector([[thread.title, 'A']]) })
    .returning(['id', 'forum_id', 'title', 'kind']).executeTakeFirstOrThrow()
}

export interface NewPost {
  thread_id: string; author_id: string; author_name: string; staff: boolean; partner_id: string | null; company_name: string | null
  hide_company: boolean; body: string; created_at: Date; held: boolean
}

/** Adds a post as the thread's next number and moves the thread's and the forum's figures on. */
export async function insertPost(db: DbOrTrx, forumId: string, post: NewPost) {
  const thread = await db.updateTable('forum_threads').set({ post_count: sql`post_count + 1`, last_post_at: post.created_at })
    .where('id', '=', post.thread_id).returning('post_count').executeTakeFirstOrThrow()
  const text = plainText(post.body)
  const row = await db.insertInto('forum_posts').values({ ...post, number: thread.post_count, body_text: text, search: searchVector([[text, 'C']]) })
    .returning(['id', 'number', 'created_at']).executeTakeFirstOrThrow()
  await db.updateTable('forums').set({
    post_count: sql`post_count + 1`, last_post_at: post.created_at,
    thread_count: thread.post_count === 1 ? sql`thread_count + 1` : sql`thread_count`
  }).where('id', '=', forumId).execute()
  return row
}

export async function updatePostBody(db: DbOrTrx, id: string, body: string, editedAt: Date): Promise<void> {
  const text = plainText(body)
  await db.updateTable('forum_posts').set({ body, body_text: text, search: searchVector([[text, 'C']]), edited_at: editedAt }).where('id', '=', id).execute()
}

export async function insertVersion(db: DbOrTrx, version: { post_id: string; body: string; edited_by: string; editor_name: string; replaced_at: Date }): Promise<void> {
  await db.insertInto('forum_post_versions').values(version).execute()
}

export function versionsOf(db: DbOrTrx, postId: string) {
  return db.selectFrom('forum_post_versions').selectAll().where('post_id', '=', postId).orderBy('replaced_at', 'desc').execute()
}

/** A deleted post that others replied to: its place and number stay, its words go. */
export async function markDeleted(db: DbOrTrx, id: string): Promise<void> {
  await db.updateTable('forum_posts').set({ deleted: true, body: '', body_text: '', search: sql`''::tsvector` }).where('id', '=', id).execute()
}

/** Removes the last post of a thread, and what hangs on it; the thread's count and time step back. */
export async function removeLastPost(db: DbOrTrx, post: { id: string; thread_id: string }, forumId: string): Promise<void> {
  await removePostRows(db, [post.id])
  await sql`update forum_threads set post_count = post_count - 1,
    last_post_at = coalesce((select max(created_at) from forum_posts where thread_id = ${post.thread_id}), created_at)
    where id = ${post.thread_id}`.execute(db)
  await db.updateTable('forums').set({ post_count: sql`post_count - 1` }).where('id', '=', forumId).execute()
}

async function removePostRows(db: DbOrTrx, ids: string[]): Promise<void> {
  for (const table of ['forum_post_versions', 'forum_votes', 'forum_reports', 'forum_digest_items'] as const) {
    await db.deleteFrom(table).where('post_id', 'in', ids).execute()
  }
  await db.deleteFrom('forum_posts').where('id', 'in', ids).execute()
}

/** Removes a thread with all its posts (its only post was deleted). */
export async function removeThread(db: DbOrTrx, thread: { id: string; forum_id: string; post_count: number }): Promise<void> {
  await db.updateTable('forum_threads').set({ answer_post_id: null }).where('id', '=', thread.id).execute()
  const posts = await db.selectFrom('forum_posts').select('id').where('thread_id', '=', thread.id).execute()
  if (posts.length) await removePostRows(db, posts.map((p) => p.id))
  for (const table of ['forum_reads', 'forum_thread_follows'] as const) await db.deleteFrom(table).where('thread_id', '=', thread.id).execute()
  await db.deleteFrom('forum_threads').where('id', '=', thread.id).execute()
  await db.updateTable('forums').set({ thread_count: sql`thread_count - 1`, post_count: sql`post_count - ${thread.post_count}` }).where('id', '=', thread.forum_id).execute()
}

export async function setAnswer(db: DbOrTrx, threadId: string, postId: string | null): Promise<void> {
  await db.updateTable('forum_threads').set({ answer_post_id: postId }).where('id', '=', threadId).execute()
}

/** A helpful vote, once per person; answers whether it was new. */
export async function addVote(db: DbOrTrx, postId: string, userId: string): Promise<boolean> {
  const added = await db.insertInto('forum_votes').values({ post_id: postId, user_id: userId }).onConflict((oc) => oc.doNothing()).returning('post_id').executeTakeFirst()
  if (added) await db.updateTable('forum_posts').set({ helpful: sql`helpful + 1` }).where('id', '=', postId).execute()
  return added !== undefined
}

export async function removeVote(db: DbOrTrx, postId: string, userId: string): Promise<void> {
  const removed = await db.deleteFrom('forum_votes').where('post_id', '=', postId).where('user_id', '=', userId).returning('post_id').executeTakeFirst()
  if (removed) await db.updateTable('forum_posts').set({ helpful: sql`helpful - 1` }).where('id', '=', postId).execute()
}

/** How many posts a person wrote since a time: for the posting rate limit. */
export async function postsSince(db: DbOrTrx, userId: string, since: Date): Promise<number> {
  const row = await db.selectFrom('forum_posts').select((eb) => eb.fn.countAll<number>().as('n')).where('author_id', '=', userId).where('created_at', '>', since).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** How many of a person's posts were let through (not held, not deleted): the first N of a new member wait for approval. */
export async function approvedPostsBy(db: DbOrTrx, userId: string): Promise<number> {
  const row = await db.selectFrom('forum_posts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('author_id', '=', userId).where('held', '=', false).where('deleted', '=', false).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Lets a held post through, and its thread if it was the thread's first. */
export async function release(db: DbOrTrx, post: { id: string; thread_id: string; number: number }): Promise<void> {
  await db.updateTable('forum_posts').set({ held: false }).where('id', '=', post.id).execute()
  if (post.number === 1) await db.updateTable('forum_threads').set({ held: false }).where('id', '=', post.thread_id).execute()
}

export async function muteOf(db: DbOrTrx, userId: string, now: Date) {
  return db.selectFrom('forum_mutes').select(['until', 'reason']).where('user_id', '=', userId).where('until', '>', now).executeTakeFirst()
}

export async function personName(db: DbOrTrx, userId: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('name').where('id', '=', userId).executeTakeFirst())?.name
}

/** Titles of these threads that the reader may read (held ones only for their author, `userId`; staff: null, all). */
export function titlesOf(db: DbOrTrx, reader: Reader, ids: string[], userId: string | null) {
  let query = db.selectFrom('forum_threads as t').innerJoin('forums as f', 'f.id', 't.forum_id').select(['t.id', 't.title'])
    .where('t.id', 'in', ids).where(readableBy(reader, 'f'))
  if (userId !== null) query = query.where((eb) => eb.or([eb('t.held', '=', false), eb('t.author_id', '=', userId || null)]))
  return query.execute()
}
