import { sql, type Kysely } from 'kysely'

/** Saved views of the staff queue: a staff member's own, or shared with every colleague (owner_id null). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('case_views')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    // The queue's filters and order as its address query (status=open&priority=high…), checked again when used.
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('case_views_owner_idx').on('case_views').columns(['owner_id', 'name']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_views').execute()
}
