import { sql, type Kysely } from 'kysely'

/**
 * The staff opportunities list's order (latest change first, across every partner) as an index, so
 * its first page and each next one read their fifty rows in order instead of sorting every deal.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index opportunities_updated_idx on opportunities (updated_at desc, id desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index opportunities_updated_idx`.execute(db)
}
