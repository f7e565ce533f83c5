import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'

t.test('limits and offsets are written into the query text, other values stay parameters', async (t) => {
  const database = await openDatabase({ DATA_DIR: 'memory://' })
  t.teardown(() => database.close())
  const { db } = database

  const page = db.selectFrom('users').select('id').where('email', '=', 'ada@example.com').orderBy('id').limit(21).offset(40).compile()
  t.match(page.sql, / limit 21 offset 40$/)
  t.same(page.parameters, ['ada@example.com'])

  const withCte = db.with('recent', (q) => q.selectFrom('users').select('id').orderBy('created_at', 'desc').limit(5))
    .selectFrom('recent').select('id').compile()
  t.match(withCte.sql, / limit 5\)/, 'in common table expressions too')
  t.same(withCte.parameters, [])

  const plain = db.selectFrom('users').select('id').where('id', '=', '00000000-0000-0000-0000-000000000000').compile()
  t.same(plain.parameters, ['00000000-0000-0000-0000-000000000000'], 'a query without a limit is left as it is')

  t.same((await sql<{ n: number }>`select n from generate_series(1, 9) n order by n limit ${sql.lit(2)} offset ${sql.lit(3)}`.execute(db)).rows, [{ n: 4 }, { n: 5 }], 'and such queries run')
})
