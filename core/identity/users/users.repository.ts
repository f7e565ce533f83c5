import { sql, type RawBuilder } from 'kysely'
import type { Db, DbOrTrx } from '../../data/database.ts'
import type { NewUser, UserRow, UserUpdate } from './users.table.ts'

export function findUserById(db: DbOrTrx, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findUserByEmail(db: DbOrTrx, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst()
}

/** How often at most a session's last_seen_at is written: a write per request would double the check's cost. */
export const lastSeenMinutes = 5

/**
 * The per-request session check: one query, the session and its user each found by primary key.
 * A session that is revoked, expired or another user's finds nothing; `seen_due` says its
 * last_seen_at is older than `lastSeenMinutes`.
 */
export function findSessionUser(db: Db, sessionId: string, userId: string) {
  return db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.kind', 'u.role', 'u.partner_id', 'u.partner_status', 'u.permissions', 'u.status', 'u.session_version',
      sql<boolean>`s.last_seen_at < now() - interval '1 minute' * ${sql.lit(lastSeenMinutes)}`.as('seen_due')])
    .where('s.id', '=', sessionId).where('s.user_id', '=', userId)
    .where('s.revoked_at', 'is', null).where('s.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
}

export async function insertSession(db: DbOrTrx, session: { userId: string; expiresAt: Date; userAgent: string | null; ip: string | null }): Promise<string> {
  const row = await db.insertInto('sessions').values({
    user_id: session.userId, expires_at: session.expiresAt, user_agent: session.userAgent, ip: session.ip
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/** Records that the session was used; a no-op while the last record is recent, so racing requests write once. */
export async function touchSession(db: DbOrTrx, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: sql`now()` })
    .where('id', '=', sessionId).where('last_seen_at', '<', sql<Date>`now() - interval '1 minute' * ${sql.lit(lastSeenMinutes)}`).execute()
}

/** Ends one session (sign-out); the user id makes sure it is theirs. Says whether one was open. */
export async function revokeSession(db: DbOrTrx, sessionId: string, userId: string): Promise<boolean> {
  const result = await db.updateTable('sessions').set({ revoked_at: sql`now()` })
    .where('id', '=', sessionId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Ends every open session of the user except one; returns how many it ended. */
export async function revokeOtherSessions(db: DbOrTrx, userId: string, keepId: string): Promise<number> {
  const result = await db.updateTable('sessions').set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId).where('id', '<>', keepId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface OpenSession {
  id: string
  created_at: Date
  last_seen_at: Date
  user_agent: string | null
  ip: string | null
}

/** A user's sessions that are neither ended nor expired, the most recently used first. */
export function listOpenSessions(db: DbOrTrx, userId: string): Promise<OpenSession[]> {
  return db.selectFrom('sessions').select(['id', 'created_at', 'last_seen_at', 'user_agent', 'ip'])
    .where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', sql<Date>`now()`)
    .orderBy('last_seen_at', 'desc').orderBy('id').limit(100).execute()
}

/**
 * Deletes, a batch at a time, sessions that expired more than `days` ago (revoked ones included:
 * they expire on the same schedule). Kept that long for a "your sessions" page; a session that is
 * gone is refused just like a revoked one.
 */
export async function pruneSessions(db: DbOrTrx, days: number, batch = 1000): Promise<number> {
  const result = await db.deleteFrom('sessions').where('id', 'in', (eb) => eb.selectFrom('sessions').select('id')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day' * ${sql.lit(days)}`).limit(batch))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function insertUser(db: DbOrTrx, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values({ ...user, email: user.email.trim().toLowerCase() })
    .returningAll().executeTakeFirstOrThrow()
}

export async function updateUser(db: DbOrTrx, id: string, changes: UserUpdate): Promise<UserRow> {
  return db.updateTable('users').set({ ...changes, updated_at: sql`now()` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/**
 * Ends every session of the user at their next request. The new version alone would do it; the
 * session rows are marked revoked too, so they say truthfully which sessions are still open.
 */
export async function bumpSessionVersion(db: DbOrTrx, id: string): Promise<void> {
  await db.updateTable('users').set({ session_version: sql`session_version + 1`, updated_at: sql`now()` })
    .where('id', '=', id).execute()
  await db.updateTable('sessions').set({ revoked_at: sql`now()` })
    .where('user_id', '=', id).where('revoked_at', 'is', null).execute()
}

/** Mirrors the company's status onto its users; `signOut` also ends their sessions. */
export async function setPartnerStatus(db: DbOrTrx, partnerId: string, status: string, signOut: boolean): Promise<void> {
  await db.updateTable('users')
    .set({ partner_status: status, updated_at: sql`now()`, ...(signOut ? { session_version: sql`session_version + 1` } : {}) })
    .where('partner_id', '=', partnerId).execute()
  if (signOut) {
    await db.updateTable('sessions').set({ revoked_at: sql`now()` }).where('revoked_at', 'is', null)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('partner_id', '=', partnerId)).execute()
  }
}

export function listPartnerUsers(db: DbOrTrx, partnerId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('partner_id', '=', partnerId).orderBy('name').orderBy('id').limit(500).execute()
}

/** A company's people as `listPartnerUsers` orders them, with what deciding who may take work needs, to read inside another query. */
export function partnerPeopleQuery(db: DbOrTrx, partnerId: string) {
  return db.selectFrom('users').select(['users.id', 'users.name', 'users.email', 'users.role', 'users.permissions', 'users.status'])
    .where('users.partner_id', '=', partnerId).orderBy('users.name').orderBy('users.id').limit(sql.lit(500))
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

/**
 * The staff who may work (sign in and act): active staff by name, as one JSON value for a page loader.
 * Invited and deactivated staff are left out in the query, so former colleagues never crowd the active out of `limit`.
 */
export function activeStaffQuery(limit: number): RawBuilder<Array<{ id: string; name: string }>> {
  return sql`select to_json(array(select row_to_json(s) from (
    select id, name from users where kind = 'staff' and status = 'active' order by name, id limit ${sql.lit(limit)}) s))`
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
