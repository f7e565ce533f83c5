import pg from 'pg'
import { openDatabase, type DatabaseHandle } from '../core/data/database.ts'
import { coreMigrationsDir, migrateToLatest } from '../core/data/migrator.ts'
import { defaultBenchUrl } from './bench-partner.ts'

/** A bench database of its own beside DATABASE_URL's (default pp_bench): its name with `_suffix` (pp_bench_10000, pp_bench_soak). */
export function benchUrl(suffix: string): string {
  const url = new URL(process.env.DATABASE_URL ?? defaultBenchUrl)
  url.pathname = `${url.pathname}_${suffix}`
  return url.toString()
}

function split(url: string): { server: string; name: string } {
  const parsed = new URL(url)
  const name = decodeURIComponent(parsed.pathname.slice(1))
  parsed.pathname = '/postgres'
  return { server: parsed.toString(), name }
}

/**
 * Starts the bench database from empty. Only a database with "bench" in its name is dropped,
 * so a mistyped DATABASE_URL cannot wipe the test or development data.
 */
export async function recreateDatabase(url: string): Promise<void> {
  const { server, name } = split(url)
  if (!name.includes('bench')) throw new Error(`Refusing to recreate "${name}": the bench database's name must contain "bench".`)
  const client = new pg.Client({ connectionString: server })
  await client.connect()
  try {
    const quoted = client.escapeIdentifier(name)
    await client.query(`drop database if exists ${quoted} with (force)`)
    await client.query(`create database ${quoted}`)
  } finally {
    await client.end()
  }
}

export async function openMigrated(url: string): Promise<DatabaseHandle> {
  const handle = await openDatabase({ DATABASE_URL: url, DATA_DIR: '' })
  await migrateToLatest(handle.db, [coreMigrationsDir])
  return handle
}

/** The first value of a query's first row, read on a connection of its own. */
export async function firstValue(url: string, query: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return String(Object.values((await client.query(query)).rows[0] as object)[0])
  } finally {
    await client.end()
  }
}
