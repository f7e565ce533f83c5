import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { plannedEachTime } from '../../core/data/search.repository.ts'
import { serverUrl, withDatabase } from '../helper.ts'

t.test('PostgreSQL keeps each query text as one prepared statement per connection', { skip: serverUrl ? false : 'TEST_DATABASE_URL is not set' }, async (t) => {
  const database = await openDatabase({ DATABASE_URL: withDatabase(serverUrl!, 'postgres'), DATA_DIR: 'unused' })
  t.teardown(() => database.close())

  await database.db.connection().execute(async (conn) => {
    const prepared = async (text: string) =>
      (await sql<{ n: number }>`select count(*) as n from pg_prepared_statements where statement = ${text}`.execute(conn)).rows[0]!.n

    t.same((await sql<{ n: number }>`select ${1}::int + 1 as n`.execute(conn)).rows, [{ n: 2 }])
    t.same((await sql<{ n: number }>`select ${41}::int + 1 as n`.execute(conn)).rows, [{ n: 42 }], 'the same statement runs with new values')
    t.equal(await prepared('select $1::int + 1 as n'), 1, 'parsed once, kept under one name')

    await t.rejects(sql`select 1 / ${0}::int`.execute(conn), /division by zero/, 'a failing query reports the database error')
    t.same((await sql<{ n: number }>`select 6 / ${2}::int as n`.execute(conn)).rows, [{ n: 3 }], 'and the connection goes on')

    for (let i = 0; i < 220; i++) await sql.raw(`select ${i} as n`).execute(conn)
    const named = (await sql<{ n: number }>`select count(*) as n from pg_prepared_statements`.execute(conn)).rows[0]!.n
    t.ok(named <= 200, `a connection keeps at most 200 statements (has ${named})`)
    t.same((await sql.raw<{ n: number }>('select 219 as n').execute(conn)).rows, [{ n: 219 }], 'texts past the limit still run, unnamed')
  })
})

t.test('a select marked "planned each time" is never kept as a prepared statement', { skip: serverUrl ? false : 'TEST_DATABASE_URL is not set' }, async (t) => {
  const database = await openDatabase({ DATABASE_URL: withDatabase(serverUrl!, 'postgres'), DATA_DIR: 'unused' })
  t.teardown(() => database.close())
  await database.db.connection().execute(async (conn) => {
    const query = conn.selectFrom(sql<{ n: number }>`(select ${7}::int as n)`.as('x')).modifyFront(plannedEachTime).select('x.n')
    t.match(query.compile().sql, /^select \/\* planned each time \*\//)
    t.same(await query.execute(), [{ n: 7 }])
    t.same(await query.execute(), [{ n: 7 }])
    const kept = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement like ${'%planned each time%'}`.execute(conn)
    t.equal(kept.rows[0]!.n, 0)
  })
})
