import { sql, type Kysely } from 'kysely'

/**
 * Support cases: partners' questions with their deal attached, the timeline of replies, internal
 * notes and changes, attached files (their bytes in a table of their own, like knowledge's), and the
 * suggested answers that made a case unnecessary (deflections).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence case_number_seq start 1001`.execute(db)
  await db.schema.createTable('cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'bigint', (c) => c.notNull().unique().defaultTo(sql`nextval('case_number_seq')`))
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('question', 'problem', 'request', 'deal_support')`))
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('low', 'normal', 'high', 'urgent')`))
    // The order of the staff queue's "most urgent first".
    .addColumn('priority_rank', 'smallint', (c) => c.notNull()
      .generatedAlwaysAs(sql`case priority when 'urgent' then 4 when 'high' then 3 when 'normal' then 2 else 1 end`).stored())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new').check(sql`status in ('new', 'open', 'waiting', 'resolved', 'closed', 'cancelled')`))
    // The account and the deal are kept by name too: the case still says what it was about after either is removed.
    .addColumn('account_id', 'uuid', (c) => c.references('customer_accounts.id').onDelete('set null'))
    .addColumn('account_name', 'text')
    .addColumn('opportunity_id', 'uuid', (c) => c.references('opportunities.id').onDelete('set null'))
    .addColumn('opportunity_name', 'text')
    .addColumn('follow_up_of', 'uuid', (c) => c.references('cases.id').onDelete('set null'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('first_response_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('rating', 'smallint', (c) => c.check(sql`rating between 1 and 5`))
    .addColumn('rating_comment', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('cases_partner_idx').on('cases').columns(['partner_id', 'updated_at desc', 'id desc']).execute()
  await db.schema.createIndex('cases_creator_idx').on('cases').columns(['created_by', 'updated_at desc', 'id desc']).execute()
  await db.schema.createIndex('cases_queue_idx').on('cases').columns(['status', 'updated_at desc', 'id desc']).execute()
  await db.schema.createIndex('cases_assignee_idx').on('cases').columns(['assignee_id', 'status']).execute()
  await db.schema.createIndex('cases_opportunity_idx').on('cases').column('opportunity_id').execute()

  await db.schema.createTable('case_attachments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    // A file attached to an internal note is the staff's alone.
    .addColumn('internal', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('case_attachments_case_idx').on('case_attachments').column('case_id').execute()
  await db.schema.createTable('case_files')
    .addColumn('attachment_id', 'uuid', (c) => c.primaryKey().references('case_attachments.id').onDelete('cascade'))
    .addColumn('data', 'bytea', (c) => c.notNull())
    .execute()

  await db.schema.createTable('case_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('opened', 'reply', 'note', 'status', 'priority', 'assignment', 'attachment', 'rating')`))
    // An internal event (a note, an assignment, a note's file) is never shown to any partner.
    .addColumn('internal', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('attachment_id', 'uuid', (c) => c.references('case_attachments.id').onDelete('set null'))
    .addColumn('actor_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('partner', 'staff', 'system')`))
    // The clock's time, not the transaction's: events written together (opened, then its file) keep their order.
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute()
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'created_at', 'id']).execute()

  await db.schema.createTable('case_deflections')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('href', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('case_deflections_href_idx').on('case_deflections').columns(['provider', 'href']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_deflections').execute()
  await db.schema.dropTable('case_events').execute()
  await db.schema.dropTable('case_files').execute()
  await db.schema.dropTable('case_attachments').execute()
  await db.schema.dropTable('cases').execute()
  await sql`drop sequence case_number_seq`.execute(db)
}
