import type { FastifyBaseLogger as Logger } from 'fastify'
import type { Db, DbOrTrx } from '../db/database.ts'
import { claimDueJob, insertJob, markJobDone, markJobFailed } from './jobs.repository.ts'

export type JobHandler = (payload: Record<string, unknown>, trx: DbOrTrx) => Promise<void>

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

  private async runOne(): Promise<boolean> {
    const kinds = [...this.handlers.keys()]
    let failed: { id: string; error: string } | undefined
    const claimed = await this.deps.db.transaction().execute(async (trx) => {
      const job = await claimDueJob(trx, kinds)
      if (!job) return false
      try {
        await this.handlers.get(job.kind)!(job.payload, trx)
        await markJobDone(trx, job.id)
      } catch (err) {
        failed = { id: job.id, error: err instanceof Error ? err.message : String(err) }
        throw err
      }
      return true
    }).catch((err: unknown) => {
      if (!failed) throw err
      return true
    })
    if (failed) {
      this.deps.logger.warn({ jobId: failed.id, err: failed.error }, 'job failed')
      await markJobFailed(this.deps.db, failed.id, failed.error)
    }
    return claimed
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
