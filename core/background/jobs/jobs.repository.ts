import { sql } from 'kysely'
import type { DbOrTrx } from '../../data/database.ts'
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

/** Records a failed attempt whose handler keeps its own schedule: due again at `at`, never given up here. */
export async function markJobRetry(db: DbOrTrx, id: string, error: string, at: Date): Promise<void> {
  await db.updateTable('jobs').set({ attempts: sql`attempts + 1`, last_error: error.slice(0, 2000), run_at: at }).where('id', '=', id).execute()
}

/** The claim's lease: PostgreSQL ends the claiming transaction after this long without a word from its runner. */
export async function holdClaimFor(trx: DbOrTrx, seconds: number): Promise<void> {
  await sql`select set_config('idle_in_transaction_session_timeout', ${`${seconds}s`}, true)`.execute(trx)
}

/** Given-up jobs, latest first, after `before` (the last shown: its time as PostgreSQL prints it, and id). */
export function listFailedJobs(db: DbOrTrx, filter: { before?: { key: string; id: string }; limit: number }) {
  let query = db.selectFrom('jobs')
    .select(['id', 'kind', 'payload', 'attempts', 'last_error', 'failed_at', 'created_at', sql<string>`failed_at::text`.as('failed_key')])
    .where('failed_at', 'is not', null)
  if (filter.before) {
    const at = sql<Date>`${filter.before.key}::timestamptz`
    const id = filter.before.id
    query = query.where((eb) => eb.or([eb('failed_at', '<', at), eb.and([eb('failed_at', '=', at), eb('id', '<', id)])]))
  }
  return query.orderBy('failed_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute()
}

/** How many jobs are due now, waiting for a retry, and given up. */
export async function jobCounts(db: DbOrTrx): Promise<{ due: number; retrying: number; failed: number }> {
  const row = await db.selectFrom('jobs').select([
    sql<number>`count(*) filter (where failed_at is null and run_at <= now() and attempts = 0)`.as('due'),
    sql<number>`count(*) filter (where failed_at is null and attempts > 0)`.as('retrying'),
    sql<number>`count(*) filter (where failed_at is not null)`.as('failed')
  ]).where('done_at', 'is', null).executeTakeFirstOrThrow()
  return { due: Number(row.due), retrying: Number(row.retrying), failed: Number(row.failed) }
}

/** Gives a given-up job one more attempt, now; false when there is no such job or it is not given up. */
export async function retryFailedJob(db: DbOrTrx, id: string): Promise<boolean> {
  const result = await db.updateTable('jobs')
    .set({ failed_at: null, run_at: sql`now()`, max_attempts: sql`attempts + 1` })
    .where('id', '=', id).where('failed_at', 'is not', null).where('done_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export interface KindFigures {
  kind: string
  due: number
  scheduled: number
  oldestDueSeconds: number
  givenUp: number
}

/** Per kind: jobs due now, waiting for a later time (retries among them), how long the oldest due one has waited, and given up. */
export async function jobFiguresByKind(db: DbOrTrx): Promise<KindFigures[]> {
  const waiting = await db.selectFrom('jobs').select([
    'kind',
    sql<number>`count(*) filter (where run_at <= now())`.as('due'),
    sql<number>`count(*) filter (where run_at > now())`.as('scheduled'),
    sql<number>`coalesce(extract(epoch from now() - min(run_at) filter (where run_at <= now())), 0)`.as('oldest')
  ]).where('done_at', 'is', null).where('failed_at', 'is', null).groupBy('kind').execute()
  const givenUp = await db.selectFrom('jobs').select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('failed_at', 'is not', null).where('done_at', 'is', null).groupBy('kind').execute()
  const figures = new Map<string, KindFigures>()
  const of = (kind: string) => figures.get(kind) ?? figures.set(kind, { kind, due: 0, scheduled: 0, oldestDueSeconds: 0, givenUp: 0 }).get(kind)!
  for (const row of waiting) Object.assign(of(row.kind), { due: Number(row.due), scheduled: Number(row.scheduled), oldestDueSeconds: Number(row.oldest) })
  for (const row of givenUp) of(row.kind).givenUp = Number(row.n)
  return [...figures.values()]
}
