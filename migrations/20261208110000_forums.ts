import { sql, type Kysely } from 'kysely'

/**
 * Forums: categories ordered by staff; forums with an audience (the columns of knowledge articles)
 * and who may post; threads (discussions and questions) and their numbered posts, with edit
 * history, helpful votes, reports, read markers, follows, the digest's pending items and the
 * searchable words.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('forum_categories')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema.createTable('forums')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('forum_categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    // As knowledge articles store it; no foreign key on the level, so a removed level leaves a forum only staff read.
    .addColumn('audience', 'text', (c) => c.notNull().defaultTo('partners').check(sql`audience in ('public', 'partners', 'levels', 'companies')`))
    .addColumn('audience_level_id', 'uuid')
    .addColumn('audience_partner_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('posting', 'text', (c) => c.notNull().defaultTo('audience').check(sql`posting in ('audience', 'staff')`))
    .addColumn('allow_hidden_company', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('thread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_post_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('forums_category_idx').on('forums').columns(['category_id', 'position']).execute()

  await db.schema.createTable('forum_threads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('forum_id', 'uuid', (c) => c.notNull().references('forums.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('discussion', 'question')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('locked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('closed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('answer_post_id', 'uuid')
    // The number of the thread's last post: posts are numbered 1, 2, … within their thread.
    .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_post_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The title (A), written with it.
    .addColumn('search', sql`tsvector`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('forum_threads_list_idx').on('forum_threads').columns(['forum_id', 'pinned desc', 'last_post_at desc', 'id desc']).execute()
  await sql`create index forum_threads_search_idx on forum_threads using gin (search)`.execute(db)
  await sql`create index forum_threads_unanswered_idx on forum_threads (created_at) where kind = 'question' and answer_post_id is null`.execute(db)

  await db.schema.createTable('forum_posts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('thread_id', 'uuid', (c) => c.notNull().references('forum_threads.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('staff', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('partner_id', 'uuid', (c) => c.references('partners.id'))
    // The company as it was named when the post was written, shown unless hidden from other partners.
    .addColumn('company_name', 'text')
    .addColumn('hide_company', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('search', sql`tsvector`, (c) => c.notNull())
    .addColumn('hidden', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('hidden_reason', 'text')
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('helpful', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edited_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('forum_posts_number_key', ['thread_id', 'number'])
    .execute()
  await sql`create index forum_posts_search_idx on forum_posts using gin (search)`.execute(db)
  await db.schema.createIndex('forum_posts_author_idx').on('forum_posts').columns(['author_id', 'created_at']).execute()
  await sql`alter table forum_threads add constraint forum_threads_answer_fk foreign key (answer_post_id) references forum_posts (id)`.execute(db)

  await db.schema.createTable('forum_post_versions')
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('forum_posts.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('edited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('editor_name', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('forum_post_versions_post_idx').on('forum_post_versions').columns(['post_id', 'replaced_at']).execute()

  await db.schema.createTable('forum_votes')
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('forum_posts.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('voted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('forum_votes_pk', ['post_id', 'user_id'])
    .execute()

  await db.schema.createTable('forum_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('forum_posts.id'))
    .addColumn('reporter_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute()
  await sql`create index forum_reports_open_idx on forum_reports (created_at) where resolved_at is null`.execute(db)

  // How far each person has read each thread: the number of the last post they saw.
  await db.schema.createTable('forum_reads')
    .addColumn('thread_id', 'uuid', (c) => c.notNull().references('forum_threads.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('forum_reads_pk', ['user_id', 'thread_id'])
    .execute()

  await db.schema.createTable('forum_follows')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('forum_id', 'uuid', (c) => c.notNull().references('forums.id'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('posts', 'threads')`))
    .addPrimaryKeyConstraint('forum_follows_pk', ['forum_id', 'user_id'])
    .execute()

  // A thread followed (`following`) or turned off, so that replying again does not follow it anew.
  await db.schema.createTable('forum_thread_follows')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('thread_id', 'uuid', (c) => c.notNull().references('forum_threads.id'))
    .addColumn('following', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('forum_thread_follows_pk', ['thread_id', 'user_id'])
    .execute()

  await db.schema.createTable('forum_settings')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('delivery', 'text', (c) => c.notNull().defaultTo('immediate').check(sql`delivery in ('immediate', 'digest')`))
    .addColumn('auto_follow', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute()

  // Posts waiting for a person's next daily digest.
  await db.schema.createTable('forum_digest_items')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('forum_posts.id'))
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('forum_digest_items_pk', ['user_id', 'post_id'])
    .execute()

  // One digest per person and day: the day it was sent for.
  await db.schema.createTable('forum_digests')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('posts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('forum_digests_pk', ['user_id', 'day'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table forum_threads drop constraint forum_threads_answer_fk`.execute(db)
  for (const table of ['forum_digests', 'forum_digest_items', 'forum_settings', 'forum_thread_follows', 'forum_follows', 'forum_reads',
    'forum_reports', 'forum_votes', 'forum_post_versions', 'forum_posts', 'forum_threads', 'forums', 'forum_categories']) {
    await db.schema.dropTable(table).execute()
  }
}
