import { parse } from 'csv-parse/sync'
import { Invalid } from '../../core/lib/errors.ts'
import { parseForm, Type } from '../../core/lib/validation.ts'
import { accountColumns, accountFields, contactColumns, contactFields, toAccountFields, toContactFields } from './customers.schemas.ts'
import type { CheckedLine, ImportError } from './customers.table.ts'

export const maxImportRows = 50_000

/** The columns an import reads, in the order each stored record keeps its cells. */
const importColumns = [...accountColumns, ...contactColumns]

const AccountColumns = Type.Object(Object.fromEntries(accountColumns.map((column, i) =>
  [column, Object.values(accountFields)[i]!])) as Record<(typeof accountColumns)[number], ReturnType<typeof Type.String>>)
const ContactColumns = Type.Object(Object.fromEntries(contactColumns.map((column, i) =>
  [column, Object.values(contactFields)[i]!])) as Record<(typeof contactColumns)[number], ReturnType<typeof Type.String>>)

const fieldOf = (column: string) => column.replace(/^account_/, '').replace(/^contact_/, '')

function check<T>(schema: Parameters<typeof parseForm>[0], record: Record<string, string>, errors: ImportError[]): T | undefined {
  try {
    return parseForm(schema, record) as T
  } catch (err) {
    if (!(err instanceof Invalid)) throw err
    for (const [field, message] of Object.entries(err.fields)) errors.push({ field, message })
    return undefined
  }
}

/**
 * Reads an uploaded file as far as the upload needs: a header line naming the columns, then one
 * row per contact (or per account without contacts), each returned as its cells in the order of
 * the import columns. The rows are checked later, a chunk at a time (checkRecords).
 */
export function readImport(text: string): string[][] {
  let header: string[] = []
  let records: Array<Record<string, string>>
  try {
    records = parse(text, {
      columns: (names: string[]) => (header = names.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'))),
      bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, to: maxImportRows + 1
    })
  } catch (err) {
    throw new Invalid({ file: `This is not a CSV file we can read: ${err instanceof Error ? err.message : String(err)}` })
  }
  if (records.length > maxImportRows) throw new Invalid({ file: `A file may hold at most ${maxImportRows.toLocaleString('en-US')} rows; split it into smaller files.` })
  if (!header.includes('account_name')) {
    throw new Invalid({ file: `The first line must name the columns, including account_name. The columns are: ${importColumns.join(', ')}.` })
  }
  return records.map((record) => importColumns.map((column) => record[column] ?? ''))
}

/**
 * Checks rows read by readImport as the account and contact forms would, starting with the file's
 * row at index `from`. Lines are numbered as a spreadsheet shows them: the header is line 1.
 */
export function checkRecords(records: string[][], from: number): CheckedLine[] {
  return records.map((cells, i) => {
    const line = from + i + 2
    const record = Object.fromEntries(importColumns.map((column, c) => [column, cells[c] ?? '']))
    if (record.country) record.country = record.country.toUpperCase()
    const errors: ImportError[] = []
    const account = check<Record<(typeof accountColumns)[number], string>>(AccountColumns, record, errors)
    const hasContact = contactColumns.some((c) => record[c])
    const contact = hasContact ? check<Record<(typeof contactColumns)[number], string>>(ContactColumns, record, errors) : undefined
    if (!account || errors.length) return { line, fields: null, errors }
    const accountForm = Object.fromEntries(accountColumns.map((c) => [c === 'account_name' ? 'name' : fieldOf(c), account[c]]))
    return {
      line,
      fields: {
        account: toAccountFields(accountForm as Parameters<typeof toAccountFields>[0]),
        contact: contact ? toContactFields(Object.fromEntries(contactColumns.map((c) => [fieldOf(c), contact[c]])) as Parameters<typeof toContactFields>[0]) : null
      },
      errors: null
    }
  })
}
