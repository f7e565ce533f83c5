import type { ColumnType, Generated, Selectable } from 'kysely'

export interface JobsTable {
  id: Generated<string>
  kind: string
  payload: ColumnType<Record<string, unknown>, string, string>
  run_at: ColumnType<Date, Date | undefined, Date>
  attempts: Generated<number>
  max_attempts: Generated<number>
  done_at: Date | null
  failed_at: Date | null
  last_error: string | null
  ordering_key: string | null
  seq: Generated<number>
  created_at: Generated<Date>
}

export type JobRow = Selectable<JobsTable>

declare module '../../data/database.ts' {
  interface Database {
    jobs: JobsTable
  }
}
