import { Readable } from 'node:stream'
import { stringify } from 'csv-stringify/sync'
import type { FastifyReply } from 'fastify'
import type { Page } from '../lib/pagination.ts'

/** A spreadsheet runs a cell that starts with = + - @ (or tab, CR) as a formula; an apostrophe keeps it text. */
export const neutralise = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value)
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

export function csvLines(rows: Array<Record<string, unknown>>, columns: readonly string[], header: boolean): string {
  return stringify(rows.map((r) => columns.map((c) => neutralise(r[c]))), { header, columns: [...columns] })
}

/**
 * Walks every page of a keyset list, each fetched with the cursor of the page before, writing each
 * as CSV lines, so a large export never sits in memory.
 */
export function csvStream<T>(columns: readonly string[], fetch: (cursor: string | undefined) => Promise<Page<T>>,
  toRow: (item: T) => Record<string, unknown>): Readable {
  return Readable.from((async function* () {
    let cursor: string | undefined
    let first = true
    do {
      const page = await fetch(cursor)
      yield csvLines(page.items.map(toRow), columns, first)
      first = false
      cursor = page.next ?? undefined
    } while (cursor)
  })())
}

/** Sends a CSV download named after what it holds and today's date. */
export const sendCsv = (reply: FastifyReply, name: string, body: Readable) => reply
  .header('content-type', 'text/csv; charset=utf-8')
  .header('content-disposition', `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`)
  .header('cache-control', 'no-store')
  .send(body)
