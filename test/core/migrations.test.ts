import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import pg from 'pg'
import { sql } from 'kysely'
import { openDatabase, type DatabaseHandle } from '../../core/data/database.ts'
import { coreMigrationsDir, migrateToLatest } from '../../core/data/migrator.ts'
import { fixtureAddonDirs, serverUrl, withDatabase } from '../helper.ts'

const sampleMigrations = path.join(fixtureAddonDirs[0]!, 'sample', 'migrations')
const folders = [coreMigrationsDir, sampleMigrations]
const migrationNames = folders.flatMap((f) => readdirSync(f)).filter((f) => /^\d{14}_.*\.ts$/.test(f))
  .map((f) => f.replace(/\.ts$/, '')).sort()
const coreTables = ['audit_log', 'jobs', 'mail_outbox', 'sample_notes', 'sessions', 'user_tokens', 'users']

async function tables(database: DatabaseHandle): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public'`.execute(database.db)
  return rows.map((r) => r.table_name)
}

async function migratesFromEmpty(t: Test, database: DatabaseHandle): Promise<void> {
  t.same(await tables(database), [], 'the database starts empty')
  const applied = await migrateToLatest(database.db, folders)
  t.same([...applied].sort(), migrationNames, 'every migration ran, add-on ones included')
  const present = await tables(database)
  for (const table of coreTables) t.ok(present.includes(table), `${table} exists`)
  t.same(await migrateToLatest(database.db, folders), [], 'a second run applies nothing')
}

t.test('PGlite migrates from empty', async (t) => {
  const database = await openDatabase({ DATA_DIR: 'memory://' })
  t.teardown(() => database.close())
  await migratesFromEmpty(t, database)
})

t.test('PostgreSQL migrates from empty', { skip: serverUrl ? false : 'TEST_DATABASE_URL is not set' }, async (t) => {
  const name = `pp_migrate_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl!, 'postgres') })
  await admin.connect()
  await admin.query(`create database ${name} template template0`)
  t.teardown(async () => {
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  })
  const database = await openDatabase({ DATABASE_URL: withDatabase(serverUrl!, name), DATA_DIR: 'unused' })
  try {
    t.equal(database.dialect, 'postgres')
    await migratesFromEmpty(t, database)
  } finally {
    await database.close()
  }
})
