import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../core/data/database.ts'
import { DataDirLockedError } from '../../core/data/data-dir-lock.ts'

function dataDir(t: Test): string {
  const root = mkdtempSync(path.join(tmpdir(), 'pp-lock-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  return path.join(root, 'nested', 'data')
}

async function refusal(dir: string): Promise<unknown> {
  try {
    const second = await openDatabase({ DATA_DIR: dir })
    await second.close()
  } catch (err) {
    return err
  }
  return undefined
}

t.test('a second PGlite on the same data folder is refused until the first closes', async (t) => {
  const dir = dataDir(t)
  const first = await openDatabase({ DATA_DIR: dir })
  await sql`create table kept (n int)`.execute(first.db)
  await sql`insert into kept values (42)`.execute(first.db)

  const refused = await refusal(dir)
  t.type(refused, DataDirLockedError)
  t.match(refused, { message: new RegExp(`${dir}.*in use by another Partner Portal process \\(pid ${process.pid} on ${hostname()}\\)`) })
  t.equal((await sql<{ n: number }>`select n from kept`.execute(first.db)).rows[0]?.n, 42, 'the first keeps working')

  await first.close()
  const reopened = await openDatabase({ DATA_DIR: dir })
  t.notOk(reopened.tookOverLockFrom, 'a lock released on close leaves nothing to take over')
  t.equal((await sql<{ n: number }>`select n from kept`.execute(reopened.db)).rows[0]?.n, 42, 'after close a new open works and sees the data')
  await reopened.close()
})

t.test('the lock of a process that is gone is taken over at once; a live holder still stops us', async (t) => {
  const dir = dataDir(t)
  mkdirSync(dir, { recursive: true })
  const gone = spawnSync(process.execPath, ['-e', '']).pid!
  writeFileSync(`${dir}/.lock`, JSON.stringify({ pid: gone, host: hostname(), started: 1 }))
  const database = await openDatabase({ DATA_DIR: dir })
  await sql`select 1`.execute(database.db)
  t.same(database.tookOverLockFrom, { pid: gone, host: hostname(), started: 1 }, 'the dead holder is named')
  await database.close()

  // The process that started this test runs for certain, and is not this one.
  writeFileSync(`${dir}/.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), started: 1 }))
  t.match(await refusal(dir), { message: new RegExp(`pid ${process.ppid}`) }, 'a running holder on this host keeps the folder')

  writeFileSync(`${dir}/.lock`, JSON.stringify({ pid: 1, host: 'another-host', started: 1 }))
  t.type(await refusal(dir), DataDirLockedError, 'a holder on another host that keeps its lock fresh keeps the folder')
  const old = new Date(Date.now() - 60_000)
  utimesSync(`${dir}/.lock`, old, old)
  const afterSilence = await openDatabase({ DATA_DIR: dir })
  await sql`select 1`.execute(afterSilence.db)
  t.match(afterSilence.tookOverLockFrom, { host: 'another-host' }, 'and loses it once it has been silent for long')
  await afterSilence.close()
})

t.test('killed mid-write (SIGKILL), the portal opens again at once with every acknowledged write', async (t) => {
  const dir = dataDir(t)
  const writer = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/pglite-writer.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  let acknowledged = 0
  await new Promise<void>((resolve, reject) => {
    writer.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) if (line !== 'ready') acknowledged = Number(line)
      if (acknowledged >= 200) resolve()
    })
    writer.on('exit', (code) => reject(new Error(`the writer exited early (${code})`)))
  })
  writer.kill('SIGKILL')
  await new Promise((resolve) => writer.once('exit', resolve))

  const started = Date.now()
  const reopened = await openDatabase({ DATA_DIR: dir })
  t.ok(Date.now() - started < 5000, `opened without waiting for the dead lock to age (${Date.now() - started} ms)`)
  t.equal(reopened.tookOverLockFrom?.pid, writer.pid, 'the killed writer’s lock was taken over')
  const { rows } = await sql<{ n: number; count: number }>`select max(n) as n, count(*)::int as count from acknowledged`.execute(reopened.db)
  t.ok(rows[0]!.n >= acknowledged, `every acknowledged write is there (${acknowledged} acknowledged, ${rows[0]!.count} stored)`)
  t.equal(rows[0]!.count, rows[0]!.n, 'with no gap')
  await reopened.close()
})
