import { existsSync } from 'node:fs'
import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../core/app.ts'
import { buildTestApp, createUser, dialect, testConfig, testDatabaseEnv } from './helper.ts'

async function usersNamed(app: FastifyInstance, email: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from users where email = ${email}`.execute(app.diContainer.cradle.db)
  return rows[0]!.n
}

t.test('each test database is migrated and its own: what one app writes, the next does not see', async (t) => {
  const { app: first } = await buildTestApp(t)
  await createUser(first, { email: 'only-here@example.com' })
  t.equal(await usersNamed(first, 'only-here@example.com'), 1)
  const { app: second } = await buildTestApp(t)
  t.equal(await usersNamed(second, 'only-here@example.com'), 0, 'the template was not written to')
})

t.test('a test database outlives its app until the test ends', async (t) => {
  const env = await testDatabaseEnv(t)
  const first = await buildApp(testConfig(env))
  await createUser(first, { email: 'kept@example.com' })
  await first.close()
  const again = await buildApp(testConfig(env))
  t.teardown(() => again.close())
  t.equal(await usersNamed(again, 'kept@example.com'), 1, 'reopened, it has the data')
})

t.test('a PGlite test database is removed when its test ends', { skip: dialect !== 'pglite' && 'PGlite only' }, async (t) => {
  let dataDir = ''
  await t.test('a test with a database', async (t) => {
    dataDir = (await testDatabaseEnv(t)).DATA_DIR!
    const { app } = await buildTestApp(t, {}, { dbEnv: { DATA_DIR: dataDir } })
    t.ok(await app.diContainer.cradle.db.selectFrom('users').select('id').execute())
  })
  t.ok(dataDir)
  t.notOk(existsSync(dataDir), 'its folder is gone')
})
