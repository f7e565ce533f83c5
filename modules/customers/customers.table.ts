import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

type Json<T> = ColumnType<T, string, string>

export interface CustomerAccountsTable {
  id: Generated<string>
  partner_id: string
  owner_id: string | null
  name: string
  name_key: string
  domain: string | null
  website: string | null
  phone: string | null
  address: string | null
  city: string | null
  postal_code: string | null
  country: string | null
  industry: string | null
  primary_contact_id: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface CustomerContactsTable {
  id: Generated<string>
  partner_id: string
  account_id: string | null
  owner_id: string | null
  first_name: string
  last_name: string
  email: string | null
  phone: string | null
  job_title: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export type ImportStatus = 'preview' | 'queued' | 'done'

/** One CSV line, checked: the account it names and, when the line has one, its contact. */
export interface ImportRow {
  line: number
  account: AccountFields
  contact: ContactFields | null
}

export interface ImportError {
  line: number
  field: string
  message: string
}

export interface CustomerImportsTable {
  id: Generated<string>
  partner_id: string
  created_by: string | null
  created_by_name: string
  file_name: string
  status: Generated<ImportStatus>
  only_valid: Generated<boolean>
  total_rows: number
  rows: Json<ImportRow[]>
  errors: Json<ImportError[]>
  accounts_created: Generated<number>
  contacts_created: Generated<number>
  created_at: Generated<Date>
  started_at: Date | null
  finished_at: Date | null
}

/** What a person enters for an account; the rest (ids, owner, name key) the service decides. */
export type AccountFields = Pick<CustomerAccountsTable,
  'name' | 'domain' | 'website' | 'phone' | 'address' | 'city' | 'postal_code' | 'country' | 'industry'>

export type ContactFields = Pick<CustomerContactsTable, 'first_name' | 'last_name' | 'email' | 'phone' | 'job_title'>

export type AccountRow = Selectable<CustomerAccountsTable>
export type AccountInsert = Insertable<CustomerAccountsTable>
export type ContactRow = Selectable<CustomerContactsTable>
export type ContactInsert = Insertable<CustomerContactsTable>
export type ImportRecord = Selectable<CustomerImportsTable>

declare module '../../core/db/database.ts' {
  interface Database {
    customer_accounts: CustomerAccountsTable
    customer_contacts: CustomerContactsTable
    customer_imports: CustomerImportsTable
  }
}
