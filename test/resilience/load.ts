import { randomUUID } from 'node:crypto'
import { locationOf, type Answer, type Client } from './http.ts'
import { sleep } from './harness.ts'

/** A create the client sent, and what it learnt of its fate. */
export interface Write {
  /** The record's name: unique, so the database can be asked whether it was stored. */
  key: string
  /** The form's idempotency key (`_submission`), kept to send the same create again. */
  submission: string
  answer: Answer
  /** The created record's id, when the portal acknowledged the write (303 to it, or 201). */
  id?: string
  client: Client
  /** Acknowledged only when sent again after the outage. */
  resent?: boolean
}

export interface Outcome {
  op: string
  kind: 'read' | 'write'
  answer: Answer
}

/**
 * How a load client talks to the portal. Pages today; an API driver (201 from POST /api/v1/…)
 * implements the same three calls when the JSON API exists.
 */
export interface Driver {
  name: string
  read(client: Client, n: number): Promise<Outcome>
  /** Creates one record named `key` with the idempotency key `submission`. */
  write(client: Client, key: string, submission: string): Promise<{ outcome: Outcome; id?: string }>
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/** Reads and customer-account creates through the partner pages, as a signed-in browser sends them. */
export const pagesDriver: Driver = {
  name: 'pages',
  async read(client, n) {
    const paths = ['/portal', '/portal/customers', '/portal/opportunities', '/portal/opportunities/offers']
    const path = paths[n % paths.length]!
    return { op: `GET ${path}`, kind: 'read', answer: await client.get(path) }
  },
  async write(client, key, submission) {
    const answer = await client.post('/portal/customers', { name: key, industry: 'Resilience', _submission: submission })
    const location = locationOf(answer)
    const id = answer.status === 303 && location.startsWith('/portal/customers/') ? uuid.exec(location)?.[0] : undefined
    return { outcome: { op: 'POST /portal/customers', kind: 'write', answer }, id }
  }
}

export interface LoadOptions {
  clients: Client[]
  driver?: Driver
  /** Share of requests that are writes. */
  writeShare?: number
  /** Pause between one client's requests: keeps a 2-core machine shared, not saturated. */
  thinkMs?: number
  /** Prefix of every created record's name. */
  prefix: string
  /** Send each client's requests to these processes in turn (the same browser, several instances). */
  origins?: string[]
}

/** A bounded mix of reads and writes from a few clients, recording every answer with its timing. */
export class Load {
  readonly outcomes: Outcome[] = []
  readonly writes: Write[] = []
  private running = false
  private loops: Array<Promise<void>> = []
  private count = 0
  /** Requests sent and not yet answered. */
  inFlight = 0
  readonly driver: Driver

  constructor(private readonly options: LoadOptions) {
    this.driver = options.driver ?? pagesDriver
  }

  get prefix(): string {
    return this.options.prefix
  }

  start(): this {
    this.running = true
    this.loops = this.options.clients.map((client, i) => this.loop(client, i))
    return this
  }

  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.loops)
  }

  private async loop(client: Client, i: number): Promise<void> {
    let n = i
    const origins = this.options.origins
    while (this.running) {
      n++
      const to = origins ? client.at(origins[n % origins.length]!) : client
      this.inFlight++
      if ((n * 7919) % 100 < (this.options.writeShare ?? 0.3) * 100) await this.write(to)
      else this.outcomes.push(await this.driver.read(to, n))
      this.inFlight--
      await sleep(this.options.thinkMs ?? 25)
    }
  }

  /** One create; also usable on its own (after an outage, to resubmit). */
  async write(client: Client, again?: Write): Promise<Write> {
    const key = again?.key ?? `${this.options.prefix}-${String(++this.count).padStart(5, '0')}`
    const submission = again?.submission ?? randomUUID()
    const { outcome, id } = await this.driver.write(client, key, submission)
    this.outcomes.push(outcome)
    const write = { key, submission, answer: outcome.answer, id, client }
    if (!again) this.writes.push(write)
    return write
  }

  /** Answers to requests that were under way at some moment of [from, to]. */
  during(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.answer.started <= to && o.answer.ended >= from)
  }

  /** The first success (2xx/3xx) to a request sent at or after `from`. */
  firstSuccessAfter(from: number): Outcome | undefined {
    return this.outcomes.filter((o) => o.answer.started >= from && o.answer.status >= 200 && o.answer.status < 400)
      .sort((a, b) => a.answer.ended - b.answer.ended)[0]
  }
}

/** Counts by status ("200", "503", "ECONNREFUSED", …) and the slowest answer. */
export function tally(outcomes: Outcome[]): { total: number; byStatus: Record<string, number>; maxMs: number } {
  const byStatus: Record<string, number> = {}
  let maxMs = 0
  for (const { answer } of outcomes) {
    const key = answer.status ? String(answer.status) : answer.error ?? 'error'
    byStatus[key] = (byStatus[key] ?? 0) + 1
    maxMs = Math.max(maxMs, answer.ms)
  }
  return { total: outcomes.length, byStatus, maxMs }
}

export const statusText = (byStatus: Record<string, number>) =>
  Object.entries(byStatus).sort().map(([k, v]) => `${k}:${v}`).join(' ') || 'none'
