import { sql, type Kysely } from 'kysely'

/**
 * The linked deal's stage kept on each case, so the staff queue filters by it and raises cases about
 * a deal in its last stage within its own indexes (its keyset paging stays); and the staff admins'
 * switch for that rule, beside the assignment rule.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases')
    .addColumn('deal_stage', 'text')
    .addColumn('deal_raised', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await sql`update cases set deal_stage = o.stage, deal_raised = (o.stage = 'close' and o.status = 'open')
    from opportunities o where o.id = cases.opportunity_id`.execute(db)
  await db.schema.createIndex('cases_raised_queue_idx').on('cases').columns(['deal_raised desc', 'updated_at desc', 'id desc'])
    .where(sql.ref('status'), 'in', ['new', 'open', 'waiting']).execute()
  await db.schema.createIndex('cases_deal_stage_idx').on('cases').columns(['deal_stage', 'deal_raised desc', 'updated_at desc', 'id desc'])
    .where('deal_stage', 'is not', null).execute()
  await db.schema.alterTable('case_assignment').addColumn('raise_last_stage', 'boolean', (c) => c.notNull().defaultTo(true)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('case_assignment').dropColumn('raise_last_stage').execute()
  await db.schema.dropIndex('cases_deal_stage_idx').execute()
  await db.schema.dropIndex('cases_raised_queue_idx').execute()
  await db.schema.alterTable('cases').dropColumn('deal_stage').dropColumn('deal_raised').execute()
}
