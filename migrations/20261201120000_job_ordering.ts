import { sql, type Kysely } from 'kysely'

/**
 * Jobs that must run in order (an event's deliveries to one subscriber, per record) share an
 * ordering key; `seq` is the order they were queued in, to the statement, which `created_at`
 * (the transaction's start) and the random id are not.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs')
    .addColumn('ordering_key', 'text')
    .addColumn('seq', 'bigint', (c) => c.generatedByDefaultAsIdentity().notNull())
    .execute()
  await sql`create index jobs_ordering_idx on jobs (ordering_key, seq) where ordering_key is not null and done_at is null and failed_at is null`.execute(db)
  await sql`create index jobs_failed_idx on jobs (failed_at desc) where failed_at is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('ordering_key').dropColumn('seq').execute()
}
