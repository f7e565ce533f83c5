import Type, { type Static, type TSchema } from 'typebox'

/** The query of every list: how many, and from where (the `cursor` of the page before's `next`). */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Items per page (1–100).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'Where to go on from: the `next` cursor of the previous page.' }))
}

/** A page of a list: its items, and the cursor and link of the next page (null on the last). */
export const PageOf = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  next: Nullable(Type.String(), { description: 'The cursor of the next page; null on the last page.' }),
  nextUrl: Nullable(Type.String(), { description: 'The next page, with the same filters.' })
})

/** A response schema with what it means (the OpenAPI document's response description). */
export const described = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description })

/** The header of a create that is safe to retry. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ format: 'uuid', description: 'A UUID of your choosing: the same request sent again with it creates nothing more and answers the first result.' }))
})

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

/**
 * A string from a fixed list, as one `enum`. (A union of literals is an anyOf, which
 * fast-json-stringify settles by validating each value it writes against each branch.)
 */
export const OneOf = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

/** The schema, or null: one list of types rather than an anyOf, for the same reason as OneOf. */
export const Nullable = <T extends TSchema & { type: string }>(schema: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'], ...options })

/** A time in ISO 8601, UTC. */
export const Timestamp = Type.String({ format: 'date-time' })
export const NullableTimestamp = Nullable(Timestamp)
export const NullableString = Nullable(Type.String())
export const NullableId = Nullable(Type.String({ format: 'uuid' }))

export const PersonRef = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() })

/** Money: a decimal in a string (no floating-point error), and its currency. */
export const Money = Type.Object({
  amount: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', description: 'A decimal number, e.g. "1250.00".' }),
  currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217 code.' })
})

export const iso = (date: Date): string => date.toISOString()
export const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null)

/** The link to the next page of a list: the request's own path and query, with the cursor moved on. */
export function nextUrl(url: string, next: string | null): string | null {
  if (!next) return null
  const u = new URL(url, 'http://api.local')
  u.searchParams.set('cursor', next)
  return `${u.pathname}${u.search}`
}
