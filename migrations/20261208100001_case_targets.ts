import { sql, type Kysely } from 'kysely'

/**
 * Service targets: first-response and resolution targets per priority in business minutes of one
 * working calendar (days, hours, time zone, holidays), and on each case its due times, the business
 * minutes it spent paused (waiting on the partner, or resolved until reopened) and the notices sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('case_targets')
    .addColumn('priority', 'text', (c) => c.primaryKey().check(sql`priority in ('low', 'normal', 'high', 'urgent')`))
    .addColumn('first_response_minutes', 'integer', (c) => c.notNull().check(sql`first_response_minutes > 0`))
    .addColumn('resolution_minutes', 'integer', (c) => c.notNull().check(sql`resolution_minutes > 0`))
    .execute()
  await db.insertInto('case_targets').values([
    { priority: 'urgent', first_response_minutes: 60, resolution_minutes: 480 },
    { priority: 'high', first_response_minutes: 240, resolution_minutes: 960 },
    { priority: 'normal', first_response_minutes: 480, resolution_minutes: 2400 },
    { priority: 'low', first_response_minutes: 960, resolution_minutes: 4800 }
  ]).execute()
  await db.schema.createTable('case_calendar')
    .addColumn('id', 'smallint', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('days', sql`smallint[]`, (c) => c.notNull().defaultTo(sql`'{1,2,3,4,5}'`))
    .addColumn('start_minute', 'integer', (c) => c.notNull().defaultTo(540))
    .addColumn('end_minute', 'integer', (c) => c.notNull().defaultTo(1020))
    .execute()
  await db.insertInto('case_calendar').values({ id: 1 }).execute()
  await db.schema.createTable('case_holidays')
    .addColumn('day', 'date', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute()

  await db.schema.alterTable('cases')
    .addColumn('first_response_due_at', 'timestamptz')
    .addColumn('resolution_due_at', 'timestamptz')
    .addColumn('paused_at', 'timestamptz')
    .addColumn('paused_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('at_risk_at', 'timestamptz')
    .addColumn('breached_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('cases_due_idx').on('cases').columns(['resolution_due_at']).where(sql.ref('status'), 'in', ['new', 'open']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_due_idx').execute()
  await db.schema.alterTable('cases').dropColumn('first_response_due_at').dropColumn('resolution_due_at').dropColumn('paused_at')
    .dropColumn('paused_minutes').dropColumn('at_risk_at').dropColumn('breached_at').execute()
  await db.schema.dropTable('case_holidays').execute()
  await db.schema.dropTable('case_calendar').execute()
  await db.schema.dropTable('case_targets').execute()
}
