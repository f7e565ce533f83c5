import { sql, type Kysely } from 'kysely'

/**
 * The staff queue's common views at 1,000,000 cases as indexes in their order: a status's cases and
 * one assignee's with the cases about a closing deal raised first (the staff admins' rule, on by
 * default), and the open work without them raised (the rule off); each of those views sorted every
 * case it holds. And how many cases there are per status, priority, type and assignee,
 * kept by the trigger that keeps the counts per partner, so a view filtered by those reads its counts
 * per status from a few hundred rows instead of counting the cases it holds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists cases_active_queue_idx on cases (updated_at desc, id desc) where status in ('new', 'open', 'waiting')`.execute(db)
  await sql`create index if not exists cases_status_raised_idx on cases (status, deal_raised desc, updated_at desc, id desc)`.execute(db)
  await sql`create index if not exists cases_assignee_raised_idx on cases (assignee_id, deal_raised desc, updated_at desc, id desc)`.execute(db)

  await sql`create table if not exists case_queue_counts (
    status text not null,
    priority text not null,
    type text not null,
    assignee_id uuid,
    cases integer not null)`.execute(db)
  await sql`create unique index if not exists case_queue_counts_key on case_queue_counts (status, priority, type, assignee_id) nulls not distinct`.execute(db)

  await sql`create or replace function case_queue_counts_add(st text, pr text, ty text, assignee uuid, n integer) returns void language sql as $$
    insert into case_queue_counts as c (status, priority, type, assignee_id, cases) values (st, pr, ty, assignee, n)
      on conflict (status, priority, type, assignee_id) do update set cases = c.cases + excluded.cases
  $$`.execute(db)

  await sql`create or replace function case_status_counts_keep() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform case_status_counts_add(old.partner_id, old.status, -1);
        perform case_queue_counts_add(old.status, old.priority, old.type, old.assignee_id, -1);
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform case_status_counts_add(new.partner_id, new.status, 1);
        perform case_queue_counts_add(new.status, new.priority, new.type, new.assignee_id, 1);
      end if;
      return null;
    end $$`.execute(db)
  await sql`drop trigger if exists case_status_counts_keep on cases`.execute(db)
  await sql`create trigger case_status_counts_keep after insert or delete or update of status, partner_id, priority, type, assignee_id
    on cases for each row execute function case_status_counts_keep()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair: both kinds of counts.
  await sql`create or replace function case_status_counts_rebuild() returns void language plpgsql as $$
    begin
      lock table cases in share mode;
      delete from case_status_counts;
      insert into case_status_counts (partner_id, status, cases) select partner_id, status, count(*) from cases group by 1, 2;
      delete from case_queue_counts;
      insert into case_queue_counts (status, priority, type, assignee_id, cases) select status, priority, type, assignee_id, count(*) from cases group by 1, 2, 3, 4;
    end $$`.execute(db)
  await sql`select case_status_counts_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create or replace function case_status_counts_rebuild() returns void language plpgsql as $$
    begin
      lock table cases in share mode;
      delete from case_status_counts;
      insert into case_status_counts (partner_id, status, cases) select partner_id, status, count(*) from cases group by 1, 2;
    end $$`.execute(db)
  await sql`drop trigger case_status_counts_keep on cases`.execute(db)
  await sql`create or replace function case_status_counts_keep() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform case_status_counts_add(old.partner_id, old.status, -1); end if;
      if tg_op in ('INSERT', 'UPDATE') then perform case_status_counts_add(new.partner_id, new.status, 1); end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger case_status_counts_keep after insert or delete or update of status, partner_id
    on cases for each row execute function case_status_counts_keep()`.execute(db)
  await sql`drop function case_queue_counts_add(text, text, text, uuid, integer)`.execute(db)
  await sql`drop table case_queue_counts`.execute(db)
  await sql`drop index cases_assignee_raised_idx`.execute(db)
  await sql`drop index cases_status_raised_idx`.execute(db)
  await sql`drop index cases_active_queue_idx`.execute(db)
}
