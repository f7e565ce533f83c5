import type { ColumnType, Generated, Selectable } from 'kysely'

type Json = ColumnType<unknown, string | null, string | null>

export interface AuditLogTable {
  id: Generated<string>
  at: Generated<Date>
  actor_id: string | null
  actor_name: string
  action: string
  entity: string
  entity_id: string | null
  partner_id: string | null
  before: Json
  after: Json
}

export type AuditRow = Selectable<AuditLogTable>

declare module '../database.ts' {
  interface Database {
    audit_log: AuditLogTable
  }
}
