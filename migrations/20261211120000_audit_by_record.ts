import { sql, type Kysely } from 'kysely'

/**
 * A record's history, newest first, as the staff partner and customer pages read it (by the record's
 * id alone): the index on (entity, entity_id, at) cannot serve that, and each view would scan the log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_log_record_idx on audit_log (entity_id, at desc, id desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_log_record_idx`.execute(db)
}
