import type { Compilable, CompiledQuery } from 'kysely'
import type { DbOrTrx } from './database.ts'

/** Stands for one of a query's values while its text is built: only the query may take it, as a parameter. */
class Slot {
  constructor(readonly key: string) {}

  [Symbol.toPrimitive](): never {
    throw new Error(`A shaped query used its value "${this.key}" in JavaScript; values only go into the query as parameters`)
  }
}

/** Shapes past this many are compiled on every call instead of kept: a shape is a handful of switches, never free text. */
const shapesKept = 64

/**
 * Values of a shaped query: one scalar each (a list goes in as one array parameter, `= any(…)`),
 * read by the builder only to pass them into the query.
 */
type Values = Record<string, unknown>

/**
 * A query built and compiled by Kysely once per shape, then run with each call's values. Building a
 * long query (CTEs, filters, keyset conditions) costs more Node time than the reference page spends
 * on its whole query (bench/RESULTS.md). `shape` holds everything the text depends on (which filters
 * apply, page sizes); `build` gets stand-ins for the values, which throw if used in JavaScript, and
 * the first build of each shape checks that every value read went into the query as a parameter.
 */
export function shapedQuery<Shape extends Record<string, boolean | number | string | null>, V extends Values, Row>(
  build: (db: DbOrTrx, shape: Shape, values: V) => Compilable<Row>
): (db: DbOrTrx, shape: Shape, values: V) => Promise<Row[]> {
  const compiled = new Map<string, CompiledQuery<Row>>()

  const compile = (db: DbOrTrx, shape: Shape): CompiledQuery<Row> => {
    const read = new Set<string>()
    const slots = new Proxy({}, { get: (_target, key) => (read.add(String(key)), new Slot(String(key))) }) as V
    const query = build(db, shape, slots).compile()
    const passed = new Set(query.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.key))
    const unused = [...read].filter((key) => !passed.has(key))
    if (unused.length) throw new Error(`A shaped query read ${unused.join(', ')} without passing it as a parameter: put what the text depends on in its shape`)
    return query
  }

  return async (db, shape, values) => {
    const key = JSON.stringify(shape)
    let query = compiled.get(key)
    if (!query) {
      query = compile(db, shape)
      if (compiled.size < shapesKept) compiled.set(key, query)
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values[p.key] : p))
    return (await db.executeQuery<Row>({ ...query, parameters })).rows
  }
}
