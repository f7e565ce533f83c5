import { sql } from 'kysely'
import type { DbOrTrx } from '../../core/data/database.ts'
import { searchHeadline, searchRank, webQuery } from '../../core/data/search.repository.ts'
import { readableBy } from '../../core/identity/audience.repository.ts'
import type { Reader } from '../../core/identity/audience.ts'

export interface ForumSearch { text: string; forumId?: string; state?: 'answered' | 'unanswered' }

/** How much more an answered question's match counts than another thread's. */
const answeredWeight = 2

/**
 * Threads whose title or visible posts match, in forums the reader may read: each thread once,
 * ranked by its best match (answered questions higher), with the title and the best post highlighted.
 * Hidden and deleted posts are never searched or quoted.
 */
export async function searchThreads(db: DbOrTrx, reader: Reader, filter: ForumSearch, limit: number, offset: number) {
  const query = webQuery(filter.text)
  const state = filter.state === 'answered' ? sql`and t.answer_post_id is not null`
    : filter.state === 'unanswered' ? sql`and t.kind = 'question' and t.answer_post_id is null` : sql``
  const forum = filter.forumId ? sql`and t.forum_id = ${filter.forumId}` : sql``
  const { rows } = await sql<{
    id: string; title: string; kind: string; answer_post_id: string | null; forum_id: string; forum_name: string; post_count: number
    last_post_at: Date; title_html: string; snippet: string | null; number: number | null; total: number
  }>`
    with matched as (
      select p.thread_id, ${searchRank(sql`p.search`, query)} as rank from forum_posts p
      where p.search @@ ${query} and not p.hidden and not p.deleted and not p.held
      union all
      select t.id, ${searchRank(sql`t.search`, query)} * 2 from forum_threads t where t.search @@ ${query} and not t.held
    ), best as (select thread_id, max(rank) as rank from matched group by thread_id)
    select t.id, t.title, t.kind, t.answer_post_id, t.forum_id, f.name as forum_name, t.post_count, t.last_post_at,
      ${searchHeadline(sql`t.title`, query, { whole: true })} as title_html, hit.snippet, hit.number, count(*) over ()::int as total
    from best b join forum_threads t on t.id = b.thread_id join forums f on f.id = t.forum_id
    left join lateral (
      select ${searchHeadline(sql`p.body_text`, query)} as snippet, p.number from forum_posts p
      where p.thread_id = t.id and p.search @@ ${query} and not p.hidden and not p.deleted and not p.held
      order by ${searchRank(sql`p.search`, query)} desc, p.number limit 1
    ) hit on true
    where ${readableBy(reader, 'f')} ${state} ${forum}
    order by b.rank * (case when t.answer_post_id is not null then ${answeredWeight} else 1 end) desc, t.last_post_at desc, t.id
    limit ${limit} offset ${offset}`.execute(db)
  return rows
}
