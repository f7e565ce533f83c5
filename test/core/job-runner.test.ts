import t from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../core/data/database.ts'
import { JobRunner } from '../../core/background/jobs/job-runner.ts'
import { buildTestApp, dialect } from '../helper.ts'

const { app, env } = await buildTestApp(t)
const { db } = app.diContainer.cradle
await sql`create table job_runs (n int not null, runner text not null)`.execute(db)

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('two runners over the same queue do every job exactly once', async (t) => {
  // On PostgreSQL the second runner has a pool of its own, as another instance would.
  const other = dialect === 'postgres' ? await openDatabase({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: 'unused' }) : undefined
  t.teardown(() => other?.close())
  const runners = [db, other?.db ?? db].map((runnerDb, i) => {
    const runner = new JobRunner({ db: runnerDb, logger: app.log })
    runner.register('test.record', async (payload, trx) => {
      await sql`insert into job_runs (n, runner) values (${Number(payload.n)}, ${`runner-${i}`})`.execute(trx)
      await pause(2)
    })
    return runner
  })
  for (let n = 0; n < 50; n++) await runners[0]!.enqueue(db, 'test.record', { n })

  const done = await Promise.all(runners.map((r) => r.runDue()))
  t.equal(done[0]! + done[1]!, 50, 'between them they did 50 jobs')
  if (dialect === 'postgres') t.ok(done[0]! > 0 && done[1]! > 0, `both runners took jobs (${done.join(' + ')})`)

  const runs = await sql<{ n: number; times: number }>`select n, count(*)::int as times from job_runs group by n order by n`.execute(db)
  t.equal(runs.rows.length, 50, 'every job ran')
  t.ok(runs.rows.every((r) => r.times === 1), 'and none ran twice')
  const left = await db.selectFrom('jobs').select(['done_at', 'attempts']).where('kind', '=', 'test.record').execute()
  t.ok(left.every((j) => j.done_at !== null && j.attempts === 1), 'every job is marked done after one attempt')
  t.equal(await runners[1]!.runDue(), 0, 'nothing is left to do')
})

t.test('a handler that answers its own retry time keeps what it wrote and runs again then, never given up by the runner', async (t) => {
  const runner = new JobRunner({ db, logger: app.log })
  const at = new Date(Date.now() + 3_600_000)
  runner.register('test.own-retry', async (payload, trx, attempt) => {
    await sql`insert into job_runs (n, runner) values (${Number(payload.n)}, 'own-retry')`.execute(trx)
    if (attempt.number < 6) return { retryAt: at, error: `attempt ${attempt.number} failed` }
  })
  const id = await runner.enqueue(db, 'test.own-retry', { n: 2000 })
  t.equal(await runner.runDue(), 1)
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.match(job, { attempts: 1, last_error: 'attempt 1 failed', done_at: null, failed_at: null })
  t.equal(job.run_at.getTime(), at.getTime(), 'due at the time it answered')
  t.equal((await sql`select * from job_runs where runner = 'own-retry'`.execute(db)).rows.length, 1, 'what it wrote is kept')
  for (let i = 0; i < 5; i++) {
    await db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute()
    await runner.runDue()
  }
  const after = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.match(after, { attempts: 6, failed_at: null }, 'past max_attempts, still its own schedule')
  t.ok(after.done_at, 'done once it said so')
})

t.test('a failing job keeps its error, rolls back its work and backs off', async (t) => {
  const runner = new JobRunner({ db, logger: app.log })
  const attempts: Array<{ number: number; last: boolean }> = []
  runner.register('test.fail', async (payload, trx, attempt) => {
    attempts.push(attempt)
    await sql`insert into job_runs (n, runner) values (${Number(payload.n)}, 'failing')`.execute(trx)
    throw new Error('the mail server said no')
  })
  const id = await runner.enqueue(db, 'test.fail', { n: 1000 })

  t.equal(await runner.runDue(), 1, 'the attempt counts as work done')
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(job.attempts, 1)
  t.equal(job.last_error, 'the mail server said no')
  t.equal(job.done_at, null)
  t.equal(job.failed_at, null, 'it will be retried')
  t.ok(job.run_at.getTime() > Date.now() + 20_000, 'but not before about 30 seconds')
  const work = await sql`select * from job_runs where runner = 'failing'`.execute(db)
  t.equal(work.rows.length, 0, 'what the handler wrote is rolled back')
  t.equal(await runner.runDue(), 0, 'it is not due again yet')

  await db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000), attempts: 4 }).where('id', '=', id).execute()
  t.equal(await runner.runDue(), 1)
  const last = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(last.attempts, 5)
  t.not(last.failed_at, null, 'after max_attempts it gives up')
  t.same(attempts, [{ number: 1, last: false }, { number: 5, last: true }], 'each run is told its attempt, and the last knows it is the last')
  await db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('id', '=', id).execute()
  t.equal(await runner.runDue(), 0, 'and a failed job is never claimed again')
})

