import { sql } from 'kysely'
import type { Db } from '../core/data/database.ts'
import { benchPartner } from './bench-partner.ts'

const stages = sql.raw(`(array['qualify','develop','propose','close'])`)
const staffName = sql.lit('Staff Member 1')
const staffId = sql`(select id from users where email = 'staff1@portal.example')`

/**
 * Offers: pending ones for offered deals, the accepted offer of every distributed deal (a tenth
 * refused first by another partner) and the refusals of queued deals.
 */
export async function seedOffers(conn: Db): Promise<void> {
  await sql`insert into opportunity_offers (opportunity_id, partner_id, status, score, offered_by, offered_at, deadline, answered_at, answered_by, reason)
    select id, candidate_id, 'pending', round((40 + r_act * 60)::numeric, 2), ${staffId}, created_at + interval '1 hour',
      now() + interval '2 hours' + r_act * interval '70 hours', null::timestamptz, null::uuid, null
    from opp_draft where status = 'offered'
    union all
    select id, partner_id, 'accepted', round((40 + r_act * 60)::numeric, 2), ${staffId}, created_at + interval '1 hour',
      created_at + interval '73 hours', least(created_at + interval '2 hours' + r_act * interval '47 hours', now()), owner_id, null
    from opp_draft where held and source = 'staff'
    union all
    select id, other_partner_id, 'rejected', round((40 + r_act * 60)::numeric, 2), ${staffId}, created_at + interval '10 minutes',
      created_at + interval '73 hours', created_at + interval '50 minutes', null, 'No capacity this quarter.'
    from opp_draft where held and source = 'staff' and r_source > 0.9
    union all
    select d.id, p.id, case when n % 2 = 0 then 'rejected' else 'expired' end, 50, ${staffId}, d.created_at + n * interval '1 hour',
      d.created_at + n * interval '1 hour' + interval '72 hours', d.created_at + (n + 1) * interval '1 hour', null, null
    from opp_draft d, generate_series(1, d.refusals) n, bench_partners p
    where d.status = 'queued' and p.idx = 2 + (d.p_idx + n) % 999`.execute(conn)
}

/** The timeline: creation, offers and answers, stage moves, a note on half the deals, the outcome. */
export async function seedEvents(conn: Db): Promise<void> {
  await sql`insert into opportunity_events (opportunity_id, partner_id, staff_only, kind, body, actor_id, actor_name, at)
    select id, case when source = 'registration' then partner_id end, false, case when source = 'registration' then 'registered' else 'created' end,
      case when source = 'registration' then 'Registered by ' || owner_name || '.' else 'Created by staff.' end,
      case when source = 'registration' then owner_id else ${staffId} end,
      case when source = 'registration' then owner_name else ${staffName} end, created_at
    from opp_draft`.execute(conn)

  await sql`insert into opportunity_events (opportunity_id, partner_id, staff_only, kind, body, actor_id, actor_name, at)
    select o.opportunity_id, o.partner_id, false, 'offered', 'Offered to ' || p.name || '.', o.offered_by, ${staffName}, o.offered_at
    from opportunity_offers o join partners p on p.id = o.partner_id
    union all
    select o.opportunity_id, o.partner_id, false, o.status, initcap(o.status) || coalesce(': ' || o.reason, '.'), o.answered_by,
      coalesce(u.name, 'System'), o.answered_at
    from opportunity_offers o left join users u on u.id = o.answered_by where o.answered_at is not null`.execute(conn)

  await sql`insert into opportunity_events (opportunity_id, partner_id, staff_only, kind, body, actor_id, actor_name, at)
    select s.id, s.partner_id, false, 'stage', 'Moved from ' || ${stages}[n] || ' to ' || ${stages}[n + 1] || '.', s.owner_id, s.owner_name,
      s.created_at + (n::float / (s.steps + 1)) * (s.last_activity_at - s.created_at)
    from (select *, array_position(${stages}, stage) - 1 as steps from opp_draft where held) s, generate_series(1, s.steps) n
    union all
    select id, partner_id, false, 'note', 'Called the customer; next meeting is planned.', owner_id, owner_name,
      created_at + (last_activity_at - created_at) / 2
    from opp_draft where held and r_act < 0.5
    union all
    select id, partner_id, status = 'pending_approval', case when status = 'pending_approval' then 'conflict' else status end,
      case status when 'won' then 'Won.' when 'lost' then 'Lost.' when 'declined' then 'Registration declined.' else 'Conflicts with another registration.' end,
      owner_id, owner_name, coalesce(closed_at, created_at)
    from opp_draft where status in ('won', 'lost', 'declined', 'pending_approval')`.execute(conn)
}

/** A few deals shared with a second partner, and the same number shared with the bench partner at every size. */
export async function seedCollaborators(conn: Db): Promise<void> {
  await sql`insert into opportunity_collaborators (opportunity_id, partner_id, added_by, added_at)
    select id, other_partner_id, ${staffId}, last_activity_at from opp_draft where status = 'open' and r_source > 0.995
    union all
    select id, (select id from partners where domain = ${benchPartner.domain}), ${staffId}, last_activity_at
    from (select * from opp_draft where p_idx <> 1 and status = 'open' and r_source <= 0.995 order by g limit ${sql.lit(benchPartner.sharedWithIt)}) s`.execute(conn)
}
