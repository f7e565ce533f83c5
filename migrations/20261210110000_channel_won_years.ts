import { sql, type Kysely } from 'kysely'

/**
 * Revenue won per partner, currency and year, kept by a trigger, for the channel page's "won this
 * year": it read the company's month rows of the dashboard figures (at 1,000,000 deals about
 * 24,000 this year, found by a scan of all 190,000 month rows, every owner's included) and now
 * reads one row per partner and currency. The open figures get an index by owner and currency, so the
 * company's open pipeline in one currency is read from its own rows. A deal moving between two year rows takes them in the order of
 * (partner, currency, year), as the dashboard figures take theirs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table opportunity_won_years (
    partner_id uuid not null references partners (id) on delete cascade,
    currency text not null,
    year date not null,
    deals integer not null,
    revenue numeric not null,
    primary key (partner_id, currency, year))`.execute(db)
  await sql`create index opportunity_won_years_year_idx on opportunity_won_years (year, currency) include (partner_id, deals, revenue)`.execute(db)
  await sql`create index opportunity_open_figures_owner_idx on opportunity_open_figures (owner_key, currency, partner_id) include (value)`.execute(db)

  await sql`create function opportunity_won_years_apply(o opportunities, sign integer) returns void language plpgsql as $$
    begin
      if o.partner_id is null or o.status <> 'won' or o.closed_at is null then return; end if;
      insert into opportunity_won_years as y (partner_id, currency, year, deals, revenue)
      values (o.partner_id, o.currency, date_trunc('year', o.closed_at at time zone 'UTC')::date, sign, sign * coalesce(o.actual_revenue, 0))
      on conflict (partner_id, currency, year) do update set deals = y.deals + excluded.deals, revenue = y.revenue + excluded.revenue;
    end $$`.execute(db)
  await sql`create function opportunity_won_years() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform opportunity_won_years_apply(new, 1);
      elsif tg_op = 'DELETE' then
        perform opportunity_won_years_apply(old, -1);
      elsif row(old.partner_id, old.currency, old.closed_at)::text <= row(new.partner_id, new.currency, new.closed_at)::text then
        perform opportunity_won_years_apply(old, -1);
        perform opportunity_won_years_apply(new, 1);
      else
        perform opportunity_won_years_apply(new, 1);
        perform opportunity_won_years_apply(old, -1);
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger opportunity_won_years_on_change after insert or delete on opportunities
    for each row execute function opportunity_won_years()`.execute(db)
  await sql`create trigger opportunity_won_years_on_update after update of partner_id, status, currency, actual_revenue, closed_at on opportunities
    for each row when ((old.partner_id, old.status, old.currency, old.actual_revenue, old.closed_at)
      is distinct from (new.partner_id, new.status, new.currency, new.actual_revenue, new.closed_at))
    execute function opportunity_won_years()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair.
  await sql`create function opportunity_won_years_rebuild() returns void language plpgsql as $$
    begin
      lock table opportunities in share mode;
      delete from opportunity_won_years;
      insert into opportunity_won_years (partner_id, currency, year, deals, revenue)
        select partner_id, currency, date_trunc('year', closed_at at time zone 'UTC')::date, count(*), coalesce(sum(actual_revenue), 0)
        from opportunities where status = 'won' and closed_at is not null and partner_id is not null group by 1, 2, 3;
    end $$`.execute(db)
  await sql`select opportunity_won_years_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger opportunity_won_years_on_update on opportunities`.execute(db)
  await sql`drop trigger opportunity_won_years_on_change on opportunities`.execute(db)
  await sql`drop function opportunity_won_years()`.execute(db)
  await sql`drop function opportunity_won_years_apply(opportunities, integer)`.execute(db)
  await sql`drop function opportunity_won_years_rebuild()`.execute(db)
  await sql`drop index opportunity_open_figures_owner_idx`.execute(db)
  await sql`drop table opportunity_won_years`.execute(db)
}
