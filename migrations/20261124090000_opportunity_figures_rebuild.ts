import { sql, type Kysely } from 'kysely'

/**
 * Recomputes the dashboard figures from the deals themselves: for loads that bypass triggers (the
 * bench generator's bulk insert, a restore with triggers off) and as a repair. Deals are locked
 * against changes while it runs, so no trigger's change falls between the delete and the insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function opportunity_figures_rebuild() returns void language plpgsql as $$
    begin
      lock table opportunities in share mode;
      delete from opportunity_open_figures;
      delete from opportunity_won_figures;
      insert into opportunity_open_figures (partner_id, owner_key, currency, stage, deals, value)
        select partner_id, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'), currency, stage, count(*), coalesce(sum(estimated_revenue), 0)
        from opportunities where status = 'open' and partner_id is not null group by 1, 2, 3, 4;
      insert into opportunity_won_figures (partner_id, owner_key, currency, month, deals, revenue)
        select partner_id, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'), currency,
          date_trunc('month', closed_at at time zone 'UTC')::date, count(*), coalesce(sum(actual_revenue), 0)
        from opportunities where status = 'won' and closed_at is not null and partner_id is not null group by 1, 2, 3, 4;
    end $$`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function opportunity_figures_rebuild()`.execute(db)
}