t.test('a job enqueued for later waits for its time', async (t) => {
  const runner = new JobRunner({ db, logger: app.log })
  runner.register('test.later', async () => {})
  await runner.enqueue(db, 'test.later', {}, new Date(Date.now() + 60_000))
  t.equal(await runner.runDue(), 0)
})

t.test('a started runner picks up due work and stops cleanly', async (t) => {
  const runner = new JobRunner({ db, logger: app.log, pollMs: 10 })
  let runs = 0
  runner.register('test.tick', async () => {
    runs++
  })
  await runner.enqueue(db, 'test.tick')
  runner.start()
  for (let i = 0; i < 200 && runs === 0; i++) await pause(10)
  await runner.stop()
  t.equal(runs, 1, 'the started runner picked the job up')
})

t.test('a job whose runner goes silent past its lease is done again, once, by another', { skip: dialect === 'pglite' && 'PGlite has one connection and no session timeouts' }, async (t) => {
  const other = await openDatabase({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: 'unused' })
  t.teardown(() => other.close())
  const stalled = new JobRunner({ db: other.db, logger: app.log, leaseSeconds: 1 })
  stalled.register('test.lease', async (payload, trx) => {
    await sql`insert into job_runs (n, runner) values (${Number(payload.n)}, 'stalled')`.execute(trx)
    await pause(2500)
  })
  const healthy = new JobRunner({ db, logger: app.log })
  healthy.register('test.lease', async (payload, trx) => {
    await sql`insert into job_runs (n, runner) values (${Number(payload.n)}, 'healthy')`.execute(trx)
  })
  await healthy.enqueue(db, 'test.lease', { n: 7000 })

  const stalledRun = stalled.runDue(1).then(() => 'finished', (err: unknown) => err)
  await pause(300)
  t.equal(await healthy.runDue(), 0, 'while the lease holds nobody else takes the job')
  t.match(await stalledRun, { message: /terminat|not queryable|idle-in-transaction/i }, 'the silent runner loses its claim')
  t.equal(await healthy.runDue(), 1, 'then another runner takes it')
  const runs = await sql<{ runner: string }>`select runner from job_runs where n = 7000`.execute(db)
  t.same(runs.rows.map((r) => r.runner), ['healthy'], 'and it is done once: the lost claim’s work was rolled back')
})

t.test('on the embedded database a busy queue gives way to requests', { skip: dialect === 'postgres' && 'PostgreSQL serves requests and jobs on separate connections' }, async (t) => {
  const { jobs, lifecycle } = app.diContainer.cradle
  jobs.register('test.busy', async (_payload, trx) => {
    await sql`select count(*) from generate_series(1, 200000)`.execute(trx)
  })
  for (let n = 0; n < 40; n++) await jobs.enqueue(db, 'test.busy')
  const queue = jobs.runDue()
  await pause(20)
  let pendingWhenServed = -1
  for (let i = 0; i < 3; i++) {
    // A request as the app counts it: the job runner waits while one is in flight.
    lifecycle.requestStarted()
    for (let q = 0; q < 5; q++) await sql`select 1`.execute(db)
    const left = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'test.busy').where('done_at', 'is', null).executeTakeFirstOrThrow()
    lifecycle.requestEnded()
    pendingWhenServed = Number(left.n)
    await pause(5)
  }
  t.ok(pendingWhenServed > 0, `three requests of five queries each were served while jobs were still waiting (${pendingWhenServed} left)`)
  t.equal(await queue, 40, 'and the queue was worked through')
})
