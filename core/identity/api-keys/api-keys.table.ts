import type { ColumnType, Generated, Selectable } from 'kysely'
import type { StoredPermissions } from '../access.ts'

export interface ApiKeysTable {
  id: Generated<string>
  partner_id: string | null
  user_id: string
  name: string
  prefix: string
  token_hash: string
  permissions: ColumnType<StoredPermissions, string | undefined, string>
  created_at: Generated<Date>
  expires_at: Date | null
  last_used_at: Date | null
  revoked_at: Date | null
  revoked_by: string | null
}

export type ApiKeyRow = Selectable<ApiKeysTable>

declare module '../../data/database.ts' {
  interface Database {
    api_keys: ApiKeysTable
  }
}
