import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { StoredPermissions } from '../access.ts'

export type UserKind = 'staff' | 'partner'
export type UserRole = 'admin' | 'member'
export type UserStatus = 'invited' | 'active' | 'deactivated'

export interface UsersTable {
  id: Generated<string>
  email: string
  name: string
  phone: string | null
  job_title: string | null
  password_hash: string | null
  kind: UserKind
  role: Generated<UserRole>
  partner_id: string | null
  partner_status: string | null
  permissions: ColumnType<StoredPermissions, string | undefined, string>
  status: Generated<UserStatus>
  session_version: Generated<number>
  last_sign_in_at: Date | null
  /** Two-factor sign-in (core/identity/two-factor/): on when totp_enabled_at is set. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>
  totp_enabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>
  totp_pending_secret: ColumnType<string | null, string | null | undefined, string | null>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface UserTokensTable {
  id: Generated<string>
  user_id: string
  purpose: 'invite' | 'reset'
  token_hash: string
  expires_at: Date
  used_at: Date | null
  created_at: Generated<Date>
}

/** One sign-in: the session cookie names its row, so signing out can end it on the server. */
export interface SessionsTable {
  id: Generated<string>
  user_id: string
  created_at: Generated<Date>
  last_seen_at: Generated<Date>
  expires_at: Date
  revoked_at: Date | null
  user_agent: string | null
  ip: string | null
}

export type UserRow = Selectable<UsersTable>
export type NewUser = Insertable<UsersTable>
export type UserUpdate = Updateable<UsersTable>

declare module '../../data/database.ts' {
  interface Database {
    users: UsersTable
    user_tokens: UserTokensTable
    sessions: SessionsTable
  }
}
