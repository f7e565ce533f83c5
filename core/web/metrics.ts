import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { KindFigures } from '../background/jobs/jobs.repository.ts'
import type { PoolFigures } from '../data/database.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Present when METRICS_LISTEN is set. */
    metrics?: PortalMetrics
  }
}

/** The label of requests no route matched: their URLs are not labels, or any scanner would add a series per probe. */
const unmatched = '(unmatched)'

/** Which delivery a job kind is: events to their subscribers, mail from the outbox. */
const channelOf = (kind: string) => (kind.startsWith('event:') ? 'event' : kind === 'mail.deliver' ? 'mail' : undefined)

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * One portal's metrics in a registry of its own (never prom-client's global one: a process may
 * build several apps), served on a listener apart from the public port.
 */
export class PortalMetrics {
  readonly registry = new Registry()
  #server: Server | undefined

  constructor(private readonly options: { listen: string; token?: string }) {}

  /** Starts the metrics listener at METRICS_LISTEN; resolves with where it listens. */
  async listen(): Promise<AddressInfo> {
    const split = this.options.listen.lastIndexOf(':')
    const host = this.options.listen.slice(0, split).replace(/^\[(.*)\]$/, '$1')
    const port = Number(this.options.listen.slice(split + 1))
    const expected = this.options.token ? digest(`Bearer ${this.options.token}`) : undefined
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n')
        return
      }
      if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
        response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('A bearer token is needed (METRICS_TOKEN)\n')
        return
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`)
      )
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    this.#server = server
    return server.address() as AddressInfo
  }

  async close(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    await new Promise((resolve) => server.close(resolve))
  }
}

export interface MetricsOptions {
  listen: string
  token?: string
  /** The job queue per kind (from the database: the same on every instance). */
  queue: () => Promise<KindFigures[]>
  /** Registers a listener told of each job attempt this process commits. */
  onJobFinished: (listener: (kind: string, outcome: 'done' | 'failed') => void) => void
  pool?: () => PoolFigures
}

/**
 * Request durations by route pattern and status, requests in flight, the job queue, event and
 * mail deliveries, the database pool, and Node's own figures (memory, event-loop delay, GC).
 */
export default fp<MetricsOptions>(async (app, options) => {
  const metrics = new PortalMetrics({ listen: options.listen, token: options.token })
  const registers = [metrics.registry]
  collectDefaultMetrics({ register: metrics.registry })

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its response sent, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers
  })
  const inFlight = new Gauge({ name: 'http_requests_in_flight', help: 'Requests being answered now.', registers })
  app.addHook('onRequest', (_request, _reply, done) => {
    inFlight.inc()
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    inFlight.dec()
    duration.observe({ method: request.method, route: request.routeOptions.url ?? unmatched, status_code: reply.statusCode }, reply.elapsedTime / 1000)
    done()
  })

  const deliveries = new Counter({
    name: 'portal_deliveries_total',
    help: 'Event and e-mail delivery attempts this process made, by result (a failed one is retried until its last attempt; mail kept in the outbox without SMTP_URL counts as sent).',
    labelNames: ['channel', 'result'] as const,
    registers
  })
  options.onJobFinished((kind, outcome) => {
    const channel = channelOf(kind)
    if (channel) deliveries.inc({ channel, result: outcome === 'done' ? 'sent' : 'failed' })
  })

  // The queue is read once per scrape, by whichever of its gauges asks first (they are collected together).
  type Kinds = Awaited<ReturnType<MetricsOptions['queue']>>
  let reading: Promise<Kinds | undefined> | undefined
  const readQueue = () => reading ??= options.queue()
    .catch((err: unknown) => {
      app.log.warn({ err }, 'metrics: the job queue could not be read')
      return undefined
    })
    .finally(() => {
      reading = undefined
    })
  const fromQueue = (name: string, help: string, label: 'kind' | 'channel', values: (kinds: Kinds) => Array<[string, number]>) => new Gauge({
    name, help, labelNames: [label], registers,
    async collect() {
      const kinds = await readQueue()
      this.reset()
      for (const [value, figure] of kinds ? values(kinds) : []) this.set({ [label]: value }, figure)
    }
  })
  const perKind = (figure: (k: Kinds[number]) => number) => (kinds: Kinds) => kinds.map((k): [string, number] => [k.kind, figure(k)])
  const perChannel = (figure: (k: Kinds[number]) => number) => (kinds: Kinds) => ['event', 'mail'].map((channel): [string, number] =>
    [channel, kinds.filter((k) => channelOf(k.kind) === channel).reduce((sum, k) => sum + figure(k), 0)])
  fromQueue('portal_jobs_due', 'Jobs due now and not yet done, by kind.', 'kind', perKind((k) => k.due))
  fromQueue('portal_jobs_scheduled', 'Jobs waiting for a later time (retries among them), by kind.', 'kind', perKind((k) => k.scheduled))
  fromQueue('portal_jobs_oldest_due_seconds', 'How long the oldest due job of a kind has waited.', 'kind', perKind((k) => k.oldestDueSeconds))
  fromQueue('portal_jobs_given_up', 'Jobs given up after their last attempt, waiting for staff to retry them, by kind.', 'kind', perKind((k) => k.givenUp))
  fromQueue('portal_deliveries_pending', 'Event and e-mail deliveries queued and not yet done (due, or waiting to be retried).', 'channel', perChannel((k) => k.due + k.scheduled))
  fromQueue('portal_deliveries_given_up', 'Event and e-mail deliveries given up after their last attempt.', 'channel', perChannel((k) => k.givenUp))

  const pool = options.pool
  if (pool) {
    new Gauge({ name: 'portal_db_pool_max', help: 'Connections the pool may open (DATABASE_POOL_SIZE).', registers, collect() { this.set(pool().max) } })
    new Gauge({
      name: 'portal_db_pool_connections', help: 'Open pool connections, in use or idle.', labelNames: ['state'] as const, registers,
      collect() {
        const figures = pool()
        this.set({ state: 'in_use' }, figures.inUse)
        this.set({ state: 'idle' }, figures.idle)
      }
    })
    new Gauge({ name: 'portal_db_pool_waiting', help: 'Queries waiting for a pool connection.', registers, collect() { this.set(pool().waiting) } })
  }

  app.decorate('metrics', metrics)
  app.addHook('onClose', () => metrics.close())
})
