import { sql, type Kysely } from 'kysely'

/**
 * How many cases each partner has in each status, kept by a trigger: the staff queue's counts per
 * status, unfiltered or for one partner, are read from these few rows instead of counting every
 * case on each view (a scan of 1,000,000 cases).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table case_status_counts (
    partner_id uuid not null,
    status text not null,
    cases integer not null,
    primary key (partner_id, status))`.execute(db)

  await sql`create function case_status_counts_add(partner uuid, st text, n integer) returns void language sql as $$
    insert into case_status_counts as c (partner_id, status, cases) values (partner, st, n)
      on conflict (partner_id, status) do update set cases = c.cases + excluded.cases
  $$`.execute(db)

  await sql`create function case_status_counts_keep() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform case_status_counts_add(old.partner_id, old.status, -1); end if;
      if tg_op in ('INSERT', 'UPDATE') then perform case_status_counts_add(new.partner_id, new.status, 1); end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger case_status_counts_keep after insert or delete or update of status, partner_id
    on cases for each row execute function case_status_counts_keep()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair.
  await sql`create function case_status_counts_rebuild() returns void language plpgsql as $$
    begin
      lock table cases in share mode;
      delete from case_status_counts;
      insert into case_status_counts (partner_id, status, cases) select partner_id, status, count(*) from cases group by 1, 2;
    end $$`.execute(db)
  await sql`select case_status_counts_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger case_status_counts_keep on cases`.execute(db)
  await sql`drop function case_status_counts_keep()`.execute(db)
  await sql`drop function case_status_counts_rebuild()`.execute(db)
  await sql`drop function case_status_counts_add(uuid, text, integer)`.execute(db)
  await sql`drop table case_status_counts`.execute(db)
}
