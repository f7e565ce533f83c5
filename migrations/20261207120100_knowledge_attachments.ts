import { sql, type Kysely } from 'kysely'

/**
 * Files attached to knowledge articles: what they are in one table, their bytes in another (the
 * database store of the attachment store), so every instance serves the same files.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('knowledge_attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('article_id', 'uuid', (c) => c.notNull().references('knowledge_articles.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('knowledge_attachments_article_idx').on('knowledge_attachments').column('article_id').execute()
  await db.schema.createTable('knowledge_files')
    .addColumn('attachment_id', 'uuid', (c) => c.primaryKey().references('knowledge_attachments.id').onDelete('cascade'))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('knowledge_files').execute()
  await db.schema.dropTable('knowledge_attachments').execute()
}
