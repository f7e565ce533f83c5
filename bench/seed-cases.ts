import { sql } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { benchPartner } from './bench-partner.ts'

const subjects = sql.raw(`(array['Licence keys do not activate', 'Pricing approval needed', 'Question about the renewal terms', 'Training dates',
  'Integration error with the API', 'Demo environment request', 'Invoice shows the wrong discount', 'Which SKU fits', 'Sign-in fails for a colleague',
  'Deal registration stuck in approval'])`)
const types = sql.raw(`(array['question', 'problem', 'request', 'deal_support'])`)

/*
 * Wall-clock stand-ins for the default targets in business hours (first response, resolution), so
 * that some cases are at risk or past their target as in real life, without the calendar's math.
 */
const firstTarget = sql`case d.priority when 'urgent' then interval '2 hours' when 'high' then interval '8 hours'
  when 'normal' then interval '1 day' else interval '2 days' end`
const resolutionTarget = sql`case d.priority when 'urgent' then interval '1 day' when 'high' then interval '2 days'
  when 'normal' then interval '5 days' else interval '10 days' end`

/**
 * `total` cases (one per opportunity generated): the bench partner's 1,000 first, so that its case
 * list is the same at every size, the rest over the 999 other partners, a few much busier than most.
 * Statuses and priorities mixed, a third about one of the partner's deals (their stage kept on the
 * case, as the application keeps it), targets met, at risk and missed, public replies between the
 * partner and the staff, an internal note on a fifth of the answered ones, a file on one in a hundred,
 * and shared canned replies. Reads bench_partners, bench_users and bench_accounts.
 */
