import type { Db } from '../../data/database.ts'
import { NotFound } from '../../lib/errors.ts'
import { pageSize, timePage } from '../../lib/pagination.ts'
import { jobCounts, jobFiguresByKind, listFailedJobs, retryFailedJob } from './jobs.repository.ts'

/** What staff see of the background queue: its counts, the jobs given up with their errors, and a retry. */
export class JobQueue {
  constructor(private readonly deps: { db: Db }) {}

  counts() {
    return jobCounts(this.deps.db)
  }

  /** The queue per kind of job, for the metrics. */
  byKind() {
    return jobFiguresByKind(this.deps.db)
  }

  async failed(before?: { key: string; id: string }) {
    const rows = await listFailedJobs(this.deps.db, { before, limit: pageSize + 1 })
    return timePage(rows.map((row) => ({ ...row, what: describe(row.kind, row.payload) })), pageSize, (row) => row.failed_key)
  }

  async retry(id: string): Promise<void> {
    if (!await retryFailedJob(this.deps.db, id)) throw new NotFound('The failed job')
  }
}

/** A job as staff read it: an event delivery names its event, subscriber and record. */
function describe(kind: string, payload: Record<string, unknown>): string {
  const delivery = /^event:([^:]+):(.+)$/.exec(kind)
  if (delivery) return `Delivering ${delivery[2]} of ${String(payload.subject)} to ${delivery[1]}`
  return kind
}
