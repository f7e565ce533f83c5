import { sql } from 'kysely'
import type { DbOrTrx } from '../../data/database.ts'
import type { UserRow } from '../users/users.table.ts'

export async function insertRecoveryCodes(db: DbOrTrx, userId: string, hashes: string[]): Promise<void> {
  await db.insertInto('recovery_codes').values(hashes.map((code_hash) => ({ user_id: userId, code_hash }))).execute()
}

export async function deleteRecoveryCodes(db: DbOrTrx, userId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
}

/** Marks an unused code of the user used; says whether there was one (so each code works once, even at once). */
export async function useRecoveryCode(db: DbOrTrx, userId: string, hash: string): Promise<boolean> {
  const result = await db.updateTable('recovery_codes').set({ used_at: sql`now()` })
    .where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * Records a code's step as the last one used, if it is later than the last: false when the step
 * (or a later one) was used already, so a code seen over someone's shoulder cannot be replayed.
 */
export async function advanceTotpStep(db: DbOrTrx, userId: string, step: number): Promise<boolean> {
  const result = await db.updateTable('users').set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * A person with what their two-factor state needs beside the row, in one round trip: whether their
 * staff or company requires it (the scope `scopesOf` in the service names) and their unused recovery codes.
 */
export function personWithTwoFactor(db: DbOrTrx, userId: string): Promise<(UserRow & { required: boolean; codes_left: number }) | undefined> {
  return db.selectFrom('users').selectAll('users')
    .select([
      sql<boolean>`exists (select 1 from two_factor_requirements r
        where r.scope = case when users.kind = 'staff' then 'staff' else 'partner:' || users.partner_id end)`.as('required'),
      sql<number>`(select count(*)::int from recovery_codes c where c.user_id = users.id and c.used_at is null)`.as('codes_left')
    ])
    .where('users.id', '=', userId).executeTakeFirst()
}

export async function isRequired(db: DbOrTrx, scopes: string[]): Promise<boolean> {
  const row = await db.selectFrom('two_factor_requirements').select('scope').where('scope', 'in', scopes).executeTakeFirst()
  return row !== undefined
}

export async function setRequirement(db: DbOrTrx, scope: string, requiredBy: string | null, required: boolean): Promise<void> {
  if (required) {
    await db.insertInto('two_factor_requirements').values({ scope, required_by: requiredBy })
      .onConflict((oc) => oc.column('scope').doNothing()).execute()
  } else {
    await db.deleteFrom('two_factor_requirements').where('scope', '=', scope).execute()
  }
}

/**
 * Ends the sessions of the people a new requirement covers who have no second factor yet: they
 * are taken to set one up at their next sign-in, and reach nothing before it.
 */
export async function signOutWithoutSecondFactor(db: DbOrTrx, who: { kind: 'staff' } | { partnerId: string }): Promise<number> {
  const people = db.selectFrom('users').select('id').where('totp_enabled_at', 'is', null)
    .where((eb) => 'partnerId' in who ? eb('partner_id', '=', who.partnerId) : eb('kind', '=', 'staff'))
  const result = await db.updateTable('users').set({ session_version: sql`session_version + 1`, updated_at: sql`now()` })
    .where('id', 'in', people).executeTakeFirst()
  await db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('revoked_at', 'is', null)
    .where('user_id', 'in', people).execute()
  return Number(result.numUpdatedRows)
}
