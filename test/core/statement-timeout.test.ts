import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { coreMigrationsDir, migrateToLatest } from '../../core/data/migrator.ts'
import { ApiClient, issueKey } from '../fixtures/api.ts'
import { createActivePartner } from '../fixtures/partners.ts'
import { Agent, buildTestApp, createUser, serverUrl, testDatabaseEnv } from '../helper.ts'

if (!serverUrl) {
  t.test('statement timeout', { skip: 'needs PostgreSQL (TEST_DATABASE_URL): PGlite has no statement timeout' }, () => {})
} else {
  t.test('a page whose query runs past DATABASE_STATEMENT_TIMEOUT_MS answers 503, is logged with its route, and the rest go on', async (t) => {
    const logs: Array<{ msg: string; route?: string }> = []
    const logStream = new PassThrough()
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as typeof logs[number])
    })
    const { app, env } = await buildTestApp(t, { LOG_LEVEL: 'warn', DATABASE_STATEMENT_TIMEOUT_MS: '300' }, { logStream })
    await createUser(app, { email: 'ops@example.com', role: 'admin' })
    const staff = new Agent(app)
    await staff.signIn('ops@example.com', 'correct-horse-battery')
    const { admin } = await createActivePartner(app, 'slowco')
    const api = new ApiClient(app, (await issueKey(app, admin)).token)

    // Another session holds these tables, so every query that reads them waits past the timeout.
    const holder = new pg.Client({ connectionString: env.DATABASE_URL })
    await holder.connect()
    t.teardown(() => holder.end())
    await holder.query('begin')
    await holder.query('lock table partners, customer_accounts in access exclusive mode')

    const started = Date.now()
    const page = await staff.get('/admin/partners')
    t.equal(page.statusCode, 503, 'the page answers 503')
    t.ok(Date.now() - started < 5_000, 'after the timeout, not the lock')
    t.equal(page.headers['retry-after'], '5')
    t.match(page.body, /took too long/)
    t.match(logs.find((l) => l.msg === 'query cancelled by the statement timeout'), { route: '/admin/partners' }, 'logged with its route pattern')

    const call = await api.get('/api/v1/customers/accounts')
    t.equal(call.statusCode, 503)
    t.match(call.headers['content-type'], /application\/problem\+json/)
    t.match(call.json(), { status: 503, code: 'statement_timeout' })

    t.equal((await staff.get('/admin/staff')).statusCode, 200, 'a page that does not read the held table is served meanwhile')
    await holder.query('rollback')
    t.equal((await staff.get('/admin/partners')).statusCode, 200, 'and the page is served again once the lock is gone')
  })

  t.test('migrations run free of the statement timeout, and the connection gets it back afterwards', async (t) => {
    const { DATABASE_URL } = await testDatabaseEnv(t)
    const database = await openDatabase({ DATABASE_URL, DATA_DIR: 'unused', DATABASE_POOL_SIZE: 1, DATABASE_STATEMENT_TIMEOUT_MS: 200 })
    t.teardown(() => database.close())
    const dir = mkdtempSync(path.join(tmpdir(), 'pp-slow-migration-'))
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }')
    writeFileSync(path.join(dir, '20990101000000_slow.js'),
      "export async function up(db) { await db.selectNoFrom((eb) => eb.fn('pg_sleep', [eb.lit(0.5)]).as('slept')).execute() }\n")

    t.same(await migrateToLatest(database.db, [coreMigrationsDir, dir]), ['20990101000000_slow'], 'a migration of 500 ms runs under a 200 ms timeout')
    const late = await sql`select pg_sleep(0.5)`.execute(database.db).then(() => undefined, (err: unknown) => err)
    t.match(late, { code: '57014' }, 'the same connection cancels a slow query again afterwards')
  })
}
