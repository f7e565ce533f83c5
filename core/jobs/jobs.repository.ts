import { sql } from 'kysely'
import type { DbOrTrx } from '../db/database.ts'
import type { JobRow } from './jobs.table.ts'

export async function insertJob(db: DbOrTrx, kind: string, payload: Record<string, unknown>, runAt?: Date, orderingKey?: string): Promise<string> {
  const row = await db.insertInto('jobs')
    .values({ kind, payload: JSON.stringify(payload), run_at: runAt, ordering_key: orderingKey ?? null })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

/**
 * Locks one due job for the caller's transaction; other runners skip it while it is held. A job
 * with an ordering key waits while an earlier job of that key is neither done nor given up — also
 * while that one is being run by another runner, or waits for its retry.
 */
export async function claimDueJob(trx: DbOrTrx, kinds: string[]): Promise<JobRow | undefined> {
  if (kinds.length === 0) return undefined
  return trx.selectFrom('jobs').selectAll()
    .where('done_at', 'is', null)
    .where('failed_at', 'is', null)
    .where('run_at', '<=', sql<Date>`now()`)
    .where('kind', 'in', kinds)
    .where((eb) => eb.or([
      eb('ordering_key', 'is', null),
      eb.not(eb.exists(eb.selectFrom('jobs as earlier').select('earlier.id')
        .whereRef('earlier.ordering_key', '=', 'jobs.ordering_key')
        .whereRef('earlier.seq', '<', 'jobs.seq')
        .where('earlier.done_at', 'is', null)
        .where('earlier.failed_at', 'is', null)))
    ]))
    .orderBy('run_at')
    .orderBy('seq')
    .limit(1)
    .forUpdate().skipLocked()
    .executeTakeFirst()
}

export async function markJobDone(trx: DbOrTrx, id: string): Promise<void> {
  await trx.updateTable('jobs').set({ done_at: sql`now()`, attempts: sql`attempts + 1` }).where('id', '=', id).execute()
}

/** Records a failed attempt: retry later with back-off, or give up after max_attempts. */
export async function markJobFailed(db: DbOrTrx, id: string, error: string): Promise<void> {
  await db.updateTable('jobs').set({
    attempts: sql`attempts + 1`,
    last_error: error.slice(0, 2000),
    run_at: sql`now() + make_interval(secs => 30 * power(2, attempts))`,
    failed_at: sql`case when attempts + 1 >= max_attempts then now() else null end`
  }).where('id', '=', id).execute()
}

/** The claim's lease: PostgreSQL ends the claiming transaction after this long without a word from its runner. */
export async function holdClaimFor(trx: DbOrTrx, seconds: number): Promise<void> {
  await sql`select set_config('idle_in_transaction_session_timeout', ${`${seconds}s`}, true)`.execute(trx)
}
