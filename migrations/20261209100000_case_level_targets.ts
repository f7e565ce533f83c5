import { sql, type Kysely } from 'kysely'

/**
 * Service targets per partner level: a level may override a priority's first-response or
 * resolution target (either, or both); what it leaves empty is the priority's own target.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('case_level_targets')
    .addColumn('level_id', 'uuid', (c) => c.notNull().references('partner_levels.id').onDelete('cascade'))
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('low', 'normal', 'high', 'urgent')`))
    .addColumn('first_response_minutes', 'integer', (c) => c.check(sql`first_response_minutes > 0`))
    .addColumn('resolution_minutes', 'integer', (c) => c.check(sql`resolution_minutes > 0`))
    .addPrimaryKeyConstraint('case_level_targets_pkey', ['level_id', 'priority'])
    .addCheckConstraint('case_level_targets_some', sql`first_response_minutes is not null or resolution_minutes is not null`)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_level_targets').execute()
}