export async function seedCases(conn: Db, total: number): Promise<void> {
  await sql`select setseed(0.17)`.execute(conn)
  await sql`create temp table bench_staff as
    select row_number() over (order by email)::int as s_idx, id, name from users where kind = 'staff'`.execute(conn)
  await sql`create temp table bench_deals as
    select p.idx as p_idx, row_number() over (partition by p.idx order by o.id)::int as n, o.id, o.name, o.stage, o.status, o.account_id
    from opportunities o join bench_partners p on p.id = o.partner_id`.execute(conn)
  await sql`create index on bench_deals (p_idx, n)`.execute(conn)
  await sql`create temp table bench_deal_counts as select p_idx, count(*)::int as deals from bench_deals group by p_idx`.execute(conn)
  await sql`analyze bench_staff, bench_deals, bench_deal_counts`.execute(conn)

  await sql`create temp table case_draft as
    with draws as (
      select g, case when g <= ${sql.lit(benchPartner.cases)} then 1 else 2 + floor(999 * power(random(), 2))::int end as p_idx,
        random() as r_status, random() as r_priority, random() as r_when, random() as r_deal, random() as r_pick, random() as r_reply
      from generate_series(1, ${sql.lit(total)}) g
    ), shaped as (
      select d.*,
        case when d.r_status < 0.08 then 'new' when d.r_status < 0.23 then 'open' when d.r_status < 0.30 then 'waiting'
          when d.r_status < 0.55 then 'resolved' when d.r_status < 0.95 then 'closed' else 'cancelled' end as status,
        case when d.r_priority < 0.25 then 'low' when d.r_priority < 0.75 then 'normal' when d.r_priority < 0.93 then 'high' else 'urgent' end as priority
      from draws d
    ), timed as (
      select d.*, case when d.status in ('new', 'open', 'waiting') then now() - power(d.r_when, 2) * interval '30 days'
          else now() - interval '2 days' - power(d.r_when, 1.5) * interval '540 days' end as created_at
      from shaped d
    ), due as (
      select d.*, d.created_at + ${firstTarget} as first_due, d.created_at + ${resolutionTarget} as resolution_due, ${resolutionTarget} as resolution_span
      from timed d
    ), resolved as (
      select d.*,
        case when d.status in ('resolved', 'closed') then least(d.created_at + (0.3 + 0.85 * d.r_pick) * d.resolution_span, now() - interval '1 day') end as resolved_at
      from due d
    ), answered as (
      select d.*,
        case when d.status <> 'new' then least(d.created_at + 1.2 * d.r_reply * (d.first_due - d.created_at), coalesce(d.resolved_at, now())) end as first_response_at
      from resolved d
    )
    select gen_random_uuid() as id, a.*,
      case when a.status = 'new' then 0 else 1 + a.g % 4 end as replies,
      case when a.status = 'closed' then least(a.resolved_at + interval '2 days', now())
        when a.status = 'cancelled' then least(a.created_at + interval '1 day', now()) end as closed_at,
      case when a.status in ('resolved', 'closed') then a.resolved_at + interval '1 hour'
        when a.status = 'cancelled' then greatest(a.first_response_at, least(a.created_at + interval '1 day', now()))
        when a.status = 'new' then a.created_at
        else a.first_response_at + a.r_reply * (now() - a.first_response_at) end as updated_at,
      case when a.status in ('new', 'open') and now() > case when a.first_response_at is null then a.first_due else a.resolution_due end
          then case when a.first_response_at is null then a.first_due else a.resolution_due end
        when a.first_response_at > a.first_due then a.first_due
        when a.resolved_at > a.resolution_due then a.resolution_due end as breached_at,
      u.id as creator_id, u.name as creator_name, s.id as staff_id, s.name as staff_name,
      deal.id as deal_id, deal.name as deal_name, deal.stage as deal_stage, coalesce(deal.stage = 'close' and deal.status = 'open', false) as deal_raised,
      coalesce(deal.account_id, case when a.g % 3 = 0 then acc.id end) as account_id
    from answered a
    join bench_partners p on p.idx = a.p_idx
    join bench_users u on u.p_idx = a.p_idx and u.u_no = a.g % (p.members + 1)
    join bench_staff s on s.s_idx = 1 + a.g % 3
    join bench_accounts acc on acc.p_idx = a.p_idx and acc.a_no = 1 + a.g % 100
    left join bench_deal_counts dc on dc.p_idx = a.p_idx and a.r_deal < 0.33
    left join bench_deals deal on deal.p_idx = a.p_idx and deal.n = 1 + floor(a.r_pick * dc.deals)::int`.execute(conn)

  await sql`insert into cases (id, partner_id, subject, body, type, priority, status, account_id, account_name, opportunity_id, opportunity_name,
      deal_stage, deal_raised, created_by, assignee_id, first_response_at, resolved_at, closed_at, rating, rating_comment, created_at, updated_at,
      first_response_due_at, resolution_due_at, paused_at, paused_minutes, at_risk_at, breached_at)
    select d.id, p.id, ${subjects}[1 + d.g % 10] || coalesce(' – ' || d.deal_name, ''),
      'Generated case ' || d.g || E'.\\n\\nThe customer asked us this week; could you **help**?', ${types}[1 + d.g % 4], d.priority, d.status,
      d.account_id, ca.name, d.deal_id, d.deal_name, d.deal_stage, d.deal_raised, d.creator_id,
      case when d.status <> 'new' or d.g % 3 = 0 then d.staff_id end, d.first_response_at, d.resolved_at, d.closed_at,
      case when d.status in ('resolved', 'closed') and d.g % 3 = 0 then 1 + (d.g * 7) % 5 end,
      case when d.status in ('resolved', 'closed') and d.g % 9 = 0 then 'Quick and clear, thank you.' end,
      d.created_at, d.updated_at, d.first_due, d.resolution_due,
      case when d.status = 'waiting' then d.updated_at when d.status in ('resolved', 'closed', 'cancelled') then coalesce(d.resolved_at, d.closed_at) end,
      case when d.status = 'waiting' then 0 else (d.g % 5) * 60 end,
      case when d.breached_at is null and d.status in ('new', 'open')
        and now() > case when d.first_response_at is null then d.first_due - (d.first_due - d.created_at) / 4 else d.resolution_due - d.resolution_span / 4 end
        then now() - interval '10 minutes' end,
      d.breached_at
    from case_draft d join bench_partners p on p.idx = d.p_idx left join customer_accounts ca on ca.id = d.account_id
    order by d.created_at`.execute(conn)

  // The opening, the replies in turn (the staff first: the first response), and internal notes.
  await sql`insert into case_events (case_id, kind, internal, body, actor_id, actor_name, actor_kind, created_at)
    select id, 'opened', false, '', creator_id, creator_name, 'partner', created_at from case_draft
    union all
    select d.id, 'reply', false,
      case when i % 2 = 1 then 'Thanks for the details. We checked it with the product team; reply ' || i || ' follows.' else 'Here is what the customer said about it.' end,
      case when i % 2 = 1 then d.staff_id else d.creator_id end, case when i % 2 = 1 then d.staff_name else d.creator_name end,
      case when i % 2 = 1 then 'staff' else 'partner' end,
      d.first_response_at + (i - 1) * (d.updated_at - d.first_response_at) / d.replies
    from case_draft d, generate_series(1, d.replies) i
    union all
    select id, 'note', true, 'Internal: the discount needs a second approval.', staff_id, staff_name, 'staff', first_response_at
    from case_draft where replies > 0 and g % 5 = 0`.execute(conn)

  await sql`create temp table case_file_draft as
    select gen_random_uuid() as attachment_id, d.id as case_id, p.id as partner_id, d.creator_id, d.creator_name, d.created_at, d.g
    from case_draft d join bench_partners p on p.idx = d.p_idx where d.g % 100 = 1`.execute(conn)
  await sql`insert into case_attachments (id, case_id, partner_id, internal, file_name, content_type, size, created_by, created_at)
    select attachment_id, case_id, partner_id, false, 'error-' || g || '.txt', 'text/plain', 24, creator_id, created_at from case_file_draft`.execute(conn)
  await sql`insert into case_files (attachment_id, data) select attachment_id, convert_to('Error 42 at activation.\n', 'UTF8') from case_file_draft`.execute(conn)
  await sql`insert into case_events (case_id, kind, attachment_id, actor_id, actor_name, actor_kind, created_at)
    select case_id, 'attachment', attachment_id, creator_id, creator_name, 'partner', created_at from case_file_draft`.execute(conn)

  await sql`insert into case_canned_replies (title, body, owner_id, created_by)
    select 'Canned reply ' || n, 'Hello {{partner_name}}, about {{case_number}}: we are on it.', null, (select id from bench_staff where s_idx = 1)
    from generate_series(1, 10) n`.execute(conn)

  for (const table of ['case_file_draft', 'case_draft', 'bench_deal_counts', 'bench_deals', 'bench_staff']) await sql`drop table ${sql.table(table)}`.execute(conn)
}
