import { sql, type Kysely } from 'kysely'

/**
 * A question staff turned into a support case: which case, so that the staff's public reply that
 * resolves it is posted back into the thread (and once only: the last reply posted is kept).
 * The case is the cases module's: no foreign key ties the forums' table to it. The row is claimed
 * (no case yet) before the case is opened, so two staff at once open one case.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('forum_thread_cases')
    .addColumn('thread_id', 'uuid', (c) => c.primaryKey().references('forum_threads.id').onDelete('cascade'))
    .addColumn('case_id', 'uuid', (c) => c.unique())
    .addColumn('opened_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('posted_reply_id', 'uuid')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('forum_thread_cases').execute()
}
