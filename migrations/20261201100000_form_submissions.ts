import { sql, type Kysely } from 'kysely'

/**
 * The one-time keys of forms that create: each is written in the transaction that creates the
 * record, with the page the submission led to, so a repeat of the key (a lost response, a second
 * click) is shown that page instead of creating a second record. Keys are kept for a week; the
 * index on created_at lets the prune find the old ones without reading the rest.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('form_submissions')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('key', 'uuid', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('form_submissions_pkey', ['actor', 'key'])
    .execute()
  await db.schema.createIndex('form_submissions_created_idx').on('form_submissions').column('created_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('form_submissions').execute()
}
