import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Db, DbOrTrx } from '../db/database.ts'
import { claimDueJob, insertJob, markJobDone, markJobFailed } from './jobs.repository.ts'

/** Which run of its job a handler is in; after the last, a failing job is given up. */
export interface JobAttempt { number: number; last: boolean }

export type JobHandler = (payload: Record<string, unknown>, trx: DbOrTrx, attempt: JobAttempt) => Promise<void>

/**
 * Background work claimed from PostgreSQL: each job is locked with FOR UPDATE SKIP LOCKED and
 * done inside that transaction, so any number of runners (processes or instances) share one
 * queue and a job's effects commit together with its being marked done.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<number> | undefined
  private stopped = true

  constructor(private readonly deps: { db: Db; logger: Logger; pollMs?: number }) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler)
  }

  enqueue(trx: DbOrTrx, kind: string, payload: Record<string, unknown> = {}, runAt?: Date): Promise<string> {
    return insertJob(trx, kind, payload, runAt)
  }

  /** Works through every due job, one transaction each; returns how many were done. */
  async runDue(limit = 100): Promise<number> {
    let done = 0
    while (done < limit && await this.runOne()) done++
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
      const attempt = await trx.savepoint('job').execute()
      try {
        await this.handlers.get(job.kind)!(job.payload, attempt, { number: job.attempts + 1, last: job.attempts + 1 >= job.max_attempts })
        await markJobDone(attempt, job.id)
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err)
        this.deps.logger.warn({ jobId: job.id, kind: job.kind, err: error }, 'job failed')
        await attempt.rollbackToSavepoint('job').execute()
        await markJobFailed(trx, job.id, error)
      }
      await trx.commit().execute()
      return true
    } catch (err) {
      await trx.rollback().execute().catch(() => {})
      throw err
    }
  }

  start(): void {
    this.stopped = false
    const tick = () => {
      this.running = this.runDue().catch((err: unknown) => {
        this.deps.logger.error({ err }, 'job runner error')
        return 0
      })
      void this.running.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.deps.pollMs ?? 1000)
      })
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }
}
