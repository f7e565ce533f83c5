import { sql, type Kysely } from 'kysely'

/**
 * A customer account may be removed once none of its deals is live; its closed deals stay, with
 * the customer's name they were registered under, and no longer point at the account.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table opportunities drop constraint opportunities_account_id_fkey`.execute(db)
  await sql`alter table opportunities add constraint opportunities_account_id_fkey
    foreign key (account_id) references customer_accounts (id) on delete set null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table opportunities drop constraint opportunities_account_id_fkey`.execute(db)
  await sql`alter table opportunities add constraint opportunities_account_id_fkey
    foreign key (account_id) references customer_accounts (id)`.execute(db)
}
