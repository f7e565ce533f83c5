import { sql, type Kysely } from 'kysely'

/** The board reads the first open deals of each stage by expected close from this index, not by ranking all of them. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index opportunities_partner_board_idx on opportunities (partner_id, stage, expected_close, id) where status = 'open'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index opportunities_partner_board_idx`.execute(db)
}
