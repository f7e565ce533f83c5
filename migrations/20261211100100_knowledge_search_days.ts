import { sql, type Kysely } from 'kysely'

/**
 * Staff's knowledge insight lists the searches that found nothing and those whose results nobody
 * opened over the last days: it counted them from every logged search of the period per view
 * (13,000 rows after a few minutes of load). Now triggers keep, per UTC day and query, how often it
 * was searched in vain, when last, how often it found articles and how often none was opened, so
 * the insight sums a few rows per day. The logged searches are written in batches and a click marks
 * one, so the triggers work per statement, on the rows the statement changed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table knowledge_search_days (
    day date not null,
    query text not null,
    unanswered integer not null,
    last_unanswered timestamptz,
    found integer not null,
    unclicked integer not null,
    primary key (day, query))`.execute(db)

  // Adds the rows of a statement's transition table (with sign 1) or takes them away (-1).
  const apply = (rows: string, sign: number) => sql`
      insert into knowledge_search_days as d (day, query, unanswered, last_unanswered, found, unclicked)
        select (searched_at at time zone 'UTC')::date, query, ${sql.lit(sign)} * count(*) filter (where results = 0),
          ${sign > 0 ? sql`max(searched_at) filter (where results = 0)` : sql`null::timestamptz`},
          ${sql.lit(sign)} * count(*) filter (where results > 0), ${sql.lit(sign)} * count(*) filter (where results > 0 and clicked_at is null)
        from ${sql.raw(rows)} group by 1, 2 order by 1, 2
      on conflict (day, query) do update set unanswered = d.unanswered + excluded.unanswered,
        last_unanswered = greatest(d.last_unanswered, excluded.last_unanswered),
        found = d.found + excluded.found, unclicked = d.unclicked + excluded.unclicked;`
  await sql`create function knowledge_search_days() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then ${apply('added', 1)}
      elsif tg_op = 'UPDATE' then ${apply('removed', -1)} ${apply('added', 1)}
      else ${apply('removed', -1)}
      end if;
      if tg_op <> 'INSERT' then
        -- The last search in vain of a day a statement took searches from, found again.
        update knowledge_search_days d set last_unanswered = (select max(s.searched_at) from knowledge_searches s
          where s.query = d.query and s.results = 0 and s.searched_at >= d.day::timestamp at time zone 'UTC'
            and s.searched_at < (d.day + 1)::timestamp at time zone 'UTC')
        where (d.day, d.query) in (select (searched_at at time zone 'UTC')::date, query from removed where results = 0);
      end if;
      return null;
    end $$`.execute(db)
  await sql`create trigger knowledge_search_days_on_insert after insert on knowledge_searches
    referencing new table as added for each statement execute function knowledge_search_days()`.execute(db)
  await sql`create trigger knowledge_search_days_on_update after update on knowledge_searches
    referencing old table as removed new table as added for each statement execute function knowledge_search_days()`.execute(db)
  await sql`create trigger knowledge_search_days_on_delete after delete on knowledge_searches
    referencing old table as removed for each statement execute function knowledge_search_days()`.execute(db)

  // As a repair, and for searches logged before this migration.
  await sql`create function knowledge_search_days_rebuild() returns void language plpgsql as $$
    begin
      lock table knowledge_searches in share mode;
      delete from knowledge_search_days;
      insert into knowledge_search_days (day, query, unanswered, last_unanswered, found, unclicked)
        select (searched_at at time zone 'UTC')::date, query, count(*) filter (where results = 0), max(searched_at) filter (where results = 0),
          count(*) filter (where results > 0), count(*) filter (where results > 0 and clicked_at is null)
        from knowledge_searches group by 1, 2;
    end $$`.execute(db)
  await sql`select knowledge_search_days_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger knowledge_search_days_on_delete on knowledge_searches`.execute(db)
  await sql`drop trigger knowledge_search_days_on_update on knowledge_searches`.execute(db)
  await sql`drop trigger knowledge_search_days_on_insert on knowledge_searches`.execute(db)
  await sql`drop function knowledge_search_days()`.execute(db)
  await sql`drop function knowledge_search_days_rebuild()`.execute(db)
  await sql`drop table knowledge_search_days`.execute(db)
}
