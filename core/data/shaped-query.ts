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
 * The values the builder gets as they are, which also name the shape: null, undefined, false, 0 and
 * '' — so `ownerId ? … : …` and `$if(after !== undefined, …)` build the text each call would.
 */
const givenAsIs = (value: unknown) => !value

/** Every value is named, so that a value left out and one given cannot share a text. */
const keyOf = (shape: object, values: Values) => {
  let key = JSON.stringify(shape)
  for (const name in values) key += givenAsIs(values[name]) ? `|${name}=${String(values[name])}` : `|${name}`
  return key
}

/**
 * A query built and compiled by Kysely once per shape, then run with each call's values. Building a
 * long query (CTEs, filters, keyset conditions) costs more Node time than the reference page spends
 * on its whole query (bench/RESULTS.md). `shape` holds what else the text depends on (page sizes);
 * `build` gets the values that are empty as they are and stand-ins for the others, which throw if
 * used in JavaScript, and the first build of each shape checks that every stand-in it read went into
 * the query as a parameter.
 */
export function shapedQuery<Shape extends Record<string, boolean | number | string | null>, V extends Values, Row>(
  build: (db: DbOrTrx, shape: Shape, values: V) => Compilable<Row>
): (db: DbOrTrx, shape: Shape, values: V) => Promise<Row[]> {
  const compiled = new Map<string, CompiledQuery<Row>>()

  const compile = (db: DbOrTrx, shape: Shape, values: V): CompiledQuery<Row> => {
    const read = new Set<string>()
    const slots = new Proxy(values, {
      get: (target, key: string) => {
        const value = target[key]
        if (givenAsIs(value)) return value
        if (Array.isArray(value)) throw new Error(`A shaped query's value "${key}" is a list: pass it as one array parameter (= any(…))`)
        read.add(key)
        return new Slot(key)
      }
    })
    const query = build(db, shape, slots).compile()
    const passed = new Set(query.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.key))
    const unused = [...read].filter((key) => !passed.has(key))
    if (unused.length) throw new Error(`A shaped query read ${unused.join(', ')} without passing it as a parameter: put what the text depends on in its shape`)
    return query
  }

  return async (db, shape, values) => {
    const key = keyOf(shape, values)
    let query = compiled.get(key)
    if (!query) {
      query = compile(db, shape, values)
      if (compiled.size < shapesKept) compiled.set(key, query)
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values[p.key] : p))
    return (await db.executeQuery<Row>({ ...query, parameters })).rows
  }
}
