import { sql, type Kysely } from 'kysely'

/**
 * The orders readers list published articles in — newest, most helpful, a category's newest, required reading — as
 * indexes, so a page of them reads its few rows in order instead of sorting every readable article.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index knowledge_articles_newest_idx on knowledge_articles (published_at desc, id) where status = 'published'`.execute(db)
  await sql`create index knowledge_articles_helpful_idx on knowledge_articles ((helpful - unhelpful) desc, helpful desc, id) where status = 'published'`.execute(db)
  await sql`create index knowledge_articles_required_idx on knowledge_articles (published_at desc) where status = 'published' and required`.execute(db)
  await sql`create index knowledge_articles_category_newest_idx on knowledge_articles (category_id, published_at desc, id) where status = 'published'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['knowledge_articles_newest_idx', 'knowledge_articles_helpful_idx', 'knowledge_articles_required_idx', 'knowledge_articles_category_newest_idx']) {
    await sql`drop index ${sql.id(index)}`.execute(db)
  }
}
