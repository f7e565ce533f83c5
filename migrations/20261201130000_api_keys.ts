import { sql, type Kysely } from 'kysely'

/**
 * API keys for server-to-server calls: a partner admin's for their company, a staff admin's for
 * staff work. Only a hash of the key is kept; the key itself is shown once, when it is issued.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // null for a staff key; a partner's keys go with the partner.
    .addColumn('partner_id', 'uuid', (c) => c.references('partners.id').onDelete('cascade'))
    // The key acts as the person who issued it, never beyond what they may do themselves.
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // The first characters of the key, so that a list can say which key is which.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('api_keys_partner_idx').on('api_keys').columns(['partner_id', 'created_at']).execute()
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_keys').execute()
}
