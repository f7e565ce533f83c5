import { spawn } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pgDump } from '@electric-sql/pglite-tools/pg_dump'
import pg from 'pg'
import type { Config } from '../config.ts'
import { openDatabase } from './database.ts'
import { publicTables } from './table-figures.ts'

type DatabaseConfig = Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>

/**
 * Both kinds of backup are pg_dump's plain SQL with one INSERT per 500 rows, without owners or
 * grants: a file anyone can read, restored by running it, with no client program needed.
 */
const dumpOptions = ['--no-owner', '--no-privileges', '--rows-per-insert=500']

/** Where the embedded database lives, refused when there is none (or it is only in memory). */
function embeddedFolder(config: DatabaseConfig): string {
  if (config.DATA_DIR.startsWith('memory://')) throw new Error('DATA_DIR is memory://: an in-memory database cannot be backed up or restored.')
  return path.join(config.DATA_DIR, 'pgdata')
}

/** The connection string without its password, and the password in the environment pg_dump reads. */
function forPgDump(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password)
  parsed.password = ''
  return { url: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } }
}

function runPgDump(url: string, file: string): Promise<void> {
  const target = forPgDump(url)
  return new Promise((resolve, reject) => {
    const child = spawn('pg_dump', [...dumpOptions, '--file', file, '--dbname', target.url], { env: target.env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
      ? new Error('pg_dump was not found on PATH. Backing up a PostgreSQL database needs the PostgreSQL client programs ' +
        '(e.g. apt-get install postgresql-client) of the server\'s version or newer.')
      : err))
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump failed (exit ${code}): ${stderr.trim()}`))))
  })
}

/**
 * Writes a consistent dump of the database to `file` (pg_dump reads one snapshot; the embedded
 * database is dumped while this process holds its folder, so the portal is stopped). The file
 * appears whole or not at all.
 */
export async function backup(config: DatabaseConfig, file: string): Promise<{ bytes: number }> {
  if (existsSync(file)) throw new Error(`${file} already exists: name a new file, or remove it first.`)
  const partial = `${file}.partial`
  try {
    if (config.DATABASE_URL) {
      await runPgDump(config.DATABASE_URL, partial)
    } else {
      if (!existsSync(embeddedFolder(config))) throw new Error(`There is no embedded database in ${config.DATA_DIR}: nothing to back up (is DATA_DIR right?).`)
      const database = await openDatabase(config)
      try {
        const dump = await pgDump({ pg: database.pglite!, args: dumpOptions })
        writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
      } finally {
        await database.close()
      }
    }
    renameSync(partial, file)
  } finally {
    rmSync(partial, { force: true })
  }
  return { bytes: readFileSync(file).length }
}

/**
 * pg_dump of late brackets a dump with `\restrict KEY` and `\unrestrict KEY`, commands of psql
 * rather than SQL; they are taken out (the key is random, so no data line is mistaken for them).
 */
function sqlOf(dump: string): string {
  const key = /^\\restrict (\S+)$/m.exec(dump)?.[1]
  const text = key ? dump.split('\n').filter((line) => line !== `\\restrict ${key}` && line !== `\\unrestrict ${key}`).join('\n') : dump
  if (!/^-- PostgreSQL database dump$/m.test(text)) throw new Error('This file is not a backup made by `npm run portal -- backup`.')
  return `BEGIN;\n${text}\nCOMMIT;\n`
}

const notEmpty = (where: string, tables: string[]) => new Error(
  `${where} is not empty (it has ${tables.length} table(s): ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}). ` +
  'A backup is restored only into an empty database: create a new one, or point DATA_DIR at a new folder.')

/** Runs a backup into an empty database, in one transaction: it is restored whole, or nothing changes. */
export async function restore(config: DatabaseConfig, file: string): Promise<{ tables: number }> {
  if (!existsSync(file)) throw new Error(`${file} was not found.`)
  const text = sqlOf(readFileSync(file, 'utf8'))
  if (config.DATABASE_URL) {
    const client = new pg.Client({ connectionString: config.DATABASE_URL })
    await client.connect()
    try {
      const { rows } = await client.query<{ name: string }>(
        "select relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and relkind in ('r', 'p', 'v', 'm', 'S') order by 1")
      if (rows.length) throw notEmpty(`The database at ${new URL(config.DATABASE_URL).pathname.slice(1)}`, rows.map((r) => r.name))
      await client.query(text)
      const { rows: [count] } = await client.query<{ n: number }>("select count(*)::int as n from pg_tables where schemaname = 'public'")
      return { tables: count!.n }
    } finally {
      await client.end()
    }
  }
  embeddedFolder(config)
  const database = await openDatabase(config)
  try {
    const tables = await publicTables(database.db)
    if (tables.length) throw notEmpty(`The embedded database in ${config.DATA_DIR}`, tables)
    await database.pglite!.exec(text)
    return { tables: (await publicTables(database.db)).length }
  } finally {
    await database.close()
  }
}
