import { sql, type Kysely } from 'kysely'

/**
 * The staff's applications list, newest or oldest first over every status, reads its first page
 * from an index in that order instead of joining and sorting every application with its partner
 * and applicant on each view.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index partner_applications_submitted_idx on partner_applications (submitted_at, id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index partner_applications_submitted_idx`.execute(db)
}
