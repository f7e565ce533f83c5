import { sql, type RawBuilder } from 'kysely'
import type { Db, DbOrTrx } from '../db/database.ts'
import type { NewUser, UserRow, UserUpdate } from './users.table.ts'

export function findUserById(db: DbOrTrx, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserByEmail(db: DbOrTrx, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst()
}

/** The per-request session check: one primary-key lookup. */
export function findSessionUser(db: Db, id: string) {
  return db.selectFrom('users')
    .select(['id', 'email', 'name', 'kind', 'role', 'partner_id', 'partner_status', 'permissions', 'status', 'session_version'])
    .where('id', '=', id).executeTakeFirst()
}

export async function insertUser(db: DbOrTrx, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values({ ...user, email: user.email.trim().toLowerCase() })
    .returningAll().executeTakeFirstOrThrow()
}

export async function updateUser(db: DbOrTrx, id: string, changes: UserUpdate): Promise<UserRow> {
  return db.updateTable('users').set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** Ends every session of the user at their next request. */
export async function bumpSessionVersion(db: DbOrTrx, id: string): Promise<void> {
  await db.updateTable('users').set({ session_version: sql`session_version + 1`, updated_at: sql`now()` })
    .where('id', '=', id).execute()
}

/** Mirrors the company's status onto its users; `signOut` also ends their sessions. */
export async function setPartnerStatus(db: DbOrTrx, partnerId: string, status: string, signOut: boolean): Promise<void> {
  await db.updateTable('users')
    .set({ partner_status: status, updated_at: sql`now()`, ...(signOut ? { session_version: sql`session_version + 1` } : {}) })
    .where('partner_id', '=', partnerId).execute()
}

export function listPartnerUsers(db: DbOrTrx, partnerId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('partner_id', '=', partnerId).orderBy('name').orderBy('id').limit(500).execute()
}

export interface TeamSummary {
  active: number
  invited: number
  /** The first few active people by name. */
  people: Array<{ name: string; role: string; job_title: string | null }>
}

/** Head counts and the first active people by name, as one JSON value for a page loader. */
export function teamSummaryQuery(partnerId: string, shown: number): RawBuilder<TeamSummary> {
  return sql<TeamSummary>`select json_build_object(
    'active', count(*) filter (where status = 'active'),
    'invited', count(*) filter (where status = 'invited'),
    'people', array(select row_to_json(p) from (
      select name, role, job_title from users where partner_id = ${partnerId} and status = 'active' order by name, id limit ${sql.lit(shown)}) p))
    from users where partner_id = ${partnerId}`
}

export function findPartnerUser(db: DbOrTrx, partnerId: string, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('partner_id', '=', partnerId).where('id', '=', userId).executeTakeFirst()
}

export async function countActivePartnerAdmins(db: DbOrTrx, partnerId: string): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('partner_id', '=', partnerId).where('role', '=', 'admin').where('status', '=', 'active')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export interface StaffFilter {
  search?: string
  after?: { name: string; id: string }
  limit: number
}

export function listStaff(db: Db, filter: StaffFilter): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().where('kind', '=', 'staff')
  if (filter.search) {
    const like = `%${filter.search.replace(/[%_\\]/g, '\\$&')}%`
    query = query.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]))
  }
  if (filter.after) {
    const { name, id } = filter.after
    query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]))
  }
  return query.orderBy('name').orderBy('id').limit(filter.limit).execute()
}

/**
 * Locks the active staff admins while counting them: two admins demoting each other at once
 * would otherwise both see two admins and leave none. Locked in id order, so never a deadlock.
 */
export async function countActiveStaffAdmins(trx: DbOrTrx): Promise<number> {
  const rows = await trx.selectFrom('users').select('id')
    .where('kind', '=', 'staff').where('role', '=', 'admin').where('status', '=', 'active')
    .orderBy('id').forUpdate().execute()
  return rows.length
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertToken(db: DbOrTrx, token: { userId: string; purpose: 'invite' | 'reset'; hash: string; expiresAt: Date }): Promise<void> {
  await db.insertInto('user_tokens').values({
    user_id: token.userId, purpose: token.purpose, token_hash: token.hash, expires_at: token.expiresAt
  }).execute()
}

/** Locks the token row so two uses at once cannot both succeed. */
export function findTokenForUpdate(db: DbOrTrx, hash: string) {
  return db.selectFrom('user_tokens').selectAll().where('token_hash', '=', hash).forUpdate().executeTakeFirst()
}

export async function markTokenUsed(db: DbOrTrx, id: string): Promise<void> {
  await db.updateTable('user_tokens').set({ used_at: sql`now()` }).where('id', '=', id).execute()
}

export async function revokeOpenTokens(db: DbOrTrx, userId: string): Promise<void> {
  await db.updateTable('user_tokens').set({ used_at: sql`now()` })
    .where('user_id', '=', userId).where('used_at', 'is', null).execute()
}
