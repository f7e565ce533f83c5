import { sql, type KyselyPlugin } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { createPageLoader } from '../../core/web/page-loader.ts'

t.test('a page loader reads the values asked for together in one query, each key once', async (t) => {
  const database = await openDatabase({ DATA_DIR: 'memory://' })
  t.teardown(() => database.close())
  let queries = 0
  const counting: KyselyPlugin = { transformQuery: (args) => { queries++; return args.node }, transformResult: async (args) => args.result }
  const db = database.db.withPlugin(counting)

  const load = createPageLoader(db)
  let built = 0
  const [a, b, again, list] = await Promise.all([
    load('a', () => sql<number>`select ${2}::int * 21`),
    load('b', () => sql<{ name: string }>`select json_build_object('name', ${'Ada'}::text)`),
    load('a', () => { built++; return sql<number>`select 0` }),
    load('list', () => sql<number[] | null>`select json_agg(n) from generate_series(1, 3) n`)
  ])
  t.same([a, b, again, list], [42, { name: 'Ada' }, 42, [1, 2, 3]], 'each value, typed as JSON; a repeated key answers its first value')
  t.equal(queries, 1, 'in one round trip')
  t.equal(built, 0, 'the query of a key already asked for is not even built')

  t.equal(await load('later', () => sql<string>`select ${'next'}::text`), 'next', 'a value asked for later goes in a later query')
  t.equal(queries, 2)
  t.equal(await load('a', () => sql<number>`select 1`), 42, 'and known keys are not read again')
  t.equal(queries, 2)
})

t.test('a failing value fails every value of its query, with the database error', async (t) => {
  const database = await openDatabase({ DATA_DIR: 'memory://' })
  t.teardown(() => database.close())
  const load = createPageLoader(database.db)
  const results = await Promise.allSettled([load('ok', () => sql<number>`select 1`), load('bad', () => sql<number>`select 1 / ${0}::int`)])
  t.same(results.map((r) => r.status), ['rejected', 'rejected'])
  t.match((results[1] as PromiseRejectedResult).reason, { message: /division by zero/ })
})
