import type { FastifyBaseLogger as Logger } from 'fastify'
import { DatabaseAvailability } from '../../data/availability.ts'
import { isDatabaseUnavailable } from '../../data/connection-errors.ts'
import type { Db, DbOrTrx } from '../../data/database.ts'
import { claimDueJob, holdClaimFor, insertJob, markJobDone, markJobFailed, markJobRetry } from './jobs.repository.ts'

/** Which run of its job a handler is in; after the last, a failing job is given up. */
export interface JobAttempt { number: number; last: boolean }

/**
 * What a handler may answer instead of throwing: this attempt failed, but what it wrote (e.g. a
 * log of the attempt) is kept, and the job runs again at `at` — its own schedule, not the runner's.
 */
export interface RetryAt { retryAt: Date; error: string }

export type JobHandler = (payload: Record<string, unknown>, trx: DbOrTrx, attempt: JobAttempt) => Promise<void | RetryAt>

/** Told of each attempt once it is committed: done, or failed (to be retried, or given up after the last). */
export type JobListener = (kind: string, outcome: 'done' | 'failed') => void

/**
 * How long a claimed job may sit without talking to the database before PostgreSQL ends its
 * transaction: the claim's lease. A runner that dies or loses its host mid-job thus frees the job
 * for another runner at the latest this long after; one that dies outright frees it at once,
 * because its connection closes and the transaction rolls back.
 */
export const jobLeaseSeconds = 300

/** The longest pause after repeated errors that are not the database being away. */
const maxBackoffMs = 60_000

/**
 * Background work claimed from PostgreSQL: each job is locked with FOR UPDATE SKIP LOCKED and
 * done inside that transaction, so any number of runners (processes or instances) share one
 * queue, a job's effects commit together with its being marked done, and a job whose runner died
 * is rolled back and done again — once — by another.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>()
  private readonly listeners: JobListener[] = []
  private readonly availability: DatabaseAvailability
  private timer: NodeJS.Timeout | undefined
  private running: Promise<number> | undefined
  private stopping = false
  private errors = 0
  private wake: (() => void) | undefined

  constructor(private readonly deps: {
    db: Db
    logger: Logger
    pollMs?: number
    availability?: DatabaseAvailability
    leaseSeconds?: number
    /** Awaited before each job: what the runner waits for so that requests go first. */
    giveWay?: () => Promise<void>
  }) {
    this.availability = deps.availability ?? new DatabaseAvailability({ db: deps.db, logger: deps.logger })
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler)
  }

  onFinished(listener: JobListener): void {
    this.listeners.push(listener)
  }

  /** `orderingKey`: jobs that share one run one after another, in the order they were queued. */
  enqueue(trx: DbOrTrx, kind: string, payload: Record<string, unknown> = {}, runAt?: Date, options: { orderingKey?: string } = {}): Promise<string> {
    return insertJob(trx, kind, payload, runAt, options.orderingKey)
  }

  /** Works through every due job, one transaction each; returns how many were done. A stop ends it after the job at hand. */
  async runDue(limit = 100): Promise<number> {
    let done = 0
    while (done < limit) {
      await this.deps.giveWay?.()
      if (!await this.runOne()) break
      done++
      if (this.stopping) break
    }
    return done
  }

  /**
   * Claims one job and runs it inside the claim's transaction. A failing handler is rolled back
   * to a savepoint and its failure recorded in the same transaction, so the job stays locked
   * until its back-off is written and no other runner retries it early.
   */
  private async runOne(): Promise<boolean> {
    const trx = await this.deps.db.startTransaction().execute()
    try {
      const job = await claimDueJob(trx, [...this.handlers.keys()])
      if (!job) {
        await trx.rollback().execute()
        return false
      }
      await holdClaimFor(trx, this.deps.leaseSeconds ?? jobLeaseSeconds)
      const attempt = await trx.savepoint('job').execute()
      let outcome: 'done' | 'failed' = 'done'
      try {
        const outcome = await this.handlers.get(job.kind)!(job.payload, attempt, { number: job.attempts + 1, last: job.attempts + 1 >= job.max_attempts })
        if (outcome) await markJobRetry(attempt, job.id, outcome.error, outcome.retryAt)
        else await markJobDone(attempt, job.id)
      } catch (err) {
        // Without its database the attempt cannot be recorded; the claim rolls back and the job
        // stays due, its attempt uncounted.
        if (isDatabaseUnavailable(err)) throw err
        const error = err instanceof Error ? err.message : String(err)
        this.deps.logger.warn({ jobId: job.id, kind: job.kind, err: error }, 'job failed')
        await attempt.rollbackToSavepoint('job').execute()
        await markJobFailed(trx, job.id, error)
        outcome = 'failed'
      }
      await trx.commit().execute()
      for (const listener of this.listeners) listener(job.kind, outcome)
      return true
    } catch (err) {
      await trx.rollback().execute().catch(() => {})
      throw err
    }
  }

  /**
   * Polls for due work. While the database is unreachable it waits for it to come back (the
   * outage is logged once, by DatabaseAvailability); other errors are logged and retried with a
   * pause that doubles up to a minute.
   */
  start(): void {
    this.stopping = false
    const pollMs = this.deps.pollMs ?? 1000
    const tick = async (): Promise<number> => {
      try {
        const done = await this.runDue()
        this.errors = 0
        return done
      } catch (err) {
        if (this.availability.noteFailure(err)) {
          await new Promise<void>((resolve) => {
            this.wake = resolve
            void this.availability.whenReachable().then(resolve)
          })
        } else {
          this.errors++
          this.deps.logger.error({ err, retryInMs: this.pauseAfterErrors(pollMs) }, 'job runner error')
        }
        return 0
      }
    }
    const loop = () => {
      this.running = tick()
      void this.running.then(() => {
        if (!this.stopping) this.timer = setTimeout(loop, this.errors ? this.pauseAfterErrors(pollMs) : pollMs)
      })
    }
    this.timer = setTimeout(loop, 0)
  }

  private pauseAfterErrors(pollMs: number): number {
    return Math.min(maxBackoffMs, pollMs * 2 ** Math.min(this.errors, 16))
  }

  /** Stops polling and waits for the job at hand to finish (its claim commits or rolls back). */
  async stop(): Promise<void> {
    this.stopping = true
    clearTimeout(this.timer)
    this.wake?.()
    await this.running
  }
}
