import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { promisify } from 'node:util'
import pg from 'pg'
import { waitFor } from './harness.ts'

const run = promisify(execFile)

/** The cluster the suite stops and starts: RESILIENCE_PG_CLUSTER ("15 main") and RESILIENCE_PG_PORT (5432). */
export const cluster = (process.env.RESILIENCE_PG_CLUSTER ?? `${readdirSync('/etc/postgresql').sort().at(-1) ?? '15'} main`).split(/\s+/)
export const port = Number(process.env.RESILIENCE_PG_PORT ?? 5432)

export const urlOf = (database: string, applicationName?: string) =>
  `postgres://postgres@127.0.0.1:${port}/${database}${applicationName ? `?application_name=${applicationName}` : ''}`

const asRoot = (cmd: string, args: string[]) =>
  process.getuid?.() === 0 ? run(cmd, args) : run('sudo', ['-n', cmd, ...args])

/** pg_ctlcluster stop|start|restart, fast mode: connections are cut, as in a real outage or restart. */
export async function pgctl(action: 'stop' | 'start' | 'restart'): Promise<void> {
  const mode = action === 'start' ? [] : ['--mode', 'fast']
  await asRoot('pg_ctlcluster', ['--skip-systemctl-redirect', ...mode, cluster[0]!, cluster[1]!, action])
}

export async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlOf('postgres'), connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function waitReachable(timeoutMs = 30_000): Promise<boolean> {
  return (await waitFor(() => reachable(), timeoutMs, 50)) === true
}

/** Leaves PostgreSQL running whatever a scenario did to it. */
export async function ensureRunning(): Promise<void> {
  if (await reachable()) return
  await pgctl('start').catch(() => {})
  if (!(await waitReachable(30_000))) throw new Error(`PostgreSQL ${cluster.join(' ')} on port ${port} did not come back`)
}

/** Runs one statement on a connection of its own, so it works across restarts. */
export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: urlOf(database), connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return (await client.query<T>(text, params)).rows
  } finally {
    await client.end().catch(() => {})
  }
}

/** A new, empty database for one scenario; the portal migrates it and loads the demo data. */
export async function createDatabase(label: string): Promise<string> {
  const name = `pp_resilience_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`
  await query('postgres', `create database ${name}`)
  return name
}

/** Databases an interrupted earlier run could not drop (the suite has the server to itself). */
export async function dropLeftovers(): Promise<number> {
  const rows = await query<{ datname: string }>('postgres', `select datname from pg_database where datname like 'pp\\_resilience\\_%'`)
  for (const { datname } of rows) await dropDatabase(datname)
  return rows.length
}

export async function dropDatabase(name: string): Promise<void> {
  await ensureRunning()
  await query('postgres', `drop database if exists ${name} with (force)`)
}

/** Ends every backend of the portal processes on `database` (named by application_name prefix); returns how many. */
export async function terminateBackends(database: string, applicationPrefix: string): Promise<number> {
  const rows = await query<{ ok: boolean }>('postgres',
    `select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and application_name like $2 and pid <> pg_backend_pid()`,
    [database, `${applicationPrefix}%`])
  return rows.filter((r) => r.ok).length
}
