import { sql, type Kysely } from 'kysely'

const nil = '00000000-0000-0000-0000-000000000000'

/**
 * The staff's channel figures and status counts, kept up to date by triggers as deals and offers
 * change, so the channel page and the staff list read about a thousand partners' rows instead of
 * counting a million deals per view: deals per partner and status (the staff queue's, which no
 * partner holds, under a null partner), and each partner's record of answers to offers. Open
 * pipeline and revenue won come from the dashboard figures' company rows (20261124100000).
 *
 * A deal whose status or partner changes moves between two status rows, taken in the order of
 * (status, partner) as the dashboard figures' trigger takes its rows. The staff queue's rows are
 * shared by every offer, answer and return, and one transaction may cross them both ways (a deal
 * given back is queued, then offered again): a change touching them first takes all of them, in
 * status order (they always exist, deals 0 or not), so such transactions queue rather than
 * deadlock. An offer moves between the rows of two partners at most, taken in the order of
 * partner; offers are written before their deal in the same transaction, so an offer's row is
 * never waited for while a deal's figures are held.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table opportunity_status_figures (
    partner_id uuid references partners (id) on delete cascade,
    status text not null,
    deals integer not null,
    constraint opportunity_status_figures_key unique nulls not distinct (partner_id, status))`.execute(db)
  await sql`create table opportunity_offer_figures (
    partner_id uuid primary key references partners (id) on delete cascade,
    answered integer not null,
    accepted integer not null,
    returned integer not null,
    timed integer not null,
    response_hours numeric not null)`.execute(db)

  await sql`create function opportunity_status_figures_apply(partner uuid, deal_status text, sign integer) returns void language plpgsql as $$
    begin
      insert into opportunity_status_figures as f (partner_id, status, deals) values (partner, deal_status, sign)
      on conflict (partner_id, status) do update set deals = f.deals + excluded.deals;
    end $$`.execute(db)
  await sql`create function opportunity_status_figures() returns trigger language plpgsql as $$
    begin
      if (tg_op <> 'DELETE' and new.partner_id is null) or (tg_op <> 'INSERT' and old.partner_id is null) then
        perform 1 from opportunity_status_figures where partner_id is null order by status for update;
      end if;
      if tg_op = 'INSERT' then
        perform opportunity_status_figures_apply(new.partner_id, new.status, 1);
      elsif tg_op = 'DELETE' then
        perform opportunity_status_figures_apply(old.partner_id, old.status, -1);
      elsif row(old.status, old.partner_id)::text <= row(new.status, new.partner_id)::text then
        perform opportunity_status_figures_apply(old.partner_id, old.status, -1);
        perform opportunity_status_figures_apply(new.partner_id, new.status, 1);
      else
        perform opportunity_status_figures_apply(new.partner_id, new.status, 1);
        perform opportunity_status_figures_apply(old.partner_id, old.status, -1);
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger opportunity_status_figures_on_change after insert or delete on opportunities
    for each row execute function opportunity_status_figures()`.execute(db)
  await sql`create trigger opportunity_status_figures_on_update after update of partner_id, status on opportunities
    for each row when ((old.partner_id, old.status) is distinct from (new.partner_id, new.status))
    execute function opportunity_status_figures()`.execute(db)

  // An offer counts once answered (accepted, rejected, expired or returned); its response time
  // counts once it has one and was not withdrawn. A pending offer changes nothing.
  await sql`create function opportunity_offer_figures_apply(o opportunity_offers, sign integer) returns void language plpgsql as $$
    declare
      answers integer := case when o.status in ('accepted', 'rejected', 'expired', 'returned') then sign else 0 end;
      acceptances integer := case when o.status in ('accepted', 'returned') then sign else 0 end;
      given_back integer := case when o.status = 'returned' then sign else 0 end;
      timings integer := case when o.answered_at is not null and o.status <> 'withdrawn' then sign else 0 end;
    begin
      if answers = 0 and timings = 0 then return; end if;
      insert into opportunity_offer_figures as f (partner_id, answered, accepted, returned, timed, response_hours)
      values (o.partner_id, answers, acceptances, given_back, timings,
        case when timings = 0 then 0 else timings * extract(epoch from o.answered_at - o.offered_at) / 3600 end)
      on conflict (partner_id) do update set answered = f.answered + excluded.answered, accepted = f.accepted + excluded.accepted,
        returned = f.returned + excluded.returned, timed = f.timed + excluded.timed, response_hours = f.response_hours + excluded.response_hours;
    end $$`.execute(db)
  await sql`create function opportunity_offer_figures() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform opportunity_offer_figures_apply(new, 1);
      elsif tg_op = 'DELETE' then
        perform opportunity_offer_figures_apply(old, -1);
      elsif old.partner_id <= new.partner_id then
        perform opportunity_offer_figures_apply(old, -1);
        perform opportunity_offer_figures_apply(new, 1);
      else
        perform opportunity_offer_figures_apply(new, 1);
        perform opportunity_offer_figures_apply(old, -1);
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger opportunity_offer_figures_on_change after insert or delete on opportunity_offers
    for each row execute function opportunity_offer_figures()`.execute(db)
  await sql`create trigger opportunity_offer_figures_on_update after update of partner_id, status, offered_at, answered_at on opportunity_offers
    for each row when ((old.partner_id, old.status, old.offered_at, old.answered_at) is distinct from (new.partner_id, new.status, new.offered_at, new.answered_at))
    execute function opportunity_offer_figures()`.execute(db)

  await sql`create function opportunity_channel_figures_rebuild() returns void language plpgsql as $$
    begin
      lock table opportunity_offers, opportunities in share mode;
      delete from opportunity_status_figures;
      delete from opportunity_offer_figures;
      insert into opportunity_status_figures (partner_id, status, deals)
        select partner_id, status, count(*) from opportunities group by 1, 2;
      insert into opportunity_status_figures (partner_id, status, deals)
        select null, status, 0 from unnest(array['queued', 'offered', 'pending_approval', 'declined', 'open', 'won', 'lost']) as status
        on conflict (partner_id, status) do nothing;
      insert into opportunity_offer_figures (partner_id, answered, accepted, returned, timed, response_hours)
        select partner_id,
          count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned')),
          count(*) filter (where status in ('accepted', 'returned')),
          count(*) filter (where status = 'returned'),
          count(*) filter (where answered_at is not null and status <> 'withdrawn'),
          coalesce(sum(extract(epoch from answered_at - offered_at) / 3600) filter (where answered_at is not null and status <> 'withdrawn'), 0)
        from opportunity_offers group by 1
        having count(*) filter (where status in ('accepted', 'rejected', 'expired', 'returned') or (answered_at is not null and status <> 'withdrawn')) > 0;
    end $$`.execute(db)
  await figuresRebuild(sql`
      lock table opportunity_offers, opportunities in share mode;
      perform opportunity_channel_figures_rebuild();`).execute(db)
  await sql`select opportunity_channel_figures_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await figuresRebuild(sql`
      lock table opportunities in share mode;`).execute(db)
  await sql`drop function opportunity_channel_figures_rebuild()`.execute(db)
  await sql`drop trigger opportunity_offer_figures_on_update on opportunity_offers`.execute(db)
  await sql`drop trigger opportunity_offer_figures_on_change on opportunity_offers`.execute(db)
  await sql`drop function opportunity_offer_figures()`.execute(db)
  await sql`drop function opportunity_offer_figures_apply(opportunity_offers, integer)`.execute(db)
  await sql`drop trigger opportunity_status_figures_on_update on opportunities`.execute(db)
  await sql`drop trigger opportunity_status_figures_on_change on opportunities`.execute(db)
  await sql`drop function opportunity_status_figures()`.execute(db)
  await sql`drop function opportunity_status_figures_apply(uuid, text, integer)`.execute(db)
  await sql`drop table opportunity_offer_figures`.execute(db)
  await sql`drop table opportunity_status_figures`.execute(db)
}

/**
 * The dashboard figures' rebuild as 20261124100000 left it, beginning with `start`: up, it locks
 * offers before deals (the order the writes take them) and rebuilds the channel figures too.
 */
function figuresRebuild(start: ReturnType<typeof sql>) {
  return sql`create or replace function opportunity_figures_rebuild() returns void language plpgsql as $$
    begin${start}
      delete from opportunity_open_figures;
      delete from opportunity_won_figures;
      insert into opportunity_open_figures (partner_id, owner_key, currency, stage, deals, value)
        select partner_id, k.owner_key, currency, stage, count(*), coalesce(sum(estimated_revenue), 0)
        from opportunities cross join unnest(array_remove(array['${sql.raw(nil)}'::uuid, owner_id], null)) as k(owner_key)
        where status = 'open' and partner_id is not null group by 1, 2, 3, 4;
      insert into opportunity_won_figures (partner_id, owner_key, currency, month, deals, revenue)
        select partner_id, k.owner_key, currency, date_trunc('month', closed_at at time zone 'UTC')::date, count(*), coalesce(sum(actual_revenue), 0)
        from opportunities cross join unnest(array_remove(array['${sql.raw(nil)}'::uuid, owner_id], null)) as k(owner_key)
        where status = 'won' and closed_at is not null and partner_id is not null group by 1, 2, 3, 4;
    end $$`
}
