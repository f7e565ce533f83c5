import t from 'tap'
import { ConfigError, loadConfig } from '../../core/config.ts'
import { buildTestApp, dialect } from '../helper.ts'

const token = 'metrics-token-0123456789'

/** The value of one sample in Prometheus' text format, or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_0-9]+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3])
  }
  return undefined
}

t.test('metrics are off by default: nothing is kept, and the public port has no /metrics', async (t) => {
  const { app } = await buildTestApp(t)
  t.equal(app.metrics, undefined)
  t.equal((await app.inject('/metrics')).statusCode, 404)
})

t.test('METRICS_LISTEN may not be the public port', async (t) => {
  t.throws(() => loadConfig({ PORT: '3000', METRICS_LISTEN: '0.0.0.0:3000' }), new ConfigError('METRICS_LISTEN', 'uses PORT (3000): metrics are served on a listener of their own, never on the public port.'))
  t.throws(() => loadConfig({ METRICS_LISTEN: 'localhost' }), /METRICS_LISTEN/, 'a port is needed')
  t.throws(() => loadConfig({ METRICS_LISTEN: '127.0.0.1:9464', METRICS_TOKEN: 'short' }), /METRICS_TOKEN/)
  t.equal(loadConfig({ METRICS_LISTEN: '[::1]:9464' }).METRICS_LISTEN, '[::1]:9464')
})

t.test('on its own listener, with a token: requests by route pattern, the queue, deliveries, the pool and the process', async (t) => {
  const { app } = await buildTestApp(t, { METRICS_LISTEN: '127.0.0.1:0', METRICS_TOKEN: token })
  const { port } = await app.metrics!.listen()
  const url = `http://127.0.0.1:${port}/metrics`
  const scrape = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
    return res.text()
  }

  t.equal((await fetch(url)).status, 401, 'no token, no metrics')
  t.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401)
  t.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404)
  t.equal((await app.inject('/metrics')).statusCode, 404, 'never on the public port')

  const before = await scrape()
  const signinCount = () => sample(before, 'http_request_duration_seconds_count', { route: '/signin', status_code: '200' }) ?? 0
  const countBefore = signinCount()
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/signin')).statusCode, 200)
  const id = '6f1c1b36-3f7e-4a43-9b8e-2f4b1f0f7a11'
  const record = await app.inject(`/admin/partners/${id}`)
  await app.inject(`/no-such-page/${id}`)
  const after = await scrape()
  t.equal(sample(after, 'http_request_duration_seconds_count', { method: 'GET', route: '/signin', status_code: '200' }), countBefore + 3, 'the histogram counts the requests')
  t.ok(sample(after, 'http_request_duration_seconds_bucket', { route: '/signin', status_code: '200', le: '+Inf' }))
  t.ok(sample(after, 'http_request_duration_seconds_count', { route: '/admin/partners/:id', status_code: String(record.statusCode) }), 'labelled by the route pattern')
  const unmatched = (text: string) => sample(text, 'http_request_duration_seconds_count', { route: '(unmatched)', status_code: '404' })
  t.equal(unmatched(after), unmatched(before)! + 1, 'an unknown URL is counted under one label')
  t.notMatch(after, id, 'no raw URL in any label')
  t.equal(sample(after, 'http_requests_in_flight'), 0)

  const { db, jobs } = app.diContainer.cradle
  await jobs.enqueue(db, 'report.build', {})
  await jobs.enqueue(db, 'report.build', {})
  await jobs.enqueue(db, 'report.build', {}, new Date(Date.now() + 3_600_000))
  await jobs.enqueue(db, 'event:webhooks:customer.created', { subject: 'a' })
  await jobs.enqueue(db, 'event:webhooks:customer.removed', { subject: 'b' })
  let queued = await scrape()
  t.equal(sample(queued, 'portal_jobs_due', { kind: 'report.build' }), 2, 'queue depth per kind')
  t.equal(sample(queued, 'portal_jobs_scheduled', { kind: 'report.build' }), 1)
  t.ok(sample(queued, 'portal_jobs_oldest_due_seconds', { kind: 'report.build' })! >= 0)
  t.equal(sample(queued, 'portal_deliveries_pending', { channel: 'event' }), 2)
  t.equal(sample(queued, 'portal_deliveries_pending', { channel: 'mail' }), 0)

  jobs.register('event:webhooks:customer.created', async () => {})
  jobs.register('event:webhooks:customer.removed', async () => {
    throw new Error('the receiver is down')
  })
  t.equal(await jobs.runDue(), 2)
  queued = await scrape()
  t.equal(sample(queued, 'portal_deliveries_total', { channel: 'event', result: 'sent' }), 1)
  t.equal(sample(queued, 'portal_deliveries_total', { channel: 'event', result: 'failed' }), 1)
  t.equal(sample(queued, 'portal_deliveries_pending', { channel: 'event' }), 1, 'the failed one waits for its retry')
  t.equal(sample(queued, 'portal_jobs_due', { kind: 'event:webhooks:customer.created' }), undefined, 'a kind with nothing queued leaves the list')
  t.equal(sample(queued, 'portal_jobs_scheduled', { kind: 'event:webhooks:customer.removed' }), 1)
  t.equal(sample(queued, 'portal_deliveries_given_up', { channel: 'event' }), 0)

  if (dialect === 'postgres') {
    t.equal(sample(queued, 'portal_db_pool_max'), 10)
    t.ok(sample(queued, 'portal_db_pool_waiting')! >= 0, 'queries waiting for a connection (the scrape’s own may be one)')
    const inUse = (text: string) => sample(text, 'portal_db_pool_connections', { state: 'in_use' })!
    const held = await db.startTransaction().execute()
    t.ok(inUse(await scrape()) >= inUse(queued) + 1, 'a connection held by a transaction is in use')
    await held.rollback().execute()
  } else {
    t.equal(sample(queued, 'portal_db_pool_max'), undefined, 'PGlite is one connection in the process: no pool')
  }
  t.ok(sample(queued, 'process_resident_memory_bytes')! > 0, 'process memory')
  t.ok(sample(queued, 'nodejs_heap_size_used_bytes')! > 0)
  t.not(sample(queued, 'nodejs_eventloop_lag_p99_seconds'), undefined, 'event-loop delay')
})

t.test('without a token the metrics listener answers anyone who reaches it; it closes with the app', async (t) => {
  const { app } = await buildTestApp(t, { METRICS_LISTEN: '127.0.0.1:0' })
  const { port } = await app.metrics!.listen()
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200)
  await app.close()
  await t.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the listener is closed')
})
