import { sql, type Kysely } from 'kysely'

/**
 * The partner dashboard's pipeline and revenue figures, kept up to date by a trigger as deals
 * change, so the dashboard reads a handful of rows instead of summing every open and won deal of
 * the partner on each visit. Figures are kept per owner (the nil uuid for deals nobody owns) so
 * that "own records" users see theirs; won revenue is kept per calendar month (UTC), which is
 * all the quarter and year figures need.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table opportunity_open_figures (
    partner_id uuid not null references partners (id) on delete cascade,
    owner_key uuid not null,
    currency text not null,
    stage text not null,
    deals integer not null,
    value numeric not null,
    primary key (partner_id, owner_key, currency, stage))`.execute(db)
  await sql`create table opportunity_won_figures (
    partner_id uuid not null references partners (id) on delete cascade,
    owner_key uuid not null,
    currency text not null,
    month date not null,
    deals integer not null,
    revenue numeric not null,
    primary key (partner_id, owner_key, currency, month))`.execute(db)

  await sql`create function opportunity_figures_apply(o opportunities, sign integer) returns void language plpgsql as $$
    begin
      if o.partner_id is null then return; end if;
      if o.status = 'open' then
        insert into opportunity_open_figures as f (partner_id, owner_key, currency, stage, deals, value)
        values (o.partner_id, coalesce(o.owner_id, '00000000-0000-0000-0000-000000000000'), o.currency, o.stage, sign, sign * coalesce(o.estimated_revenue, 0))
        on conflict (partner_id, owner_key, currency, stage) do update set deals = f.deals + excluded.deals, value = f.value + excluded.value;
      elsif o.status = 'won' and o.closed_at is not null then
        insert into opportunity_won_figures as f (partner_id, owner_key, currency, month, deals, revenue)
        values (o.partner_id, coalesce(o.owner_id, '00000000-0000-0000-0000-000000000000'), o.currency,
          date_trunc('month', o.closed_at at time zone 'UTC')::date, sign, sign * coalesce(o.actual_revenue, 0))
        on conflict (partner_id, owner_key, currency, month) do update set deals = f.deals + excluded.deals, revenue = f.revenue + excluded.revenue;
      end if;
    end $$`.execute(db)

  // An update takes its deal out of one figure and into another. Both are changed in the order of
  // their keys, so two updates crossing the same two figures wait in line instead of deadlocking.
  await sql`create function opportunity_figures() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform opportunity_figures_apply(new, 1);
      elsif tg_op = 'DELETE' then
        perform opportunity_figures_apply(old, -1);
      elsif row(old.status, old.partner_id, old.owner_id, old.currency, old.stage, old.closed_at)::text
          <= row(new.status, new.partner_id, new.owner_id, new.currency, new.stage, new.closed_at)::text then
        perform opportunity_figures_apply(old, -1);
        perform opportunity_figures_apply(new, 1);
      else
        perform opportunity_figures_apply(new, 1);
        perform opportunity_figures_apply(old, -1);
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger opportunity_figures_on_change after insert or delete on opportunities
    for each row execute function opportunity_figures()`.execute(db)
  await sql`create trigger opportunity_figures_on_update
    after update of partner_id, owner_id, status, stage, currency, estimated_revenue, actual_revenue, closed_at on opportunities
    for each row when ((old.partner_id, old.owner_id, old.status, old.stage, old.currency, old.estimated_revenue, old.actual_revenue, old.closed_at)
      is distinct from (new.partner_id, new.owner_id, new.status, new.stage, new.currency, new.estimated_revenue, new.actual_revenue, new.closed_at))
    execute function opportunity_figures()`.execute(db)

  await sql`insert into opportunity_open_figures (partner_id, owner_key, currency, stage, deals, value)
    select partner_id, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'), currency, stage, count(*), coalesce(sum(estimated_revenue), 0)
    from opportunities where status = 'open' and partner_id is not null group by 1, 2, 3, 4`.execute(db)
  await sql`insert into opportunity_won_figures (partner_id, owner_key, currency, month, deals, revenue)
    select partner_id, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'), currency,
      date_trunc('month', closed_at at time zone 'UTC')::date, count(*), coalesce(sum(actual_revenue), 0)
    from opportunities where status = 'won' and closed_at is not null and partner_id is not null group by 1, 2, 3, 4`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger opportunity_figures_on_update on opportunities`.execute(db)
  await sql`drop trigger opportunity_figures_on_change on opportunities`.execute(db)
  await sql`drop function opportunity_figures()`.execute(db)
  await sql`drop function opportunity_figures_apply(opportunities, integer)`.execute(db)
  await sql`drop table opportunity_won_figures`.execute(db)
  await sql`drop table opportunity_open_figures`.execute(db)
}
