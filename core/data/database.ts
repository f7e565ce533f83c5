import { mkdirSync } from 'node:fs'
import { Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import type { Config } from '../config.ts'
import { lockDataDir, type DataDirLock, type LockHolder } from './data-dir-lock.ts'
import { InlineLimitsPlugin } from './inline-limits.ts'
import { jsonArrayType, parseJsonArray } from './json-array.ts'
import { PreparedClient } from './prepared-client.ts'
import { pgliteExtensions } from './pglite-extensions.ts'

/**
 * The whole schema. Each module adds its own tables to this interface from its `*.table.ts`
 * (declaration merging), so core never imports a module to know its tables.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database {}

export type Db = Kysely<Database>
export type DbOrTrx = Kysely<Database> | Transaction<Database>

export interface DatabaseHandle {
  db: Db
  dialect: 'postgres' | 'pglite'
  /** The process whose leftover lock on DATA_DIR was taken over (it had died), for the log. */
  tookOverLockFrom?: LockHolder
  /** The embedded database itself, for the tools that work on it directly (its pg_dump). */
  pglite?: PGlite
  /** The pg pool's connections now; none on PGlite, which is one connection in this process. */
  pool?: () => PoolFigures
  close(): Promise<void>
}

export interface PoolFigures {
  max: number
  inUse: number
  idle: number
  waiting: number
}

// numeric and bigint come back as strings from pg; counts are small enough for numbers.
pg.types.setTypeParser(20, (v) => Number(v))
// A date is that day at midnight UTC, as PGlite gives it and as pages show dates (in UTC), not at
// midnight in the server's time zone, which east of Greenwich is the day before in UTC.
pg.types.setTypeParser(1082, (v) => new Date(`${v}T00:00:00Z`))
pg.types.setTypeParser(jsonArrayType, parseJsonArray)

export async function openDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'> & Partial<Pick<Config, 'DATABASE_POOL_SIZE' | 'DATABASE_STATEMENT_TIMEOUT_MS'>>): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE ?? 10,
      // Sent with each connection's start-up, so it costs no round trip; a cancelled query fails with 57014.
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS || undefined,
      Client: PreparedClient,
      // While the server is unreachable a request fails within seconds (a 503), never hangs.
      connectionTimeoutMillis: 3_000,
      // A server that vanished without closing the socket is noticed instead of waited on forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000
    })
    // An idle connection the server closed (restart, failover, pg_terminate_backend) is dropped
    // and replaced on next use; an outage is logged once by DatabaseAvailability, not per socket.
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new InlineLimitsPlugin()] })
    const max = config.DATABASE_POOL_SIZE ?? 10
    const figures = (): PoolFigures => ({ max, inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount })
    return { db, dialect: 'postgres', pool: figures, close: () => db.destroy() }
  }
  const inMemory = config.DATA_DIR.startsWith('memory://')
  let lock: DataDirLock | undefined
  if (!inMemory) {
    mkdirSync(config.DATA_DIR, { recursive: true })
    lock = lockDataDir(config.DATA_DIR)
  }
  // One options object: given `undefined` as its folder, PGlite ignores the options that follow.
  const pglite = new PGlite({
    dataDir: inMemory ? undefined : `${config.DATA_DIR}/pgdata`,
    parsers: { 20: (v: string) => Number(v) },
    extensions: pgliteExtensions
  })
  await pglite.waitReady.catch((err: unknown) => {
    lock?.release()
    throw err
  })
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins: [new InlineLimitsPlugin()] })
  return {
    db,
    dialect: 'pglite',
    pglite,
    tookOverLockFrom: lock?.tookOverFrom,
    close: async () => {
      await db.destroy()
      lock?.release()
    }
  }
}
