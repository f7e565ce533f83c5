import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { tableFigures } from '../../core/data/table-figures.ts'
import { seedDemo } from '../../core/features/demo.ts'
import { buildTestApp, dialect, scratchDatabase } from '../helper.ts'

const root = path.resolve(import.meta.dirname, '../..')

/** `npm run portal -- …` as an operator runs it. */
function portal(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

async function figuresOf(env: Record<string, string>) {
  const database = await openDatabase({ DATABASE_URL: env.DATABASE_URL || undefined, DATA_DIR: env.DATA_DIR ?? '' })
  try {
    return await tableFigures(database.db)
  } finally {
    await database.close()
  }
}

t.test(`backup and restore on ${dialect}: every table's row count and checksum come back equal, and bad input changes nothing`, async (t) => {
  const { app, env } = await buildTestApp(t)
  t.ok((await seedDemo(app))?.length, 'the demo data is loaded')
  await app.close()
  const work = mkdtempSync(path.join(tmpdir(), 'pp-backup-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const file = path.join(work, 'portal.sql')

  const backup = await portal(['backup', file], env)
  t.equal(backup.code, 0, backup.out)
  t.match(backup.out, /^Backed up .* to .*portal\.sql \(\d+ KB\)\.\n$/)
  const again = await portal(['backup', file], env)
  t.same(again, { code: 1, out: `${file} already exists: name a new file, or remove it first.\n` }, 'an existing file is never overwritten')

  const empty: Record<string, string> = dialect === 'postgres' ? { DATABASE_URL: await scratchDatabase(t) } : { DATA_DIR: path.join(work, 'restored') }
  const restored = await portal(['restore', file], empty)
  t.equal(restored.code, 0, restored.out)
  t.match(restored.out, /^Restored .*portal\.sql into .* \(\d+ tables\)\./)

  const [original, copy] = [await figuresOf(env), await figuresOf(empty)]
  t.ok(original.size > 20, `${original.size} tables`)
  t.ok(original.get('opportunities')!.rows > 0 && original.get('users')!.rows > 0, 'with rows in them')
  t.same(Object.fromEntries(copy), Object.fromEntries(original), 'row counts and checksums equal, table by table')

  const twice = await portal(['restore', file], empty)
  t.equal(twice.code, 1)
  t.match(twice.out, /is not empty \(it has \d+ table\(s\): .*\)\. A backup is restored only into an empty database/)
  t.same(Object.fromEntries(await figuresOf(empty)), Object.fromEntries(original), 'the refused restore changed nothing')

  const notADump = path.join(work, 'notes.txt')
  writeFileSync(notADump, 'drop table users;\n')
  const [missing, notBackup, bare] = await Promise.all([
    portal(['restore', path.join(work, 'missing.sql')], empty), portal(['restore', notADump], empty), portal(['backup'], env)
  ])
  t.same(missing, { code: 1, out: `${path.join(work, 'missing.sql')} was not found.\n` })
  t.same(notBackup, { code: 1, out: 'This file is not a backup made by `npm run portal -- backup`.\n' })
  t.equal(bare.code, 1)
  t.match(bare.out, /^Give one FILE to write the backup to\.\n\nUsage:/)
})

t.test('backup on PGlite refuses a folder without a database, rather than make one', async (t) => {
  const work = mkdtempSync(path.join(tmpdir(), 'pp-backup-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const res = await portal(['backup', path.join(work, 'x.sql')], { DATA_DIR: path.join(work, 'nothing') })
  t.same(res, { code: 1, out: `There is no embedded database in ${path.join(work, 'nothing')}: nothing to back up (is DATA_DIR right?).\n` })
})

t.test('backup on PostgreSQL without pg_dump says what to install', { skip: dialect !== 'postgres' && 'needs PostgreSQL (TEST_DATABASE_URL)' }, async (t) => {
  const { env } = await buildTestApp(t)
  const work = mkdtempSync(path.join(tmpdir(), 'pp-backup-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const res = await portal(['backup', path.join(work, 'x.sql')], { ...env, PATH: work })
  t.equal(res.code, 1)
  t.match(res.out, /^pg_dump was not found on PATH\. Backing up a PostgreSQL database needs the PostgreSQL client programs/)
  t.same(readdirSync(work), [], 'and left no file behind')
})
