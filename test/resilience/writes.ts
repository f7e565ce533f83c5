import { PGlite } from '@electric-sql/pglite'
import type { Context } from './harness.ts'
import type { Client } from './http.ts'
import type { Load, Write } from './load.ts'
import { query } from './postgres.ts'

export interface StoredRow { id: string; name: string }

/** The customer accounts the load created (their names start with `prefix`), straight from PostgreSQL. */
export const storedOnPostgres = (database: string) => (prefix: string) =>
  query<StoredRow>(database, 'select id::text as id, name from customer_accounts where name like $1', [`${prefix}%`])

/** The same from a PGlite folder, opened here while no portal holds it. */
export async function queryPglite<T>(dataDir: string, text: string, params: unknown[] = []): Promise<T[]> {
  const db = new PGlite(`${dataDir}/pgdata`)
  try {
    return (await db.query<T>(text, params)).rows
  } finally {
    await db.close()
  }
}

export const storedOnPglite = (dataDir: string) => (prefix: string) =>
  queryPglite<StoredRow>(dataDir, 'select id::text as id, name from customer_accounts where name like $1', [`${prefix}%`])

/** Whether the create form carries the idempotency key, so a create may safely be sent again. */
export async function formHasSubmissionKey(client: Client): Promise<boolean> {
  const page = await client.get('/portal/customers/new')
  return /name="_submission"/.test(page.body)
}

/**
 * Sends every create that was not acknowledged again with its own idempotency key (only when the
 * form has one: without it a resend could store the record twice), from the same browser, to
 * `origin` when given (the process that replaced a dead one). Returns how many were resent and
 * how many of those the portal acknowledged.
 */
export async function resubmitUnacknowledged(load: Load, origin?: string): Promise<{ resent: number; acknowledged: number }> {
  let acknowledged = 0
  const pending = load.writes.filter((w) => !w.id)
  for (const write of pending) {
    const again = await load.write(origin ? write.client.at(origin) : write.client, write)
    if (again.id) {
      write.id = again.id
      write.resent = true
      acknowledged++
    }
  }
  return { resent: pending.length, acknowledged }
}

/**
 * Figures and checks of one load's writes against what the database holds: every acknowledged
 * write stored under the id it was acknowledged with, none lost, none stored twice.
 * `storedBefore`: how many unanswered creates the database held before any was sent again.
 */
export function checkWrites(ctx: Context, writes: Write[], rows: StoredRow[], storedBefore?: number): void {
  const byName = new Map<string, StoredRow[]>()
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row])
  const acknowledged = writes.filter((w) => w.id && !w.resent)
  const lost = acknowledged.filter((w) => !(byName.get(w.key) ?? []).some((r) => r.id === w.id))
  const unacknowledged = writes.filter((w) => !w.id || w.resent)
  const storedAnyway = unacknowledged.filter((w) => byName.has(w.key) && !w.resent)
  const duplicates = [...byName.values()].filter((r) => r.length > 1)
  ctx.figures('writes', {
    sent: writes.length, acknowledged: acknowledged.length, stored: acknowledged.length - lost.length, lost: lost.length,
    unacknowledged: unacknowledged.length, 'of them stored all the same': storedBefore ?? (writes.some((w) => w.resent) ? 'not known' : storedAnyway.length),
    'acknowledged when sent again': writes.filter((w) => w.resent).length, 'stored twice': duplicates.length
  })
  ctx.check('no acknowledged write lost', lost.length === 0, lost.length ? `lost: ${lost.slice(0, 5).map((w) => `${w.key} ${w.id}`).join(', ')}` : `${acknowledged.length} acknowledged, all stored`)
  ctx.check('no record stored twice', duplicates.length === 0, duplicates.length ? duplicates.slice(0, 3).map((d) => `${d[0]!.name} x${d.length}`).join(', ') : '')
  const resent = writes.filter((w) => w.resent)
  if (resent.length) {
    // Stored once, and the resend led to that record (for a create whose first answer was lost, the first one's).
    const notOne = resent.filter((w) => (byName.get(w.key) ?? []).length !== 1 || byName.get(w.key)![0]!.id !== w.id)
    ctx.check('a create sent again with its key is stored exactly once, and the answer leads to it', notOne.length === 0,
      `${resent.length} resent${storedBefore === undefined ? '' : ` (${storedBefore} of them had been stored before)`}, ${notOne.length} not stored exactly once`)
  }
}
