import { appendFileSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect } from 'kysely'
import { pgliteExtensions } from '../core/data/pglite-extensions.ts'
import { DataDirLockedError, lockDataDir, processAlive } from '../core/data/data-dir-lock.ts'
import { coreMigrationsDir, migrateToLatest } from '../core/data/migrator.ts'
import { migrationsHash } from './migrations-hash.ts'

/**
 * Test apps on PGlite each open a copy of one migrated data folder: a fresh PGlite spends seconds
 * in initdb before the first migration, a copied folder opens in a quarter of a second (and loading a
 * dumped data directory costs nearly as much as initdb). The template is built once per set of
 * migrations and PGlite version by the first test process to ask; the others wait for it.
 */
const templatesRoot = path.join(roomyShm() ?? tmpdir(), 'partner-portal-tests')

const pgliteVersion = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version
/** This file, so that a change to how the template is made makes a new one. */
const recipe = readFileSync(import.meta.filename, 'utf8')
/** A template of other migrations unused this long is removed. */
const staleTemplateMs = 60 * 60_000

let template: Promise<string> | undefined

/**
 * Copying a folder of 40 MB to a disk and removing it again cost 0.3–2 s here, to memory 0.07 s.
 * A container's /dev/shm is often 64 MB, too small for a template and its copies.
 */
function roomyShm(): string | undefined {
  try {
    const { bavail, bsize } = statfsSync('/dev/shm')
    return bavail * bsize >= 2 ** 30 ? '/dev/shm' : undefined
  } catch {
    return undefined
  }
}

/** A data folder of the test's own, holding a copy of the migrated template; removed when the test ends. */
export async function pgliteTestDataDir(t: Test): Promise<string> {
  const source = await (template ??= migratedTemplate())
  const now = new Date()
  utimesSync(source, now, now)
  const dir = mkdtempSync(path.join(templatesRoot, `copy-${process.pid}-`))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(source, path.join(dir, 'pgdata'), { recursive: true, mode: constants.COPYFILE_FICLONE })
  return dir
}

async function migratedTemplate(): Promise<string> {
  mkdirSync(templatesRoot, { recursive: true })
  const target = path.join(templatesRoot, `pglite-${migrationsHash(pgliteVersion, recipe)}`)
  // The folder appears by one rename once it is complete, so a folder that exists is whole.
  while (!existsSync(target)) {
    let lock
    try {
      lock = lockDataDir(templatesRoot)
    } catch (err) {
      if (!(err instanceof DataDirLockedError)) throw err
      await sleep(200)
      continue
    }
    try {
      if (!existsSync(target)) await build(target)
    } finally {
      lock.release()
    }
  }
  removeLeftovers(target)
  return target
}

/**
 * The template is made small and quick to open, since every test app copies and opens it: WAL in
 * 1 MB segments instead of 16, no template databases (tests on PGlite create none), and 16 MB of
 * shared buffers instead of 128, which PostgreSQL would otherwise zero at every start. A copy is
 * then 15 MB instead of 40, and opens in half the time.
 */
async function build(target: string): Promise<void> {
  const building = path.join(templatesRoot, 'building')
  rmSync(building, { recursive: true, force: true })
  mkdirSync(building)
  const pglite = new PGlite(path.join(building, 'pgdata'), { initDbStartParams: ['--wal-segsize=1'], extensions: pgliteExtensions })
  const db = new Kysely<unknown>({ dialect: new PGliteDialect({ pglite }) })
  try {
    await migrateToLatest(db, [coreMigrationsDir])
    await pglite.exec("update pg_database set datistemplate = false where datname in ('template0', 'template1')")
    await pglite.exec('drop database template0')
    await pglite.exec('drop database template1')
    await pglite.exec('checkpoint')
  } finally {
    await db.destroy()
  }
  appendFileSync(path.join(building, 'pgdata/postgresql.conf'), '\nshared_buffers = 16MB\nmax_connections = 10\n')
  renameSync(path.join(building, 'pgdata'), target)
  rmSync(building, { recursive: true, force: true })
}

/** Copies left by test processes that were killed before their teardown, and old templates. */
function removeLeftovers(current: string): void {
  for (const name of readdirSync(templatesRoot)) {
    const entry = path.join(templatesRoot, name)
    const copyOf = /^copy-(\d+)-/.exec(name)?.[1]
    const leftover = copyOf
      ? !processAlive(Number(copyOf))
      : name.startsWith('pglite-') && entry !== current && Date.now() - (statSync(entry, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > staleTemplateMs
    if (leftover) rmSync(entry, { recursive: true, force: true })
  }
}
