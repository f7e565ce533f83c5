import { sql, type Kysely } from 'kysely'

/**
 * Who started each thread, kept on the thread by a trigger on its first post: a forum's thread list
 * reads it from the thread's row instead of joining every listed thread's first post, which made
 * PostgreSQL plan the list anew on each view. Posts keep their author and company as they were when
 * written, so only writing (or removing) a first post changes these.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table forum_threads
    add column starter_name text,
    add column starter_staff boolean not null default false,
    add column starter_partner_id uuid,
    add column starter_company text,
    add column starter_hide_company boolean not null default false`.execute(db)

  await sql`create function forum_thread_starter_keep() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        update forum_threads set starter_name = null, starter_staff = false, starter_partner_id = null, starter_company = null, starter_hide_company = false
          where id = old.thread_id;
      else
        update forum_threads set starter_name = new.author_name, starter_staff = new.staff, starter_partner_id = new.partner_id,
          starter_company = new.company_name, starter_hide_company = new.hide_company
          where id = new.thread_id;
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger forum_thread_starter_keep_written after insert or update of author_name, staff, partner_id, company_name, hide_company
    on forum_posts for each row when (new.number = 1) execute function forum_thread_starter_keep()`.execute(db)
  await sql`create trigger forum_thread_starter_keep_removed after delete
    on forum_posts for each row when (old.number = 1) execute function forum_thread_starter_keep()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair.
  await sql`create function forum_thread_starters_rebuild() returns void language sql as $$
    update forum_threads t set starter_name = p.author_name, starter_staff = p.staff, starter_partner_id = p.partner_id,
      starter_company = p.company_name, starter_hide_company = p.hide_company
    from forum_posts p where p.thread_id = t.id and p.number = 1
  $$`.execute(db)
  await sql`select forum_thread_starters_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger forum_thread_starter_keep_removed on forum_posts`.execute(db)
  await sql`drop trigger forum_thread_starter_keep_written on forum_posts`.execute(db)
  await sql`drop function forum_thread_starter_keep()`.execute(db)
  await sql`drop function forum_thread_starters_rebuild()`.execute(db)
  await sql`alter table forum_threads drop column starter_name, drop column starter_staff, drop column starter_partner_id,
    drop column starter_company, drop column starter_hide_company`.execute(db)
}
