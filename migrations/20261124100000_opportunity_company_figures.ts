import { sql, type Kysely, type RawBuilder } from 'kysely'

const nil = '00000000-0000-0000-0000-000000000000'

/**
 * The dashboard figures gain rows for the whole company (owner_key the nil uuid), kept next to each
 * owner's, so a company-wide dashboard reads one row per currency and stage or month instead of
 * summing every owner's (a third of the rows for the bench partner's five people). Deals nobody owns
 * count for the company only. The trigger changes the shared company rows in one order — by status,
 * partner, currency, stage, closing date, then owner — so updates crossing them queue rather than
 * deadlock.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function opportunity_figures_apply(o opportunities, sign integer) returns void language plpgsql as $$
    declare
      figure_owner uuid;
    begin
      if o.partner_id is null then return; end if;
      foreach figure_owner in array array_remove(array['${sql.raw(nil)}'::uuid, o.owner_id], null) loop
        if o.status = 'open' then
          insert into opportunity_open_figures as f (partner_id, owner_key, currency, stage, deals, value)
          values (o.partner_id, figure_owner, o.currency, o.stage, sign, sign * coalesce(o.estimated_revenue, 0))
          on conflict (partner_id, owner_key, currency, stage) do update set deals = f.deals + excluded.deals, value = f.value + excluded.value;
        elsif o.status = 'won' and o.closed_at is not null then
          insert into opportunity_won_figures as f (partner_id, owner_key, currency, month, deals, revenue)
          values (o.partner_id, figure_owner, o.currency, date_trunc('month', o.closed_at at time zone 'UTC')::date, sign, sign * coalesce(o.actual_revenue, 0))
          on conflict (partner_id, owner_key, currency, month) do update set deals = f.deals + excluded.deals, revenue = f.revenue + excluded.revenue;
        end if;
      end loop;
    end $$`.execute(db)
  await figuresTrigger(['status', 'partner_id', 'currency', 'stage', 'closed_at', 'owner_id']).execute(db)
  await figuresRebuild(sql`k.owner_key`, sql`opportunities cross join unnest(array_remove(array['${sql.raw(nil)}'::uuid, owner_id], null)) as k(owner_key)`).execute(db)
  await sql`select opportunity_figures_rebuild()`.execute(db)
}

/** Back to one row per owner (the nil uuid for deals nobody owns), as migration 20261124070000 made them. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`create or replace function opportunity_figures_apply(o opportunities, sign integer) returns void language plpgsql as $$
    begin
      if o.partner_id is null then return; end if;
      if o.status = 'open' then
        insert into opportunity_open_figures as f (partner_id, owner_key, currency, stage, deals, value)
        values (o.partner_id, coalesce(o.owner_id, '${sql.raw(nil)}'), o.currency, o.stage, sign, sign * coalesce(o.estimated_revenue, 0))
        on conflict (partner_id, owner_key, currency, stage) do update set deals = f.deals + excluded.deals, value = f.value + excluded.value;
      elsif o.status = 'won' and o.closed_at is not null then
        insert into opportunity_won_figures as f (partner_id, owner_key, currency, month, deals, revenue)
        values (o.partner_id, coalesce(o.owner_id, '${sql.raw(nil)}'), o.currency,
          date_trunc('month', o.closed_at at time zone 'UTC')::date, sign, sign * coalesce(o.actual_revenue, 0))
        on conflict (partner_id, owner_key, currency, month) do update set deals = f.deals + excluded.deals, revenue = f.revenue + excluded.revenue;
      end if;
    end $$`.execute(db)
  await figuresTrigger(['status', 'partner_id', 'owner_id', 'currency', 'stage', 'closed_at']).execute(db)
  await figuresRebuild(sql`coalesce(owner_id, '${sql.raw(nil)}')`, sql`opportunities`).execute(db)
  await sql`select opportunity_figures_rebuild()`.execute(db)
}

/** The trigger applies a change's old and new rows in the order of these columns, so crossing updates take the rows in one order. */
function figuresTrigger(order: string[]) {
  const key = (row: 'old' | 'new') => sql.raw(`row(${order.map((column) => `${row}.${column}`).join(', ')})::text`)
  return sql`create or replace function opportunity_figures() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform opportunity_figures_apply(new, 1);
      elsif tg_op = 'DELETE' then
        perform opportunity_figures_apply(old, -1);
      elsif ${key('old')} <= ${key('new')} then
        perform opportunity_figures_apply(old, -1);
        perform opportunity_figures_apply(new, 1);
      else
        perform opportunity_figures_apply(new, 1);
        perform opportunity_figures_apply(old, -1);
      end if;
      return null;
    end $$`
}

/** Recomputes every figure from the deals, each counted under `owner` of the rows `deals` yields. */
function figuresRebuild(owner: RawBuilder<unknown>, deals: RawBuilder<unknown>) {
  return sql`create or replace function opportunity_figures_rebuild() returns void language plpgsql as $$
    begin
      lock table opportunities in share mode;
      delete from opportunity_open_figures;
      delete from opportunity_won_figures;
      insert into opportunity_open_figures (partner_id, owner_key, currency, stage, deals, value)
        select partner_id, ${owner}, currency, stage, count(*), coalesce(sum(estimated_revenue), 0)
        from ${deals} where status = 'open' and partner_id is not null group by 1, 2, 3, 4;
      insert into opportunity_won_figures (partner_id, owner_key, currency, month, deals, revenue)
        select partner_id, ${owner}, currency, date_trunc('month', closed_at at time zone 'UTC')::date, count(*), coalesce(sum(actual_revenue), 0)
        from ${deals} where status = 'won' and closed_at is not null and partner_id is not null group by 1, 2, 3, 4;
    end $$`
}
