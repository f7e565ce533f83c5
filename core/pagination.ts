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
