import type { Generated } from 'kysely'

/** A form submission that created something: its one-time key and where it led. */
export interface FormSubmissionsTable {
  actor: string
  key: string
  location: string
  created_at: Generated<Date>
}

declare module '../../data/database.ts' {
  interface Database {
    form_submissions: FormSubmissionsTable
  }
}
