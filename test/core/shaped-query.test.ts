import { sql, type SqlBool } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { shapedQuery } from '../../core/data/shaped-query.ts'

const database = await openDatabase({ DATA_DIR: 'memory://' })
t.teardown(() => database.close())
const { db } = database

type Shape = { even: boolean; limit: number }
type Values = { from: number; to: number }

t.test('a shaped query is built once per shape and runs with each call’s values', async (t) => {
  let builds = 0
  const numbers = shapedQuery((db, s: Shape, v: Values) => {
    builds++
    return db.selectFrom(sql<{ n: number }>`generate_series(${v.from}::int, ${v.to}::int)`.as('n'))
      .select(sql<number>`n`.as('n'))
      .$if(s.even, (q) => q.where(sql<SqlBool>`n % 2 = 0`))
      .orderBy('n').limit(s.limit)
  })
  const run = async (shape: Shape, values: Values) => (await numbers(db, shape, values)).map((r) => r.n)

  t.same(await run({ even: false, limit: 3 }, { from: 1, to: 9 }), [1, 2, 3])
  t.same(await run({ even: false, limit: 3 }, { from: 5, to: 9 }), [5, 6, 7], 'the same shape with other values')
  t.equal(builds, 1, 'built once for that shape')
  t.same(await run({ even: true, limit: 3 }, { from: 1, to: 9 }), [2, 4, 6], 'another shape has its own text')
  t.same(await run({ even: true, limit: 2 }, { from: 1, to: 9 }), [2, 4])
  t.equal(builds, 3)
  t.same(await run({ even: true, limit: 3 }, { from: 10, to: 20 }), [10, 12, 14])
  t.equal(builds, 3, 'each shape kept')
})

t.test('a builder whose text would depend on a value is refused at its first build', async (t) => {
  const branches = shapedQuery((db, _s: { any: boolean }, v: { status: string }) =>
    db.selectFrom(sql<{ n: number }>`generate_series(1, 3)`.as('n')).select(sql<number>`n`.as('n'))
      .$if(v.status === 'open', (q) => q.where(sql<SqlBool>`n >= 2`)))
  await t.rejects(branches(db, { any: true }, { status: 'open' }), /read status without passing it as a parameter/)

  const formats = shapedQuery((db, _s: { any: boolean }, v: { word: string }) =>
    db.selectFrom(sql<{ w: string }>`(values ('a'))`.as('w')).select(sql<string>`${`%${v.word}%`}`.as('w')))
  await t.rejects(formats(db, { any: true }, { word: 'x' }), /used its value "word" in JavaScript/)
})

t.test('empty values are given to the builder as they are and name their own text', async (t) => {
  let builds = 0
  const from = shapedQuery((db, _s: Record<string, never>, v: { min?: number | null }) => {
    builds++
    return db.selectFrom(sql<{ n: number }>`generate_series(1, 4)`.as('n')).select(sql<number>`n`.as('n'))
      .$if(v.min != null, (q) => q.where(sql<SqlBool>`n >= ${v.min}`)).orderBy('n')
  })
  const run = async (values: { min?: number | null }) => (await from(db, {}, values)).map((r) => r.n)
  t.same(await run({ min: null }), [1, 2, 3, 4], 'null leaves the filter out')
  t.same(await run({ min: 3 }), [3, 4], 'a value puts it in')
  t.same(await run({}), [1, 2, 3, 4], 'a value not given is not the one given before')
  t.same(await run({ min: 2 }), [2, 3, 4])
  t.equal(builds, 3)
  await t.rejects(shapedQuery((db, _s: Record<string, never>, v: { ids: string[] }) =>
    db.selectFrom('users').select('id').where('id', 'in', v.ids))(db, {}, { ids: ['a'] }), /is a list/)
})
