import { sql, type Kysely } from 'kysely'

/**
 * Merging a duplicate case into another (the duplicate keeps a link, its timeline moves), and the
 * staff admins' rule that assigns new cases: off, round-robin or least open cases, among a team.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('merged_into', 'uuid', (c) => c.references('cases.id').onDelete('set null')).execute()
  await sql`alter table case_events drop constraint case_events_kind_check`.execute(db)
  await sql`alter table case_events add constraint case_events_kind_check
    check (kind in ('opened', 'reply', 'note', 'status', 'priority', 'assignment', 'attachment', 'rating', 'merged'))`.execute(db)
  await db.schema.createTable('case_assignment')
    .addColumn('id', 'smallint', (c) => c.primaryKey().defaultTo(1).check(sql`id = 1`))
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('off').check(sql`mode in ('off', 'round_robin', 'least_open')`))
    .addColumn('team', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('last_assigned_id', 'uuid')
    .execute()
  await db.insertInto('case_assignment').values({ id: 1 }).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_assignment').execute()
  await sql`delete from case_events where kind = 'merged'`.execute(db)
  await sql`alter table case_events drop constraint case_events_kind_check`.execute(db)
  await sql`alter table case_events add constraint case_events_kind_check
    check (kind in ('opened', 'reply', 'note', 'status', 'priority', 'assignment', 'attachment', 'rating'))`.execute(db)
  await db.schema.alterTable('cases').dropColumn('merged_into').execute()
}
