import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { readableByPartner } from '../../core/identity/audience.repository.ts'
import type { Delivery, FollowLevel } from './forums.table.ts'

/** Who follows what, and how each person takes their mail. */

export function forumFollow(db: DbOrTrx, userId: string, forumId: string) {
  return db.selectFrom('forum_follows').select('level').where('user_id', '=', userId).where('forum_id', '=', forumId).executeTakeFirst()
}

export function threadFollow(db: DbOrTrx, userId: string, threadId: string) {
  return db.selectFrom('forum_thread_follows').select('following').where('user_id', '=', userId).where('thread_id', '=', threadId).executeTakeFirst()
}

export async function setForumFollow(db: DbOrTrx, userId: string, forumId: string, level: FollowLevel | 'none'): Promise<void> {
  if (level === 'none') {
    await db.deleteFrom('forum_follows').where('user_id', '=', userId).where('forum_id', '=', forumId).execute()
    return
  }
  await db.insertInto('forum_follows').values({ user_id: userId, forum_id: forumId, level })
    .onConflict((oc) => oc.columns(['forum_id', 'user_id']).doUpdateSet({ level })).execute()
}

export async function setThreadFollow(db: DbOrTrx, userId: string, threadId: string, following: boolean): Promise<void> {
  await db.insertInto('forum_thread_follows').values({ user_id: userId, thread_id: threadId, following })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ following })).execute()
}

/** Follows a thread one started or replied to, unless they turned auto-follow off or unfollowed it before. */
export async function autoFollow(db: DbOrTrx, userId: string, threadId: string): Promise<void> {
  await sql`insert into forum_thread_follows (user_id, thread_id, following)
    select ${userId}, ${threadId}, true where coalesce((select auto_follow from forum_settings where user_id = ${userId}), true)
    on conflict do nothing`.execute(db)
}

export function settingsOf(db: DbOrTrx, userId: string) {
  return db.selectFrom('forum_settings').select(['delivery', 'auto_follow']).where('user_id', '=', userId).executeTakeFirst()
}

export async function saveSettings(db: DbOrTrx, userId: string, settings: { delivery: 'immediate' | 'digest'; auto_follow: boolean }): Promise<void> {
  await db.insertInto('forum_settings').values({ user_id: userId, ...settings })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(settings)).execute()
}

/**
 * Who is told of a new post: the followers of its thread, and of its forum (every post, or also
 * new threads for a thread's first post), active and still within the forum's audience — never its author.
 */
export function recipients(db: DbOrTrx, post: { forumId: string; threadId: string; authorId: string; newThread: boolean }) {
  return db.selectFrom('users as u').innerJoin('forums as f', (j) => j.on('f.id', '=', post.forumId))
    .leftJoin('forum_settings as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.email', 'u.name', 'u.kind', 'u.partner_id', sql<Delivery>`coalesce(s.delivery, 'immediate')`.as('delivery'),
      sql<boolean>`exists (select 1 from forum_thread_follows tf where tf.thread_id = ${post.threadId} and tf.user_id = u.id and tf.following)`.as('via_thread')])
    .where('u.status', '=', 'active').where('u.id', '<>', post.authorId)
    .where((eb) => eb.or([eb('u.kind', '=', 'staff'), eb.and([eb('u.partner_status', '=', 'active'), readableByPartner(sql.ref('u.partner_id'), 'f')])]))
    .where((eb) => eb.or([
      eb.exists(eb.selectFrom('forum_thread_follows as tf').select('tf.user_id').whereRef('tf.user_id', '=', 'u.id').where('tf.thread_id', '=', post.threadId).where('tf.following', '=', true)),
      eb.exists(eb.selectFrom('forum_follows as ff').select('ff.user_id').whereRef('ff.user_id', '=', 'u.id').where('ff.forum_id', '=', post.forumId)
        .where(post.newThread ? sql<boolean>`true` : sql<boolean>`ff.level = 'posts'`))
    ]))
    .execute()
}

