import { sql, type Kysely } from 'kysely'

/**
 * The partner dashboard reads its figures from these indexes alone (index-only scans) and its
 * stalled deals as the first rows of one, instead of visiting every open or won deal of the
 * partner in the table. The two indexes they replace had the same leading columns.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('opportunities_partner_status_idx').execute()
  await db.schema.dropIndex('opportunities_partner_closed_idx').execute()
  await sql`create index opportunities_partner_status_idx on opportunities (partner_id, status, stage, currency) include (estimated_revenue)`.execute(db)
  await sql`create index opportunities_partner_closed_idx on opportunities (partner_id, status, closed_at) include (currency, actual_revenue)`.execute(db)
  await db.schema.createIndex('opportunities_partner_activity_idx').on('opportunities').columns(['partner_id', 'status', 'last_activity_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['opportunities_partner_activity_idx', 'opportunities_partner_closed_idx', 'opportunities_partner_status_idx']) {
    await db.schema.dropIndex(index).execute()
  }
  await db.schema.createIndex('opportunities_partner_status_idx').on('opportunities').columns(['partner_id', 'status', 'stage']).execute()
  await db.schema.createIndex('opportunities_partner_closed_idx').on('opportunities').columns(['partner_id', 'status', 'closed_at']).execute()
}
