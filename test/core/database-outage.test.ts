import { PassThrough } from 'node:stream'
import t from 'tap'
import pg from 'pg'
import { sql } from 'kysely'
import { JobRunner } from '../../core/background/jobs/job-runner.ts'
import { TcpProxy } from '../fixtures/tcp-proxy.ts'
import { ApiClient, issueKey } from '../fixtures/api.ts'
import { Agent, buildTestApp, createUser, serverUrl, testDatabaseEnv } from '../helper.ts'

if (!serverUrl) {
  t.test('database outage', { skip: 'needs PostgreSQL (TEST_DATABASE_URL): PGlite runs in-process and has no connection to lose' }, () => {})
} else {
  const direct = await testDatabaseEnv(t)
  const target = new URL(direct.DATABASE_URL!)
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
  await proxy.start()
  t.teardown(() => proxy.cut())
  const proxied = new URL(target)
  proxied.port = String(proxy.port)

  const logs: Array<{ level: number; msg: string; failedRequests?: number; downForMs?: number }> = []
  const logStream = new PassThrough()
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as typeof logs[number])
  })
  const { app } = await buildTestApp(t, { LOG_LEVEL: 'info' }, { dbEnv: { DATABASE_URL: proxied.toString() }, logStream })
  const { db, availability } = app.diContainer.cradle
  const ops = await createUser(app, { email: 'ops@example.com', role: 'admin' })
  const apiClient = new ApiClient(app, (await issueKey(app, ops)).token)
  const staff = new Agent(app)
  await staff.signIn('ops@example.com', 'correct-horse-battery')
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const said = (msg: string) => logs.filter((l) => l.msg === msg)

  t.test('a connection killed while checked out fails only its own work', async (t) => {
    const admin = new pg.Client({ connectionString: direct.DATABASE_URL })
    await admin.connect()
    t.teardown(() => admin.end())
    const failure = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
      // Between two queries of a transaction nobody listens on the connection but our client.
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid])
      await pause(200)
      await sql`select 1`.execute(trx)
    }).then(() => undefined, (err: unknown) => err)
    t.match(failure, { message: /terminat|not queryable/i }, 'the transaction fails')
    t.equal((await staff.get('/admin')).statusCode, 200, 'and the next request is served on a fresh connection')
  })

  t.test('while the database is away: 503 with Retry-After, logged once; served again at once when it is back', async (t) => {
    const before = logs.length
    const runner = new JobRunner({ db, logger: app.log, pollMs: 20, availability })
    let ran = 0
    runner.register('test.outage', async () => {
      ran++
    })
    await proxy.cut()
    runner.start()
    t.teardown(() => runner.stop())

    const started = Date.now()
    const page = await staff.get('/admin')
    t.equal(page.statusCode, 503, 'a page answers 503')
    t.equal(page.headers['retry-after'], '5', 'and says when to try again')
    t.match(page.body, /cannot reach its database just now/)
    t.match(page.body, /href="\/admin">Try again</, 'with a way to try again')
    const api = await apiClient.get('/api/v1/me')
    t.equal(api.statusCode, 503)
    t.match(api.headers['content-type'], /^application\/problem\+json/)
    t.match(api.json(), { status: 503, title: 'Temporarily unavailable' })
    const write = await staff.post('/admin/staff', { email: 'new@example.com', name: 'New Person', role: 'member' })
    t.equal(write.statusCode, 503, 'a form post answers 503 too')
    const ready = await app.inject('/readyz')
    t.equal(ready.statusCode, 503)
    t.same(ready.json(), { status: 'database unreachable' })
    for (let i = 0; i < 5; i++) t.equal((await staff.get('/portal')).statusCode, 503)
    t.ok(Date.now() - started < 5000, `none of them waited long (${Date.now() - started} ms for all)`)
    t.notOk(availability.reachable)

    await pause(300)
    const during = logs.slice(before)
    t.equal(said('database unreachable: pages answer 503 until it is back').length, 1, 'the outage is logged once')
    t.equal(during.filter((l) => l.msg === 'request failed' || l.msg === 'job runner error' || l.msg === 'job failed').length, 0,
      'no stack trace per request, no job runner error per poll')

    await proxy.start()
    const back = Date.now()
    let status = 0
    while (status !== 200 && Date.now() - back < 3000) {
      status = (await staff.get('/admin')).statusCode
      if (status !== 200) await pause(20)
    }
    t.equal(status, 200, 'pages are served again')
    t.ok(Date.now() - back < 1000, `within a second of the database coming back (${Date.now() - back} ms)`)
    for (let i = 0; i < 50 && !availability.reachable; i++) await pause(20)
    const recovered = said('database reachable again')
    t.equal(recovered.length, 1, 'the return is logged once')
    t.ok((recovered[0]?.failedRequests ?? 0) >= 8, `with the count of failed requests (${recovered[0]?.failedRequests})`)
    t.equal((await app.inject('/readyz')).statusCode, 200, 'ready again')

    await runner.enqueue(db, 'test.outage')
    for (let i = 0; i < 100 && ran === 0; i++) await pause(20)
    t.equal(ran, 1, 'the job runner resumed by itself')
  })
}
