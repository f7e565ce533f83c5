import { sql } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { searchConfig } from '../core/data/search.repository.ts'

/** The thread whose pages are measured: its title finds it, its replies make its last page the 2,000th reply's. */
export const benchThread = { title: 'Bench thread: how do you run renewals?', replies: 2000 } as const

const words = ['renewal', 'partner', 'customer', 'discount', 'quote', 'pipeline', 'forecast', 'margin', 'licence', 'upgrade',
  'training', 'support', 'integration', 'campaign', 'lead', 'deal', 'approval', 'territory', 'contract', 'invoice',
  'onboarding', 'webinar', 'pricing', 'bundle', 'migration', 'cloud', 'backup', 'webhook', 'api', 'release']
const forums = [
  // name, category, audience (the bench partner is Gold: it reads all but Platinum's and the chosen companies')
  ['Deal registration', 1, 'partners'], ['Pricing and quotes', 1, 'partners'], ['Renewals', 1, 'partners'],
  ['Integrations', 2, 'partners'], ['Product questions', 2, 'public'], ['Gold lounge', 2, 'levels'],
  ['Marketing', 3, 'partners'], ['Events', 3, 'partners'], ['Platinum council', 3, 'platinum'], ['Chosen partners', 3, 'companies']
] as const

/**
 * `posts` forum posts in a tenth as many threads over ten forums in three categories: thread 1 (in
 * the first forum, which the bench partner reads) is the bench thread of 2,000 replies, the others
 * share the rest, a post every ten minutes from their start (over the last 700 days, so a few
 * dozen threads a day are recent enough to count as unread). Partners' users and staff write them,
 * a third of the questions have their second post marked as the answer, and the forums' and threads'
 * figures and search vectors are written as the application writes them.
 */
export async function seedForums(conn: Db, posts: number): Promise<void> {
  const threads = Math.round(posts / 10)
  const rest = posts - benchThread.replies - 1
  const vocabulary = sql`(${sql.val(words)}::text[])`
  const draw = (seed: ReturnType<typeof sql>) => sql`${vocabulary}[1 + abs(hashtext(${seed})) % ${words.length}]`
  await sql`insert into forum_categories (name, description, position)
    select name, 'Conversations about ' || lower(name) || '.', n::int from unnest(array['Selling', 'Building', 'Community']) with ordinality c(name, n)`.execute(conn)
  await sql`insert into forums (category_id, name, description, position, audience, audience_level_id, audience_partner_ids)
    select c.id, f.name, 'Partners talk about ' || lower(f.name) || '.', f.n::int,
      case when f.audience = 'platinum' then 'levels' else f.audience end,
      case f.audience when 'levels' then (select id from partner_levels where rank = 3) when 'platinum' then (select id from partner_levels where rank = 4) end,
      case when f.audience = 'companies' then array(select id from partners order by id offset 10 limit 5) else '{}' end
    from unnest(${sql.val(forums.map((f) => f[0]))}::text[], ${sql.val(forums.map((f) => f[1]))}::int[], ${sql.val(forums.map((f) => f[2]))}::text[])
      with ordinality f(name, category, audience, n)
    join forum_categories c on c.position = f.category`.execute(conn)

  await sql`create temp table bench_threads as
    select t, gen_random_uuid() as id,
      (select id from forums where position = case when t = 1 then 1 else 1 + t % 10 end) as forum_id,
      case when t % 2 = 0 then 'question' else 'discussion' end as kind,
      case when t = 1 then ${benchThread.title} else initcap(${draw(sql`'a' || t`)} || ' ' || ${draw(sql`'b' || t`)} || ' and ' || ${draw(sql`'c' || t`)}) || ' ' || t end as title,
      case when t = 1 then ${benchThread.replies + 1} else ${Math.floor(rest / (threads - 1))} + case when t - 2 < ${rest % (threads - 1)} then 1 else 0 end end as posts,
      case when t = 1 then now() - interval '20 days' else now() - interval '1 day' - (t % 700) * interval '1 day' - (t % 1440) * interval '1 minute' end as created_at
    from generate_series(1, ${threads}) t`.execute(conn)
  await sql`analyze bench_threads`.execute(conn)

  await sql`insert into forum_threads (id, forum_id, kind, title, author_id, pinned, post_count, last_post_at, search, created_at)
    select b.id, b.forum_id, b.kind, b.title, u.id, b.t % 5000 = 3, b.posts, b.created_at + (b.posts - 1) * interval '10 minutes',
      setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, b.title), 'A'), b.created_at
    from bench_threads b join bench_users u on u.p_idx = 1 + (b.t * 7) % 1000 and u.u_no = 0`.execute(conn)

  // A staff member writes every seventh reply; a partner's user the others, a few hiding their company.
  await sql`create temp table bench_posts as
    select b.id as thread_id, n, b.t, b.created_at + (n - 1) * interval '10 minutes' as created_at,
      case when n > 1 and (b.t + n) % 7 = 0 then 1 + (b.t + n) % 3 end as staff_no,
      case when n = 1 then 1 + (b.t * 7) % 1000 else 1 + (b.t * 31 + n * 17) % 1000 end as p_idx,
      initcap(${draw(sql`'p' || b.t || ':' || n`)}) || ' ' || (select string_agg(${draw(sql`b.t || ':' || n || ':' || i`)}, ' ')
        from generate_series(1, 12 + (b.t + n) % 40) i) || '.' as body
    from bench_threads b, generate_series(1, b.posts) n`.execute(conn)
  await sql`insert into forum_posts (thread_id, number, author_id, author_name, staff, partner_id, company_name, hide_company, body, body_text, search, helpful, created_at)
    select p.thread_id, p.n, coalesce(s.id, u.id), coalesce(s.name, u.name), s.id is not null, case when s.id is null then pa.id end,
      case when s.id is null then pa.name end, s.id is null and p.n % 11 = 0, p.body, p.body,
      setweight(to_tsvector(${sql.lit(searchConfig)}::regconfig, p.body), 'C'), (p.t + p.n) % 4, p.created_at
    from bench_posts p
    join bench_users u on u.p_idx = p.p_idx and u.u_no = 0
    join bench_partners bp on bp.idx = p.p_idx
    join partners pa on pa.id = bp.id
    left join users s on p.staff_no is not null and s.email = 'staff' || p.staff_no || '@portal.example'`.execute(conn)
  // The load ran with triggers off, the one keeping each thread's starter included.
  await sql`select forum_thread_starters_rebuild()`.execute(conn)
  await sql`update forum_threads t set answer_post_id = p.id from forum_posts p
    where t.kind = 'question' and t.post_count > 1 and abs(hashtext(t.id::text)) % 3 = 0 and p.thread_id = t.id and p.number = 2`.execute(conn)
  await sql`update forums f set thread_count = c.threads, post_count = c.posts, last_post_at = c.last
    from (select forum_id, count(*) as threads, sum(post_count) as posts, max(last_post_at) as last from forum_threads group by forum_id) c
    where c.forum_id = f.id`.execute(conn)
  await sql`drop table bench_posts, bench_threads`.execute(conn)
}