/** Queues a post for a person's digest; answers whether it is the first waiting (so their digest must be scheduled). */
export async function queueDigestItem(db: DbOrTrx, userId: string, postId: string, at: Date): Promise<boolean> {
  const waiting = await db.selectFrom('forum_digest_items').select('post_id').where('user_id', '=', userId).limit(1).executeTakeFirst()
  await db.insertInto('forum_digest_items').values({ user_id: userId, post_id: postId, queued_at: at }).onConflict((oc) => oc.doNothing()).execute()
  return waiting === undefined
}

/** A person's waiting digest posts that they may still read, by thread, oldest first. */
export function digestItems(db: DbOrTrx, userId: string) {
  return db.selectFrom('forum_digest_items as d').innerJoin('users as u', 'u.id', 'd.user_id')
    .innerJoin('forum_posts as p', 'p.id', 'd.post_id').innerJoin('forum_threads as t', 't.id', 'p.thread_id').innerJoin('forums as f', 'f.id', 't.forum_id')
    .select(['p.id', 'p.number', 'p.author_name', 'p.staff', 'p.partner_id', 'p.company_name', 'p.hide_company', 'p.body_text', 'p.created_at',
      't.id as thread_id', 't.title', 't.answer_post_id', 'f.name as forum_name'])
    .where('d.user_id', '=', userId).where('p.deleted', '=', false).where('p.hidden', '=', false).where('p.held', '=', false).where('u.status', '=', 'active')
    .where((eb) => eb.or([eb('u.kind', '=', 'staff'), eb.and([eb('u.partner_status', '=', 'active'), readableByPartner(sql.ref('u.partner_id'), 'f')])]))
    .orderBy('t.last_post_at', 'desc').orderBy('t.id').orderBy('p.number').execute()
}

export async function clearDigestItems(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('forum_digest_items').where('user_id', '=', userId).execute()
}

/** Records the day's digest of a person; answers false when one was recorded for that day already. */
export async function recordDigest(db: DbOrTrx, userId: string, day: string, posts: number): Promise<boolean> {
  const row = await db.insertInto('forum_digests').values({ user_id: userId, day, posts }).onConflict((oc) => oc.doNothing()).returning('day').executeTakeFirst()
  return row !== undefined
}

export function person(db: DbOrTrx, userId: string) {
  return db.selectFrom('users').select(['id', 'email', 'name', 'kind', 'partner_id']).where('id', '=', userId).executeTakeFirst()
}

export function threadTitle(db: DbOrTrx, threadId: string) {
  return db.selectFrom('forum_threads').select(['id', 'title']).where('id', '=', threadId).executeTakeFirst()
}

export function forumName(db: DbOrTrx, forumId: string) {
  return db.selectFrom('forums').select(['id', 'name']).where('id', '=', forumId).executeTakeFirst()
}

/** A post's author and text, as a mail quotes them. */
export function postForMail(db: DbOrTrx, postId: string) {
  return db.selectFrom('forum_posts').select(['author_name', 'staff', 'partner_id', 'company_name', 'hide_company', 'body_text'])
    .where('id', '=', postId).executeTakeFirstOrThrow()
}

/** The people who wrote in a thread (its participants, whom a post may mention), active and still within the forum's audience. */
export function participants(db: DbOrTrx, threadId: string, forumId: string) {
  return db.selectFrom('users as u').innerJoin('forums as f', (j) => j.on('f.id', '=', forumId))
    .select(['u.id', 'u.email', 'u.name', 'u.kind', 'u.partner_id'])
    .where('u.status', '=', 'active')
    .where((eb) => eb.or([eb('u.kind', '=', 'staff'), eb.and([eb('u.partner_status', '=', 'active'), readableByPartner(sql.ref('u.partner_id'), 'f')])]))
    .where((eb) => eb.exists(eb.selectFrom('forum_posts as p').select('p.id').whereRef('p.author_id', '=', 'u.id').where('p.thread_id', '=', threadId)))
    .execute()
}
