import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('partner_levels')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('rank', 'integer', (c) => c.notNull().unique())
    .addColumn('benefits', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema.createTable('program_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('headline', 'text', (c) => c.notNull())
    .addColumn('intro', 'text', (c) => c.notNull())
    .addColumn('expertise_options', sql`text[]`, (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.insertInto('program_settings').values({
    id: 1,
    headline: 'Grow with us as a partner',
    intro: 'Resell, implement and support our products with the backing of our partner team: ' +
      'qualified leads, deal registration that protects your work, training and a community of peers.',
    expertise_options: sql`array['Implementation','Consulting','Managed services','Training','Integration','Support','Resale']`
  }).execute()

  await db.schema.createTable('partners')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('website', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('city', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('territories', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('expertise', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('company_size', 'text')
    .addColumn('level_id', 'uuid', (c) => c.references('partner_levels.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('applied')
      .check(sql`status in ('applied', 'active', 'suspended', 'rejected')`))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(25).check(sql`capacity >= 0`))
    .addColumn('listed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('summary', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('partners_domain_idx').on('partners').column('domain').execute()
  await db.schema.createIndex('partners_status_name_idx').on('partners').columns(['status', 'name', 'id']).execute()
  await sql`create index partners_territories_idx on partners using gin (territories)`.execute(db)
  await sql`create index partners_expertise_idx on partners using gin (expertise)`.execute(db)
  await sql`alter table users add constraint users_partner_fk foreign key (partner_id) references partners (id)`.execute(db)

  await db.schema.createTable('partner_applications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('partner_id', 'uuid', (c) => c.notNull().unique().references('partners.id'))
    .addColumn('applicant_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending')
      .check(sql`status in ('pending', 'approved', 'rejected')`))
    .addColumn('possible_duplicate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('rejection_reason', 'text')
    .execute()
  await db.schema.createIndex('partner_applications_status_idx').on('partner_applications').columns(['status', 'submitted_at', 'id']).execute()

  await db.schema.createTable('partner_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('partners.id'))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('partner_notes_partner_idx').on('partner_notes').columns(['partner_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop constraint users_partner_fk`.execute(db)
  for (const table of ['partner_notes', 'partner_applications', 'partners', 'program_settings', 'partner_levels']) {
    await db.schema.dropTable(table).execute()
  }
}
