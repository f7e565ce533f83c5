import { sql, type Kysely } from 'kysely'

/** Canned replies: a staff member's own, or shared with every colleague (owner_id null). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('case_canned_replies')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('case_canned_replies_owner_idx').on('case_canned_replies').columns(['owner_id', 'title']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_canned_replies').execute()
}
