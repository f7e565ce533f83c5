import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../core/db/database.ts'
import { DataDirLockedError } from '../../core/db/data-dir-lock.ts'

t.test('a second PGlite on the same data folder is refused until the first closes', async (t) => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pp-lock-')), 'nested', 'data')
  t.teardown(() => rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true }))

  const first = await openDatabase({ DATA_DIR: dir })
  await sql`create table kept (n int)`.execute(first.db)
  await sql`insert into kept values (42)`.execute(first.db)

  let refused: unknown
  try {
    const second = await openDatabase({ DATA_DIR: dir })
    await second.close()
  } catch (err) {
    refused = err
  }
  t.type(refused, DataDirLockedError)
  t.match(refused, { message: new RegExp(`${dir}.*in use`) })
  t.equal((await sql<{ n: number }>`select n from kept`.execute(first.db)).rows[0]?.n, 42, 'the first keeps working')

  await first.close()
  const reopened = await openDatabase({ DATA_DIR: dir })
  t.equal((await sql<{ n: number }>`select n from kept`.execute(reopened.db)).rows[0]?.n, 42, 'after close a new open works and sees the data')
  await reopened.close()
})
