import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { Invalid } from '../../core/errors.ts'
import { parseForm, Type } from '../../core/validation.ts'
import { accountColumns, accountFields, contactColumns, contactFields, toAccountFields, toContactFields } from './customers.schemas.ts'
import type { ImportError, ImportRow } from './customers.table.ts'

export const maxImportRows = 50_000

const AccountColumns = Type.Object(Object.fromEntries(accountColumns.map((column, i) =>
  [column, Object.values(accountFields)[i]!])) as Record<(typeof accountColumns)[number], ReturnType<typeof Type.String>>)
const ContactColumns = Type.Object(Object.fromEntries(contactColumns.map((column, i) =>
  [column, Object.values(contactFields)[i]!])) as Record<(typeof contactColumns)[number], ReturnType<typeof Type.String>>)

const fieldOf = (column: string) => column.replace(/^account_/, '').replace(/^contact_/, '')

function check<T>(schema: Parameters<typeof parseForm>[0], record: Record<string, string>, row: number, errors: ImportError[]): T | undefined {
  try {
    return parseForm(schema, record) as T
  } catch (err) {
    if (!(err instanceof Invalid)) throw err
    for (const [column, message] of Object.entries(err.fields)) errors.push({ line: row, field: column, message })
    return undefined
  }
}

/**
 * Reads an uploaded file: a header line naming the columns, then one row per contact (or per
 * account without contacts). Rows are numbered as a spreadsheet shows them: the header is row 1.
 */
export function checkImport(text: string): { total: number; rows: ImportRow[]; errors: ImportError[] } {
  let records: Array<Record<string, string>>
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_')),
      bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, to: maxImportRows + 1
    })
  } catch (err) {
    throw new Invalid({ file: `This is not a CSV file we can read: ${err instanceof Error ? err.message : String(err)}` })
  }
  if (records.length > maxImportRows) throw new Invalid({ file: `A file may hold at most ${maxImportRows.toLocaleString('en-US')} rows; split it into smaller files.` })
  if (records.length > 0 && !('account_name' in records[0]!)) {
    throw new Invalid({ file: `The first line must name the columns, including account_name. The columns are: ${[...accountColumns, ...contactColumns].join(', ')}.` })
  }
  const rows: ImportRow[] = []
  const errors: ImportError[] = []
  records.forEach((record, i) => {
    const row = i + 2
    if (record.country) record.country = record.country.toUpperCase()
    const before = errors.length
    const account = check<Record<(typeof accountColumns)[number], string>>(AccountColumns, record, row, errors)
    const hasContact = contactColumns.some((c) => record[c])
    const contact = hasContact ? check<Record<(typeof contactColumns)[number], string>>(ContactColumns, record, row, errors) : undefined
    if (errors.length > before || !account) return
    const accountForm = Object.fromEntries(accountColumns.map((c) => [c === 'account_name' ? 'name' : fieldOf(c), account[c]]))
    rows.push({
      line: row,
      account: toAccountFields(accountForm as Parameters<typeof toAccountFields>[0]),
      contact: contact ? toContactFields(Object.fromEntries(contactColumns.map((c) => [fieldOf(c), contact[c]])) as Parameters<typeof toContactFields>[0]) : null
    })
  })
  return { total: records.length, rows, errors }
}

/** A spreadsheet runs a cell that starts with = + - @ (or tab, CR) as a formula; an apostrophe keeps it text. */
export const neutralise = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value)
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

export function csvLines(rows: Array<Record<string, unknown>>, columns: readonly string[], header: boolean): string {
  return stringify(rows.map((r) => columns.map((c) => neutralise(r[c]))), { header, columns: [...columns] })
}
