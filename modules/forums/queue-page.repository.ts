import { sql, type RawBuilder } from 'kysely'

/**
 * What the staff moderation queue lists, each a value for the page loader so that the four lists
 * go to the database in one round trip. Times come as PostgreSQL writes them in JSON (text), and a
 * post's words only as far as the queue shows them.
 */

const list = <T>(query: RawBuilder<unknown>): RawBuilder<T[]> => sql`select to_json(array(select row_to_json(x) from (${query}) x))`

export interface QueuedReport {
  id: string; reason: string; created_at: string; post_id: string; number: number; author_name: string; company_name: string | null
  body_text: string; hidden: boolean; deleted: boolean; thread_id: string; title: string; reporter_name: string | null
}
export interface HeldPost {
  id: string; number: number; author_name: string; company_name: string | null; body_text: string; created_at: string
  thread_id: string; title: string; forum_name: string
}
export interface OverdueQuestion {
  id: string; title: string; created_at: string; post_count: number; locked: boolean; closed: boolean; held: boolean; forum_name: string; case_id: string | null
}
export interface Mute { user_id: string; until: string; reason: string; name: string }

export const queuePage = {
  /** Open reports, oldest first, with the post and its thread. */
  reports: (limit: number) => list<QueuedReport>(sql`select r.id, r.reason, r.created_at, p.id as post_id, p.number, p.author_name, p.company_name,
      left(p.body_text, 161) as body_text, p.hidden, p.deleted, t.id as thread_id, t.title, u.name as reporter_name
    from forum_reports r join forum_posts p on p.id = r.post_id join forum_threads t on t.id = p.thread_id left join users u on u.id = r.reporter_id
    where r.resolved_at is null order by r.created_at, r.id limit ${sql.lit(limit)}`),
  /** Posts waiting for approval, oldest first, with their thread. */
  held: (limit: number) => list<HeldPost>(sql`select p.id, p.number, p.author_name, p.company_name, left(p.body_text, 241) as body_text, p.created_at,
      t.id as thread_id, t.title, f.name as forum_name
    from forum_posts p join forum_threads t on t.id = p.thread_id join forums f on f.id = t.forum_id
    where p.held order by p.created_at, p.id limit ${sql.lit(limit)}`),
  /** Open questions without a marked answer asked before `before`, oldest first. */
  overdue: (before: Date, limit: number) => list<OverdueQuestion>(sql`select t.id, t.title, t.created_at, t.post_count, t.locked, t.closed, t.held,
      f.name as forum_name, c.case_id
    from forum_threads t join forums f on f.id = t.forum_id left join forum_thread_cases c on c.thread_id = t.id
    where t.kind = 'question' and t.answer_post_id is null and t.created_at < ${before} and not t.held and not t.closed
    order by t.created_at, t.id limit ${sql.lit(limit)}`),
  /** The people muted now, the soonest to post again first. */
  mutes: (now: Date) => list<Mute>(sql`select m.user_id, m.until, m.reason, u.name from forum_mutes m join users u on u.id = m.user_id
    where m.until > ${now} order by m.until`)
}
