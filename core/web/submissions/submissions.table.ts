import type { Generated } from 'kysely'

/** A form submission that created something: its one-time key and where it led. */
export interface FormSubmissionsTable {
  actor: string
  key: string
  location: string
  /** An API request's hash of what it asked for; null for a form. */
  fingerprint: string | null
  created_at: Generated<Date>
}

declare module '../../data/database.ts' {
  interface Database {
    form_submissions: FormSubmissionsTable
  }
}
