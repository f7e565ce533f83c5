import type { Generated } from 'kysely'

/** One-time recovery codes: only their hashes are kept, and each is good once. */
export interface RecoveryCodesTable {
  id: Generated<string>
  user_id: string
  code_hash: string
  used_at: Date | null
  created_at: Generated<Date>
}

/** Who must sign in with a second factor: 'staff', or 'partner:<id>' for a company's people. */
export interface TwoFactorRequirementsTable {
  scope: string
  required_by: string | null
  created_at: Generated<Date>
}

declare module '../../data/database.ts' {
  interface Database {
    recovery_codes: RecoveryCodesTable
    two_factor_requirements: TwoFactorRequirementsTable
  }
}
