import t from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../core/data/database.ts'
import { EventBus, EventRefused } from '../../core/background/events/events.ts'
import { JobRunner } from '../../core/background/jobs/job-runner.ts'
import { buildTestApp, dialect } from '../helper.ts'

declare module '../../core/background/events/events.ts' {
  interface DomainEvents {
    'test.happened': { n: number }
    'test.removing': { n: number }
  }
}

const { app, env } = await buildTestApp(t)
const { db } = app.diContainer.cradle
await sql`create table deliveries (n int not null, subject text not null, by text not null, at timestamptz not null default clock_timestamp())`.execute(db)
await sql`create table changes (n int not null)`.execute(db)

/** A bus on a runner of its own, as each test wants its own handlers. */
function bus(runnerDb = db) {
  const jobs = new JobRunner({ db: runnerDb, logger: app.log })
  return { jobs, events: new EventBus({ jobs }) }
}
const delivered = async (subject: string) =>
  (await sql<{ n: number }>`select n from deliveries where subject = ${subject} order by at`.execute(db)).rows.map((r) => r.n)
const dueNow = (kindLike: string) => db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('kind', 'like', kindLike).where('done_at', 'is', null).execute()

t.test('an event is delivered after its transaction commits, and never when it rolls back', async (t) => {
  const { jobs, events } = bus()
  events.subscribe('test.happened', 'recorder', async (event, trx) => {
    await sql`insert into deliveries (n, subject, by) values (${event.payload.n}, ${event.subject}, 'recorder')`.execute(trx)
  })
  await db.transaction().execute((trx) => events.emit(trx, 'test.happened', 'commit-1', { n: 1 }))
  await db.transaction().execute(async (trx) => {
    await events.emit(trx, 'test.happened', 'rollback-1', { n: 2 })
    throw new Error('changed my mind')
  }).catch(() => {})
  t.same(await delivered('commit-1'), [], 'nothing is delivered inside the transaction')
  t.equal(await jobs.runDue(), 1, 'one delivery is queued')
  t.same(await delivered('commit-1'), [1], 'the committed event is delivered')
  t.same(await delivered('rollback-1'), [], 'the rolled-back one never is')
  t.equal(await jobs.runDue(), 0, 'and it is delivered once')
})

t.test('handlers in the transaction add to the change or refuse it', async (t) => {
  const { events } = bus()
  events.on('test.removing', async (event, trx) => {
    await sql`insert into changes (n) values (${event.payload.n})`.execute(trx)
  })
  events.on('test.removing', async (event) => event.payload.n > 10 ? `${event.payload.n} open deals` : undefined)
  events.on('test.removing', async (event) => event.payload.n > 20 ? 'an open case' : undefined)

  await db.transaction().execute((trx) => events.emit(trx, 'test.removing', 'r', { n: 5 }))
  t.same((await sql<{ n: number }>`select n from changes`.execute(db)).rows, [{ n: 5 }], 'a handler wrote with the change')

  const refused = await db.transaction().execute((trx) => events.emit(trx, 'test.removing', 'r', { n: 25 })).catch((err: unknown) => err)
  t.type(refused, EventRefused)
  t.same((refused as EventRefused).reasons, ['25 open deals', 'an open case'], 'every refusal is collected')
  t.same((await sql<{ n: number }>`select n from changes`.execute(db)).rows, [{ n: 5 }], 'and the refused change rolled back whole')
})

t.test('a failing delivery is retried with back-off, then left failed with its error', async (t) => {
  const { jobs, events } = bus()
  let calls = 0
  events.subscribe('test.happened', 'flaky', async () => {
    calls++
    throw new Error(`the webhook answered 500 (call ${calls})`)
  })
  await db.transaction().execute((trx) => events.emit(trx, 'test.happened', 'fail-1', { n: 1 }))
  t.equal(await jobs.runDue(), 1)
  const first = await db.selectFrom('jobs').selectAll().where('kind', '=', 'event:flaky:test.happened').executeTakeFirstOrThrow()
  t.equal(first.attempts, 1)
  t.equal(first.last_error, 'the webhook answered 500 (call 1)')
  t.ok(first.run_at.getTime() > Date.now() + 20_000, 'retried later, not at once')
  for (let i = 0; i < 4; i++) {
    await dueNow('event:flaky:%')
    await jobs.runDue()
  }
  const last = await db.selectFrom('jobs').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow()
  t.equal(calls, 5, 'five attempts in all')
  t.not(last.failed_at, null, 'then it is given up')
  t.equal(last.last_error, 'the webhook answered 500 (call 5)', 'with the last error kept')
})

t.test('one record’s events reach a subscriber in order, even when one waits for its retry', async (t) => {
  const { jobs, events } = bus()
  let failFirst = true
  events.subscribe('test.happened', 'ordered', async (event, trx) => {
    if (event.payload.n === 1 && failFirst) {
      failFirst = false
      throw new Error('not now')
    }
    await sql`insert into deliveries (n, subject, by) values (${event.payload.n}, ${event.subject}, 'ordered')`.execute(trx)
  })
  await db.transaction().execute(async (trx) => {
    await events.emit(trx, 'test.happened', 'deal-a', { n: 1 })
    await events.emit(trx, 'test.happened', 'deal-a', { n: 2 })
  })
  await db.transaction().execute((trx) => events.emit(trx, 'test.happened', 'deal-a', { n: 3 }))
  await db.transaction().execute((trx) => events.emit(trx, 'test.happened', 'deal-b', { n: 7 }))

  await jobs.runDue()
  t.same(await delivered('deal-a'), [], 'the first failed, and the ones after it wait')
  t.same(await delivered('deal-b'), [7], 'another record is not held up')
  await dueNow('event:ordered:%')
  await jobs.runDue()
  t.same(await delivered('deal-a'), [1, 2, 3], 'after the retry all three, in order')
})

t.test('two runners deliver each event once', async (t) => {
  const other = dialect === 'postgres' ? await openDatabase({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: 'unused' }) : undefined
  t.teardown(() => other?.close())
  const buses = [bus(), bus(other?.db ?? db)]
  buses.forEach(({ events }, i) => events.subscribe('test.happened', 'shared', async (event, trx) => {
    await sql`insert into deliveries (n, subject, by) values (${event.payload.n}, ${event.subject}, ${`runner-${i}`})`.execute(trx)
  }))
  await db.transaction().execute(async (trx) => {
    for (let n = 0; n < 40; n++) await buses[0]!.events.emit(trx, 'test.happened', `many-${n % 8}`, { n })
  })
  const done = await Promise.all(buses.map(({ jobs }) => jobs.runDue()))
  t.equal(done[0]! + done[1]!, 40, `between them 40 deliveries (${done.join(' + ')})`)
  const { rows } = await sql<{ n: number; times: number }>`select n, count(*)::int as times from deliveries where subject like 'many-%' group by n`.execute(db)
  t.equal(rows.length, 40, 'every event delivered')
  t.ok(rows.every((r) => r.times === 1), 'none twice')
  for (let s = 0; s < 8; s++) {
    const order = await delivered(`many-${s}`)
    t.same(order, [...order].sort((a, b) => a - b), `record many-${s} in order`)
  }
})
