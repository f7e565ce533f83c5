import { sql, type Kysely } from 'kysely'

/**
 * Two-factor sign-in (TOTP and one-time recovery codes) and who must use it. The TOTP secret is
 * kept as is: it is needed to check each code, so it cannot be hashed like a password.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'timestamptz')
    // The 30-second step of the last code accepted: a code is good once, even within its window.
    .addColumn('totp_last_step', 'integer')
    // A secret shown for enrolment, until a code from it is entered.
    .addColumn('totp_pending_secret', 'text')
    .execute()

  await db.schema.createTable('recovery_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('recovery_codes_user_idx').on('recovery_codes').column('user_id').execute()

  // 'staff', or 'partner:<id>': who must sign in with a second factor, and since when.
  await db.schema.createTable('two_factor_requirements')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('required_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema.createIndex('user_tokens_user_idx').on('user_tokens').column('user_id').ifNotExists().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('user_tokens_user_idx').ifExists().execute()
  await db.schema.dropTable('two_factor_requirements').execute()
  await db.schema.dropTable('recovery_codes').execute()
  await db.schema.alterTable('users')
    .dropColumn('totp_secret').dropColumn('totp_enabled_at').dropColumn('totp_last_step').dropColumn('totp_pending_secret')
    .execute()
}
