import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { readableBy, readableByPartner } from '../../core/identity/audience.repository.ts'
import { partnerProfiles } from '../partners/index.ts'
import type { AudienceKind, Reader } from '../../core/identity/audience.ts'
import type { Posting } from './forums.table.ts'

/** Categories and forums: what staff arrange, and the forums a reader may read. */

type CategoryValues = { name: string; description: string; position: number }
export interface ForumValues {
  category_id: string; name: string; description: string; position: number
  audience: AudienceKind; audience_level_id: string | null; audience_partner_ids: string[]; posting: Posting; allow_hidden_company: boolean
}

export function listCategories(db: DbOrTrx) {
  return db.selectFrom('forum_categories').selectAll().orderBy('position').orderBy('name').execute()
}

export function findCategory(db: DbOrTrx, id: string) {
  return db.selectFrom('forum_categories').selectAll().where('id', '=', id).executeTakeFirst()
}

export function insertCategory(db: DbOrTrx, values: CategoryValues) {
  return db.insertInto('forum_categories').values(values).returningAll().executeTakeFirstOrThrow()
}

export function updateCategory(db: DbOrTrx, id: string, values: CategoryValues) {
  return db.updateTable('forum_categories').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteCategory(db: DbOrTrx, id: string): Promise<void> {
  await db.deleteFrom('forum_categories').where('id', '=', id).execute()
}

export async function forumsIn(db: DbOrTrx, categoryId: string): Promise<number> {
  const row = await db.selectFrom('forums').select((eb) => eb.fn.countAll<number>().as('n')).where('category_id', '=', categoryId).executeTakeFirstOrThrow()
  return Number(row.n)
}

export function findForum(db: DbOrTrx, id: string) {
  return db.selectFrom('forums').selectAll().where('id', '=', id).executeTakeFirst()
}

export function insertForum(db: DbOrTrx, values: ForumValues) {
  return db.insertInto('forums').values(values).returningAll().executeTakeFirstOrThrow()
}

export function updateForum(db: DbOrTrx, id: string, values: ForumValues) {
  return db.updateTable('forums').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** Every forum, for staff's lists and the move form. */
export function allForums(db: DbOrTrx) {
  return db.selectFrom('forums').selectAll().orderBy('position').orderBy('name').execute()
}

/** How far back a thread's activity counts as news on the forum list, and how many unread threads it counts at most. */
const unreadDays = 30
const unreadCap = 99

/**
 * The forums the reader may read, in order, each with the number of its threads active in the last
 * 30 days that have posts the person (`userId`, none for a visitor) has not read — counted up to 99,
 * so a forum of 100,000 threads costs an index range, not a scan.
 */
export function readableForums(db: DbOrTrx, reader: Reader, userId: string | null) {
  const unread = userId
    ? sql<number>`(select count(*) from (select 1 from forum_threads t left join forum_reads r on r.thread_id = t.id and r.user_id = ${userId}
        where t.forum_id = f.id and t.last_post_at > now() - make_interval(days => ${unreadDays}) and not t.held
          and (r.last_number is null or r.last_number < t.post_count) limit ${unreadCap}) u)::int`
    : sql<number>`0`
  return db.selectFrom('forums as f').selectAll('f').select(unread.as('unread'))
    .where(readableBy(reader, 'f')).orderBy('f.position').orderBy('f.name').execute()
}

/** A forum if the reader may read it. */
export function readableForum(db: DbOrTrx, reader: Reader, id: string) {
  return db.selectFrom('forums as f').selectAll('f').where('f.id', '=', id).where(readableBy(reader, 'f')).executeTakeFirst()
}

/** The active partners whose people may read the forum: who hears of what happens in it. */
export async function partnersReading(db: DbOrTrx, forumId: string): Promise<string[]> {
  const rows = await db.selectFrom(partnerProfiles(db).as('p')).innerJoin('forums as f', (j) => j.on('f.id', '=', forumId))
    .select('p.id').where('p.status', '=', 'active').where(readableByPartner(sql.ref<string>('p.id'), 'f')).execute()
  return rows.map((r) => r.id)
}
