import { sql, type Kysely } from 'kysely'

/**
 * The knowledge base: categories in a tree, articles with their versions, the words of the
 * articles (for typo-tolerant search), helpful votes, acknowledgements of required reading, view
 * counts and the searches partners ran.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db)

  await db.schema.createTable('knowledge_categories')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('parent_id', 'uuid', (c) => c.references('knowledge_categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('knowledge_categories_parent_idx').on('knowledge_categories').columns(['parent_id', 'position']).execute()

  await db.schema.createTable('knowledge_articles')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('knowledge_categories.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    // The body as plain text (Markdown rendered, tags stripped): what search indexes and quotes in snippets.
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'review', 'scheduled', 'published', 'archived')`))
    // Who may read it once published: 'public' (visitors too), 'partners', 'levels' (the level
    // named and those above it) or 'companies' (the partners named). No foreign key on the level:
    // a level removed later leaves an article nobody but staff reads, never one everyone reads.
    .addColumn('audience', 'text', (c) => c.notNull().defaultTo('partners').check(sql`audience in ('public', 'partners', 'levels', 'companies')`))
    .addColumn('audience_level_id', 'uuid')
    .addColumn('audience_partner_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('publish_at', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('review_by', 'date')
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('review_comment', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    // The version partners last had to acknowledge: raised by a version marked as a material change.
    .addColumn('material_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('views', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('helpful', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unhelpful', 'integer', (c) => c.notNull().defaultTo(0))
    // Title (A), tags (B) and body (C), written in the statement that writes them.
    .addColumn('search', sql`tsvector`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index knowledge_articles_search_idx on knowledge_articles using gin (search)`.execute(db)
  await sql`create index knowledge_articles_tags_idx on knowledge_articles using gin (tags)`.execute(db)
  await db.schema.createIndex('knowledge_articles_published_idx').on('knowledge_articles').columns(['status', 'published_at']).execute()
  await db.schema.createIndex('knowledge_articles_category_idx').on('knowledge_articles').column('category_id').execute()

  await db.schema.createTable('knowledge_versions')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('knowledge_articles.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tags', sql`text[]`, (c) => c.notNull())
    .addColumn('category_id', 'uuid', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('material', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('knowledge_versions_pk', ['article_id', 'version'])
    .execute()

  // Every word of every article, for correcting a misspelt search term to one that exists.
  await db.schema.createTable('knowledge_words')
    .addColumn('word', 'text', (c) => c.primaryKey())
    .execute()
  await sql`create index knowledge_words_trgm_idx on knowledge_words using gin (word gin_trgm_ops)`.execute(db)

  await db.schema.createTable('knowledge_votes')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('knowledge_articles.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('helpful', 'boolean', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('voted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('knowledge_votes_pk', ['article_id', 'user_id'])
    .execute()

  await db.schema.createTable('knowledge_acknowledgements')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('knowledge_articles.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('knowledge_acknowledgements_pk', ['article_id', 'user_id'])
    .execute()

  // Views per article and day, added to in batches, so a popular article is not one hot row per read.
  await db.schema.createTable('knowledge_views')
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('knowledge_articles.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('views', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('knowledge_views_pk', ['article_id', 'day'])
    .execute()

  await db.schema.createTable('knowledge_searches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('results', 'integer', (c) => c.notNull())
    .addColumn('searched_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('knowledge_searches_at_idx').on('knowledge_searches').column('searched_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['knowledge_searches', 'knowledge_views', 'knowledge_acknowledgements', 'knowledge_votes', 'knowledge_words',
    'knowledge_versions', 'knowledge_articles', 'knowledge_categories']) {
    await db.schema.dropTable(table).execute()
  }
}
