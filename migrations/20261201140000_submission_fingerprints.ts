import type { Kysely } from 'kysely'

/**
 * What an API request with an Idempotency-Key asked for (a hash of its method, address and body),
 * so that the same key sent with another request is refused rather than answered with the first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('form_submissions').addColumn('fingerprint', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('form_submissions').dropColumn('fingerprint').execute()
}
