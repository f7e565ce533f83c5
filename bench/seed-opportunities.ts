import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { benchPartner } from './bench-partner.ts'

interface Batch {
  count: number
  /** The partner index (1 is the bench partner), drawn per row. */
  partner: RawBuilder<unknown>
  /** The status, from the uniform draw d.r_status. */
  status: RawBuilder<unknown>
}

const held = (r: RawBuilder<unknown>) => sql`case when ${r} < 0.40 then 'open' when ${r} < 0.70 then 'won'
  when ${r} < 0.92 then 'lost' when ${r} < 0.97 then 'pending_approval' else 'declined' end`
const stages = sql.raw(`(array['qualify','develop','propose','close'])`)
const eurCountries = sql.raw(`(array['IE','DE','FR','NL','ES','IT','AT','BE'])`)

/**
 * The bench partner's batches come first, so that with the same seed its deals are the same at
 * every size; the rest spread over the 999 other partners, a few of them much busier than most.
 */
function batches(total: number): Batch[] {
  const rest = total - benchPartner.opportunities - benchPartner.pendingOffers
  return [
    { count: benchPartner.opportunities, partner: sql`1`, status: held(sql`d.r_status`) },
    { count: benchPartner.pendingOffers, partner: sql`1`, status: sql`'offered'` },
    {
      count: rest,
      partner: sql`2 + floor(999 * power(random(), 2))::int`,
      status: sql`case when d.r_status < 0.02 then 'queued' when d.r_status < 0.04 then 'offered' else ${held(sql`(d.r_status - 0.04) / 0.96`)} end`
    }
  ]
}

function draft({ count, partner, status }: Batch) {
  return sql`with draws as (
      select g, ${partner} as p_idx, 1 + floor(random() * 100)::int as a_no, random() as r_status, random() as r_stage,
        random() as r_source, random() as r_when, random() as r_close, random() as r_amount, random() as r_act
      from generate_series(1, ${sql.lit(count)}) g
    ), shaped as (
      select d.*, ${status} as status, round((2000 + power(d.r_amount, 3) * 498000)::numeric / 100) * 100 as estimated_revenue
      from draws d
    ), timed as (
      select s.*, s.status not in ('queued', 'offered') as held, case s.status
          when 'open' then now() - power(s.r_when, 1.5) * interval '540 days'
          when 'pending_approval' then now() - s.r_when * interval '10 days'
          when 'queued' then now() - s.r_when * interval '5 days'
          when 'offered' then now() - s.r_when * interval '3 days'
          else now() - interval '20 days' - s.r_when * interval '710 days' end as created_at
      from shaped s
    ), closed as (
      select t.*, case when t.status in ('won', 'lost') then t.created_at + (0.1 + 0.9 * t.r_close) * (now() - t.created_at)
          when t.status = 'declined' then t.created_at + interval '2 days' end as closed_at
      from timed t
    )
    select gen_random_uuid() as id, c.g, c.p_idx, c.status, c.held, c.r_source, c.r_act,
      case when c.held then p.id end as partner_id, p.id as candidate_id, other.id as other_partner_id,
      case when c.held then u.id end as owner_id, u.name as owner_name,
      case when c.held then a.id end as account_id, case when c.held then a.contact_id end as contact_id,
      ca.name as customer_name, ca.domain as customer_domain, p.country as territory, pa.expertise[1:1] as expertise,
      case when not c.held then 'staff' when c.status in ('pending_approval', 'declined') or c.r_source < 0.7 then 'registration' else 'staff' end as source,
      case when c.status in ('open', 'lost') then ${stages}[1 + floor(c.r_stage * 4)::int] when c.status = 'won' then 'close' else 'qualify' end as stage,
      c.estimated_revenue,
      case when c.g % 10 = 0 then 'EUR' when p.country = 'GB' then 'GBP' when p.country = any(${eurCountries}) then 'EUR' else 'USD' end as currency,
      (c.created_at + interval '30 days' + c.r_close * interval '150 days')::date as expected_close,
      case when c.status = 'won' then round(c.estimated_revenue * (0.8 + 0.4 * c.r_act::numeric), 2) end as actual_revenue,
      case when c.status = 'lost' then (array['Price','Went with a competitor','No budget','Project cancelled'])[1 + c.g % 4] end as lost_reason,
      c.closed_at,
      case when c.held and c.r_source < 0.7 then 'manual' when c.r_stage < 0.7 then 'auto' else 'manual' end as distribution,
      case when c.status = 'queued' then floor(c.r_source * 3)::int else 0 end as refusals,
      case when c.status = 'open' then now() - power(c.r_act, 2) * (now() - c.created_at)
        when c.closed_at is not null then c.closed_at
        else c.created_at + c.r_act * (now() - c.created_at) end as last_activity_at,
      c.created_at,
      (array['Renewal','Expansion','New licences','Migration','Support contract','Rollout','Pilot','Upgrade'])[1 + c.g % 8] || ' for ' || ca.name as name
    from closed c
    join bench_partners p on p.idx = c.p_idx
    join partners pa on pa.id = p.id
    join bench_partners op on op.idx = 2 + (c.p_idx - 1) % 999
    join partners other on other.id = op.id
    join bench_users u on u.p_idx = c.p_idx and u.u_no = c.g % (p.members + 1)
    join bench_accounts a on a.p_idx = c.p_idx and a.a_no = c.a_no
    join customer_accounts ca on ca.id = a.id`
}

/**
 * Draws the opportunities into the temporary table opp_draft (which also keeps the draws that
 * their offers, history and collaborators follow from), then inserts them in one statement, in
 * the order they were created: a partner's deals lie scattered over the table as in real life.
 */
export async function seedOpportunities(conn: Db, total: number): Promise<void> {
  await sql`select setseed(0.42)`.execute(conn)
  const [first, ...others] = batches(total)
  await sql`create temp table opp_draft as ${draft(first!)}`.execute(conn)
  for (const batch of others) await sql`insert into opp_draft ${draft(batch)}`.execute(conn)

  await sql`insert into opportunities (id, name, source, status, stage, partner_id, owner_id, account_id, contact_id, customer_name,
      customer_domain, territory, expertise, estimated_revenue, currency, expected_close, actual_revenue, lost_reason, closed_at,
      distribution, refusals, created_by, last_activity_at, created_at, updated_at)
    select id, name, source, status, stage, partner_id, owner_id, account_id, contact_id, customer_name,
      customer_domain, territory, expertise, estimated_revenue, currency, expected_close, actual_revenue, lost_reason, closed_at,
      distribution, refusals, case when source = 'registration' then owner_id else (select id from users where email = 'staff1@portal.example') end,
      last_activity_at, created_at, last_activity_at
    from opp_draft order by created_at`.execute(conn)
}
