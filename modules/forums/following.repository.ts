import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import type { FollowLevel } from './forums.table.ts'

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
