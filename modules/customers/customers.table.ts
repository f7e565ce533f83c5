import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

type Json<T> = ColumnType<T | null, string | null, string | null>

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
  /** The import that added the account, if one did. */
  import_id: string | null
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
  import_id: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export type ImportStatus = 'checking' | 'preview' | 'importing' | 'done' | 'failed'

/** A valid CSV row, checked: the account it names and, when the row has one, its contact. */
export interface ImportFields {
  account: AccountFields
  contact: ContactFields | null
}

/** Why a CSV row was refused: one entry per column at fault. */
export interface ImportError {
  field: string
  message: string
}

/** A checked row: its fields when valid, else its errors. Rows are numbered as a spreadsheet shows them. */
export interface CheckedLine {
  line: number
  fields: ImportFields | null
  errors: ImportError[] | null
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
  /** The file's rows, each its cells in the order of the import columns, until every row is checked. */
  records: Json<string[][]>
  checked_rows: Generated<number>
  valid_rows: Generated<number>
  imported_rows: Generated<number>
  accounts_created: Generated<number>
  contacts_created: Generated<number>
  /** The job that runs the next chunk, so that chunk can tell when it runs for the last time. */
  failure: string | null
  created_at: Generated<Date>
  started_at: Date | null
  finished_at: Date | null
}

/** A checked row waiting to be imported, or refused. */
export interface CustomerImportLinesTable {
  import_id: string
  line: number
  fields: Json<ImportFields>
  errors: Json<ImportError[]>
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

declare module '../../core/data/database.ts' {
  interface Database {
    customer_accounts: CustomerAccountsTable
    customer_contacts: CustomerContactsTable
    customer_imports: CustomerImportsTable
    customer_import_lines: CustomerImportLinesTable
  }
}
