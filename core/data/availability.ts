import { sql } from 'kysely'
import type { FastifyBaseLogger as Logger } from 'fastify'
import { isDatabaseUnavailable } from './connection-errors.ts'
import type { Db } from './database.ts'

/**
 * Whether the database can be reached, learnt from failures rather than polled: the first failure
 * that means "unreachable" opens an outage and is logged once; a probe then asks every
 * `probeMs` until the database answers, and the outage is closed with one line that counts the
 * requests it failed. Requests never wait on this — each one still tries the database, so the
 * portal serves again as soon as it is back.
 */
export class DatabaseAvailability {
  #outage: { since: number; failedRequests: number } | undefined
  #probe: NodeJS.Timeout | undefined
  #waiters: Array<() => void> = []
  #stopped = false

  constructor(private readonly deps: { db: Db; logger: Logger; probeMs?: number }) {}

  get reachable(): boolean {
    return !this.#outage
  }

  /**
   * Takes note of a failure. True when it was the database being unreachable (answer 503); false
   * for any other error, which is the caller's to handle.
   */
  noteFailure(err: unknown, what: 'request' | 'other' = 'other'): boolean {
    if (!isDatabaseUnavailable(err)) return false
    if (!this.#outage) {
      this.#outage = { since: Date.now(), failedRequests: 0 }
      this.deps.logger.error({ reason: err instanceof Error ? err.message : String(err) },
        'database unreachable: pages answer 503 until it is back')
      this.#scheduleProbe()
    }
    if (what === 'request') this.#outage.failedRequests++
    return true
  }

  /** Resolves when the database answers again (at once when there is no outage). */
  whenReachable(): Promise<void> {
    if (!this.#outage || this.#stopped) return Promise.resolve()
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#probe)
    this.#release()
  }

  #scheduleProbe(): void {
    if (this.#stopped) return
    this.#probe = setTimeout(() => void this.#runProbe(), this.deps.probeMs ?? 250)
    this.#probe.unref()
  }

  async #runProbe(): Promise<void> {
    try {
      await sql`select 1`.execute(this.deps.db)
    } catch {
      this.#scheduleProbe()
      return
    }
    const outage = this.#outage
    if (!outage) return
    this.#outage = undefined
    this.deps.logger.info({ downForMs: Date.now() - outage.since, failedRequests: outage.failedRequests },
      'database reachable again')
    this.#release()
  }

  #release(): void {
    for (const resolve of this.#waiters.splice(0)) resolve()
  }
}
