import type { Generated, Selectable } from 'kysely'

export type MailStatus = 'queued' | 'sent' | 'kept' | 'failed'

export interface MailOutboxTable {
  id: Generated<string>
  created_at: Generated<Date>
  to_address: string
  subject: string
  body: string
  status: Generated<MailStatus>
  sent_at: Date | null
  error: string | null
}

export type MailRow = Selectable<MailOutboxTable>

declare module '../../data/database.ts' {
  interface Database {
    mail_outbox: MailOutboxTable
  }
}
