import { sql, type Kysely } from 'kysely'

/**
 * How many published articles each category holds per audience, kept by a trigger as articles
 * are published, moved, re-targeted or removed: the counts beside every category are read from a
 * few hundred rows under the reader's audience rule (the same three columns), not by counting
 * every article on each page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table knowledge_category_counts (
    category_id uuid not null references knowledge_categories (id) on delete cascade,
    audience text not null,
    audience_level_id uuid,
    audience_partner_ids uuid[] not null,
    articles integer not null,
    unique nulls not distinct (category_id, audience, audience_level_id, audience_partner_ids))`.execute(db)

  await sql`create function knowledge_category_counts_add(category uuid, aud text, level uuid, partners uuid[], n integer) returns void language sql as $$
    insert into knowledge_category_counts as c (category_id, audience, audience_level_id, audience_partner_ids, articles)
      values (category, aud, level, partners, n)
      on conflict (category_id, audience, audience_level_id, audience_partner_ids) do update set articles = c.articles + excluded.articles
  $$`.execute(db)

  await sql`create function knowledge_category_counts_keep() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') and old.status = 'published' then
        perform knowledge_category_counts_add(old.category_id, old.audience, old.audience_level_id, old.audience_partner_ids, -1);
      end if;
      if tg_op in ('INSERT', 'UPDATE') and new.status = 'published' then
        perform knowledge_category_counts_add(new.category_id, new.audience, new.audience_level_id, new.audience_partner_ids, 1);
      end if;
      return null;
    end $$`.execute(db)

  await sql`create trigger knowledge_category_counts_keep after insert or delete or update of status, category_id, audience, audience_level_id, audience_partner_ids
    on knowledge_articles for each row execute function knowledge_category_counts_keep()`.execute(db)

  // For loads that bypass triggers (the bench generator) and as a repair.
  await sql`create function knowledge_category_counts_rebuild() returns void language plpgsql as $$
    begin
      lock table knowledge_articles in share mode;
      delete from knowledge_category_counts;
      insert into knowledge_category_counts (category_id, audience, audience_level_id, audience_partner_ids, articles)
        select category_id, audience, audience_level_id, audience_partner_ids, count(*) from knowledge_articles
        where status = 'published' group by 1, 2, 3, 4;
    end $$`.execute(db)
  await sql`select knowledge_category_counts_rebuild()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger knowledge_category_counts_keep on knowledge_articles`.execute(db)
  await sql`drop function knowledge_category_counts_keep()`.execute(db)
  await sql`drop function knowledge_category_counts_rebuild()`.execute(db)
  await sql`drop function knowledge_category_counts_add(uuid, text, uuid, uuid[], integer)`.execute(db)
  await sql`drop table knowledge_category_counts`.execute(db)
}
