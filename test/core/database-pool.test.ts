import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { serverUrl, withDatabase } from '../helper.ts'

t.test('DATABASE_POOL_SIZE caps the connections an instance opens to PostgreSQL', { skip: serverUrl ? false : 'TEST_DATABASE_URL is not set' }, async (t) => {
  const name = `pp_pool_${process.pid}`
  const url = new URL(withDatabase(serverUrl!, 'postgres'))
  url.searchParams.set('application_name', name)
  const database = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: 'unused', DATABASE_POOL_SIZE: 2 })
  t.teardown(() => database.close())

  const open = () => sql<{ n: number }>`with pause as (select pg_sleep(0.15))
    select (select count(*) from pg_stat_activity where application_name = ${name})::int as n from pause`.execute(database.db)
  const seen = (await Promise.all(Array.from({ length: 6 }, open))).map((r) => r.rows[0]!.n)
  t.equal(Math.max(...seen), 2, `six queries at once share two connections (seen: ${seen.join(', ')})`)
})
