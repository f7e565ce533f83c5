import { sql, type Kysely } from 'kysely'

/**
 * One row per sign-in, named by the session cookie, so that signing out ends that session on the
 * server — on every instance — and not only in the browser that held the cookie.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('sessions')
    // gen_random_uuid() draws 122 bits from the server's strong random source: unguessable.
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('user_agent', 'text')
    // text, not inet: behind a proxy the address comes from a header and need not parse.
    .addColumn('ip', 'text')
    .execute()
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute()
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sessions').execute()
}
