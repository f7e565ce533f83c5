import { isId } from './validation.ts'

/** Keyset pagination: the cursor is the sort key of the last row shown, opaque to the browser. */
export interface Page<T> {
  items: T[]
  next: string | null
}

export const pageSize = 25

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor<K extends Record<string, unknown>>(cursor: unknown, fields: Record<keyof K, 'string' | 'date'>): K | undefined {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 500) return undefined
  try {
    const raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const [name, type] of Object.entries(fields)) {
      const value = raw[name]
      if (typeof value !== 'string') return undefined
      if (type === 'date') {
        const date = new Date(value)
        if (Number.isNaN(date.getTime())) return undefined
        out[name] = date
      } else out[name] = value
    }
    return out as K
  } catch {
    return undefined
  }
}

/** Rows are fetched with limit + 1; the extra row only says whether there is a next page. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => Record<string, unknown>): Page<T> {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, next: rows.length > limit && last ? encodeCursor(keyOf(last)) : null }
}

const timestampText = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/

/**
 * A cursor of a row's time as PostgreSQL prints it (`at::text`, to the microsecond: a JavaScript
 * Date's milliseconds would skip or repeat rows written within one) and its id. A tampered cursor
 * is ignored rather than sent to the database as a malformed uuid or time.
 */
export function timeCursor(cursor: unknown): { key: string; id: string } | undefined {
  const decoded = decodeCursor<{ key: string; id: string }>(cursor, { key: 'string', id: 'string' })
  return decoded && isId(decoded.id) && timestampText.test(decoded.key) ? decoded : undefined
}

/** A page of rows in order of a time (as PostgreSQL prints it, `…::text`) and id, its cursor for timeCursor. */
export function timePage<T extends { id: string }>(rows: T[], size: number, time: (row: T) => string): Page<T> {
  return toPage(rows, size, (row) => ({ key: time(row), id: row.id }))
}
