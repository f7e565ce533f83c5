import { sql, type Kysely } from 'kysely'

/**
 * Forum moderation beyond hiding: people muted for a period, and the first posts of new members
 * held for approval (a thread whose first post is held is held with it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('forum_mutes')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('until', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('muted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.alterTable('forum_posts').addColumn('held', 'boolean', (c) => c.notNull().defaultTo(false)).execute()
  await db.schema.alterTable('forum_threads').addColumn('held', 'boolean', (c) => c.notNull().defaultTo(false)).execute()
  await sql`create index forum_posts_held_idx on forum_posts (created_at) where held`.execute(db)
  // The forum list's unread counts walk a forum's recent threads, pinned or not.
  await db.schema.createIndex('forum_threads_recent_idx').on('forum_threads').columns(['forum_id', 'last_post_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('forum_threads_recent_idx').execute()
  await db.schema.alterTable('forum_threads').dropColumn('held').execute()
  await db.schema.alterTable('forum_posts').dropColumn('held').execute()
  await db.schema.dropTable('forum_mutes').execute()
}
