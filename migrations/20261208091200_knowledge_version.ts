import { sql, type Kysely } from 'kysely'

/**
 * A number every change to what readers can find raises, in the transaction of the change: a
 * published article written, moved, re-targeted or removed, a category changed. Search results kept
 * in memory carry the number they were found under and are used only while it still holds, so a
 * change is found on the very next search, on every instance.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table knowledge_version (id integer primary key default 1 check (id = 1), version bigint not null)`.execute(db)
  await sql`insert into knowledge_version (version) values (1)`.execute(db)
  await sql`create function knowledge_version_bump() returns trigger language plpgsql as $$
    begin
      update knowledge_version set version = version + 1;
      return null;
    end $$`.execute(db)
  await sql`create trigger knowledge_version_articles after insert or delete or truncate or update of slug, category_id, title, body_text, tags,
    status, audience, audience_level_id, audience_partner_ids, published_at, search on knowledge_articles
    for each statement execute function knowledge_version_bump()`.execute(db)
  await sql`create trigger knowledge_version_categories after insert or delete or truncate or update on knowledge_categories
    for each statement execute function knowledge_version_bump()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger knowledge_version_categories on knowledge_categories`.execute(db)
  await sql`drop trigger knowledge_version_articles on knowledge_articles`.execute(db)
  await sql`drop function knowledge_version_bump()`.execute(db)
  await sql`drop table knowledge_version`.execute(db)
}
