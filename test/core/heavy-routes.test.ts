import { request as httpRequest } from 'node:http'
import pg from 'pg'
import t from 'tap'
import type { Test } from 'tap'
import { Gate } from '../../core/web/heavy-routes.ts'
import { Agent, buildTestApp, createUser, serverUrl } from '../helper.ts'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Queries of this database waiting for the lock the holder has on customer_accounts. pg_locks spans the
 * server, and every test database is cloned from one template, so the table has the same oid in the
 * databases other test files use at the same time: the database must be named too.
 */
async function waitingForLock(holder: pg.Client): Promise<number> {
  const { rows } = await holder.query<{ n: number }>(`select count(*)::int as n from pg_locks
    where not granted and relation = 'customer_accounts'::regclass and database = (select oid from pg_database where datname = current_database())`)
  return rows[0]!.n
}

t.test('a gate lets its limit in, queues a few in order, turns the rest away, and lets a wait run out', async (t) => {
  const gate = new Gate(1, 2, 150)
  t.equal(await gate.enter(), true, 'the first is let in')
  const order: string[] = []
  const second = gate.enter().then((ok) => order.push(`second ${ok}`))
  const third = gate.enter().then((ok) => order.push(`third ${ok}`))
  t.equal(await gate.enter(), false, 'a fourth finds the queue full and is turned away at once')
  gate.leave()
  await second
  t.same(order, ['second true'], 'the first in the queue takes the freed place')
  await third
  t.same(order, ['second true', 'third false'], 'the next gives up when its wait runs out')
  t.equal(gate.inside, 1)
  gate.leave()
  t.equal(gate.inside, 0, 'leaving with nobody waiting frees the place')
})

/**
 * An app with one place for heavy reports (waits of `waitSeconds`), a staff admin signed in, and a
 * transaction holding customer_accounts locked, so the customer reports wait inside the gate.
 */
async function withLockedCustomers(t: Test, waitSeconds: string) {
  const { app, env } = await buildTestApp(t, { HEAVY_PAGES_AT_ONCE: '1', HEAVY_PAGES_WAIT_SECONDS: waitSeconds, DATABASE_STATEMENT_TIMEOUT_MS: '0' })
  await createUser(app, { email: 'ops@example.com', role: 'admin' })
  const staff = new Agent(app)
  await staff.signIn('ops@example.com', 'correct-horse-battery')
  const holder = new pg.Client({ connectionString: env.DATABASE_URL })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('begin')
  await holder.query('lock table customer_accounts in access exclusive mode')
  return { app, staff, holder }
}

if (!serverUrl) {
  t.test('heavy staff reports under load', { skip: 'needs PostgreSQL (TEST_DATABASE_URL): PGlite has one connection, so there is no other session to hold a lock' }, () => {})
} else {
  t.test('a burst of heavy staff reports waits for a few places; other pages are served meanwhile', async (t) => {
    const { app, staff, holder } = await withLockedCustomers(t, '120')
    const first = staff.get('/admin/customers/duplicates')
    while (await waitingForLock(holder) === 0) await pause(20)

    const other = await staff.get('/admin/staff')
    t.equal(other.statusCode, 200, 'a page that is no report is served while the report waits')

    // Which of the five reaches the gate last is up to the database's answers to their session checks.
    const burst = Array.from({ length: 5 }, () => staff.get('/admin/customers/duplicates'))
    const turnedAway = await Promise.race(burst)
    const asked = Date.now()
    const stranger = await new Agent(app).get('/admin/customers/duplicates')
    const held = Date.now() - asked
    await holder.query('rollback')
    t.equal(turnedAway.statusCode, 503, 'beyond the place and its queue of four, a report is turned away')
    t.equal(stranger.statusCode, 503, 'while they are full, a report is turned away before its session is read: a signed-out request is not even sent to sign in')
    t.ok(held >= 900, `the refusal is held back a second, so a client asking again at once cannot flood the server (held ${held} ms)`)
    t.equal(turnedAway.headers['retry-after'], '5')
    t.match(turnedAway.body, /large reports are being prepared/)

    t.equal((await first).statusCode, 200, 'the report holding the place finishes once the lock is gone')
    t.same((await Promise.all(burst)).map((r) => r.statusCode).sort(), [200, 200, 200, 200, 503], 'and the four queued follow, one at a time')
  })

  t.test('a report whose client went away keeps its place while its query runs, then frees it', async (t) => {
    const { app, staff, holder } = await withLockedCustomers(t, '120')
    const origin = await app.listen({ port: 0, host: '127.0.0.1' })

    const gone = httpRequest(`${origin}/admin/customers/duplicates`, { headers: { cookie: staff.cookieHeader } })
    gone.on('error', () => {})
    gone.end()
    while (await waitingForLock(holder) === 0) await pause(20)
    gone.destroy()
    await pause(100)

    const burst = Array.from({ length: 5 }, () => staff.get('/admin/customers/duplicates'))
    const turnedAway = await Promise.race(burst)
    await holder.query('rollback')
    t.equal(turnedAway.statusCode, 503, 'its query still runs, so the place is still taken: four wait, the fifth is turned away')
    t.same((await Promise.all(burst)).map((r) => r.statusCode).sort(), [200, 200, 200, 200, 503],
      'once its query ends the place is freed, and the four waiting take it in turn')
  })

  t.test('a list heavy only when searched: its plain pages pass a full gate, a search waits for a place', async (t) => {
    const { staff, holder } = await withLockedCustomers(t, '1')
    const first = staff.get('/admin/customers/duplicates')
    while (await waitingForLock(holder) === 0) await pause(20)

    t.equal((await staff.get('/admin/opportunities?status=open')).statusCode, 200, 'a filtered page of the list is served while the one place is taken')
    t.equal((await staff.get('/admin/opportunities?q=acme')).statusCode, 503, 'a search of it waits for the place, and gives up when the wait runs out')
    t.equal((await staff.get('/admin/customers?q=acme')).statusCode, 503, 'so does a search of the customer list')
    await holder.query('rollback')
    t.equal((await first).statusCode, 200)
    t.equal((await staff.get('/admin/opportunities?q=acme')).statusCode, 200, 'with the place free the search is served')
    t.equal((await staff.get('/admin/customers')).statusCode, 200, 'the customer list\'s plain page is no report')
  })
}
