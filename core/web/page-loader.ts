import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../data/database.ts'

/**
 * Reads what one page's widgets and panels need. Each value is a scalar subquery yielding one
 * JSON value; those asked for in the same turn of the event loop go to the database together as
 * one SELECT, and a key asked for twice is read once. A dashboard of six cards from three modules
 * costs one round trip instead of one per card — on a busy server the round trips, not the
 * queries, are most of what such a page costs (bench/RESULTS.md). The query is passed as a
 * function, built only for a key not asked for yet: cards sharing a value do not each build it.
 * Build lists inside a value with `to_json(array(select row_to_json(x) from (…) x))` rather than json_agg,
 * whose aggregate PostgreSQL sets up again on every run of the cached plan; the to_json makes it one
 * JSON text, which node parses natively (a bare json[] is read by core/data/json-array.ts with
 * JSON.parse too, not pg's parser, which walks it a character at a time, but each element twice).
 */
export type PageLoader = <T>(key: string, query: () => RawBuilder<T>) => Promise<T>

interface Pending {
  query: RawBuilder<unknown>
  resolve(value: unknown): void
  reject(err: unknown): void
}

export function createPageLoader(db: Db): PageLoader {
  const values = new Map<string, Promise<unknown>>()
  let pending: Pending[] = []

  const flush = async () => {
    const batch = pending
    pending = []
    try {
      const columns = batch.map((p, i) => sql`(${p.query}) as ${sql.ref(`v${i}`)}`)
      const { rows } = await sql<Record<string, unknown>>`select ${sql.join(columns)}`.execute(db)
      batch.forEach((p, i) => p.resolve(rows[0]![`v${i}`]))
    } catch (err) {
      for (const p of batch) p.reject(err)
    }
  }

  return <T>(key: string, query: () => RawBuilder<T>) => {
    let value = values.get(key)
    if (!value) {
      value = new Promise((resolve, reject) => {
        // setImmediate runs after every widget has started and asked for its values.
        if (pending.length === 0) setImmediate(flush)
        pending.push({ query: query(), resolve, reject })
      })
      values.set(key, value)
    }
    return value as Promise<T>
  }
}
