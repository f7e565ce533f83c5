import { sql } from 'kysely'
import type { Db, DbOrTrx } from '../../data/database.ts'
import { shapedQuery } from '../../data/shaped-query.ts'

/** A key unused this long stops working by itself. */
export const idleDays = 180
/** Use is recorded at most this often per key, so a busy integration does not write on every call. */
const lastUsedMinutes = 1

const usableKey = shapedQuery((db, _shape: Record<string, never>, v: { tokenHash: string }) => db
  .selectFrom('api_keys as k').innerJoin('users as u', 'u.id', 'k.user_id')
  .select(['k.id as key_id', 'k.name as key_name', 'k.permissions as key_permissions',
    'u.id', 'u.email', 'u.name', 'u.kind', 'u.role', 'u.partner_id', 'u.partner_status', 'u.permissions', 'u.session_version',
    sql<boolean>`k.last_used_at is null or k.last_used_at < now() - interval '1 minute' * ${sql.lit(lastUsedMinutes)}`.as('use_due')])
  .where('k.token_hash', '=', v.tokenHash)
  .where('k.revoked_at', 'is', null)
  .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', sql<Date>`now()`)]))
  .where(sql<boolean>`coalesce(k.last_used_at, k.created_at) > now() - interval '1 day' * ${sql.lit(idleDays)}`)
  .where('u.status', '=', 'active')
  .where((eb) => eb.or([eb('u.kind', '=', 'staff'), eb('u.partner_status', '=', 'active')]))
  .where(sql<boolean>`k.partner_id is not distinct from u.partner_id`))

/**
 * The key with the person it acts as, if it works now: not revoked, not expired, not idle too long,
 * its issuer active and (for a partner's key) the partner not suspended. Read on every API call, so
 * built once.
 */
export async function findUsableKey(db: Db, tokenHash: string) {
  const [row] = await usableKey(db, {}, { tokenHash })
  return row
}

export async function touchKey(db: DbOrTrx, keyId: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: sql`now()` })
    .where('id', '=', keyId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute' * ${sql.lit(lastUsedMinutes)}`)]))
    .execute()
}

export function insertKey(trx: DbOrTrx, key: { partnerId: string | null; userId: string; name: string; prefix: string; tokenHash: string; permissions: unknown; expiresAt: Date | null }) {
  return trx.insertInto('api_keys').values({
    partner_id: key.partnerId, user_id: key.userId, name: key.name, prefix: key.prefix, token_hash: key.tokenHash,
    permissions: JSON.stringify(key.permissions), expires_at: key.expiresAt
  }).returning(['id', 'name', 'prefix', 'created_at', 'expires_at']).executeTakeFirstOrThrow()
}

/** The keys of a company (or, with null, the staff keys), newest first, with who issued each. */
export function listKeys(db: Db, partnerId: string | null, limit: number, after?: { key: string; id: string }) {
  let query = db.selectFrom('api_keys as k').innerJoin('users as u', 'u.id', 'k.user_id')
    .select(['k.id', 'k.name', 'k.prefix', 'k.created_at', 'k.expires_at', 'k.last_used_at', 'k.revoked_at', 'k.permissions',
      'u.name as issuer_name', 'u.status as issuer_status', sql<string>`k.created_at::text`.as('created_key'),
      sql<boolean>`k.revoked_at is null and (k.expires_at is null or k.expires_at > now()) and coalesce(k.last_used_at, k.created_at) > now() - interval '1 day' * ${sql.lit(idleDays)}`.as('usable')])
    .where(partnerId === null ? sql<boolean>`k.partner_id is null` : sql<boolean>`k.partner_id = ${partnerId}`)
  if (after) query = query.where((eb) => eb.or([eb('k.created_at', '<', sql<Date>`${after.key}::timestamptz`), eb.and([eb('k.created_at', '=', sql<Date>`${after.key}::timestamptz`), eb('k.id', '<', after.id)])]))
  return query.orderBy('k.created_at', 'desc').orderBy('k.id', 'desc').limit(limit).execute()
}

/** Revokes one key of the company (or a staff key, with null); false if there is no such usable key. */
export async function revokeKey(trx: DbOrTrx, partnerId: string | null, keyId: string, by: string) {
  const row = await trx.updateTable('api_keys').set({ revoked_at: sql`now()`, revoked_by: by })
    .where('id', '=', keyId).where('revoked_at', 'is', null)
    .where(partnerId === null ? sql<boolean>`partner_id is null` : sql<boolean>`partner_id = ${partnerId}`)
    .returning(['id', 'name', 'partner_id']).executeTakeFirst()
  return row
}

/** Revokes every key an employee issued (they were removed from their company). */
export async function revokeKeysOf(trx: DbOrTrx, userId: string, by: string | null): Promise<void> {
  await trx.updateTable('api_keys').set({ revoked_at: sql`now()`, revoked_by: by }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute()
}
