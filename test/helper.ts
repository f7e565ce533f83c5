import { randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../core/app.ts'
import { loadConfig, type Config } from '../core/config.ts'
import { coreMigrationsDir, migrateToLatest } from '../core/data/migrator.ts'
import { migrationsHash } from './migrations-hash.ts'
import { pgliteTestDataDir } from './pglite-template.ts'

export const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL
/** A Redis server for the tests of state shared between instances; those tests are skipped without one. */
export const redisUrl = process.env.TEST_REDIS_URL
export const dialect = serverUrl ? 'postgres' : 'pglite'

/** Where the fixture add-ons live (pass as `addonDirs`). */
export const fixtureAddonDirs = [path.resolve(import.meta.dirname, 'fixtures/addons')]

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** The migrated template every test database is cloned from, named by a hash of the migrations. */
async function templateDatabase(admin: pg.Client): Promise<string> {
  const name = `pp_tpl_${migrationsHash()}`
  await admin.query('select pg_advisory_lock(4242)')
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
    if (exists.rowCount === 0) {
      await admin.query(`create database ${name}_building`)
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withDatabase(serverUrl!, `${name}_building`), max: 1 }) }) })
      try {
        await migrateToLatest(db, [coreMigrationsDir])
      } finally {
        await db.destroy()
      }
      await admin.query(`alter database ${name}_building rename to ${name}`)
    }
  } finally {
    await admin.query('select pg_advisory_unlock(4242)')
  }
  return name
}

/**
 * A database of the test's own, cloned from a migrated template: a database on PostgreSQL, a PGlite
 * data folder otherwise (test/pglite-template.ts). Dropped when the test ends.
 */
export async function testDatabaseEnv(t: Test): Promise<Record<string, string>> {
  if (!serverUrl) return { DATA_DIR: await pgliteTestDataDir(t) }
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') })
  await admin.connect()
  const template = await templateDatabase(admin)
  const name = `pp_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin.query(`create database ${name} template ${template}`)
  await admin.end()
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  })
  return { DATABASE_URL: withDatabase(serverUrl, name) }
}

/** An empty database of the test's own on the PostgreSQL server (as `createdb` makes one), dropped when the test ends. */
export async function scratchDatabase(t: Test, server = serverUrl): Promise<string> {
  if (!server) throw new Error('scratchDatabase needs a PostgreSQL server (TEST_DATABASE_URL)')
  const name = `pp_scratch_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: withDatabase(server, 'postgres') })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  })
  return withDatabase(server, name)
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOBS: 'false',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    PUBLIC_URL: 'http://portal.test',
    ...env
  })
}

export interface TestApp {
  app: FastifyInstance
  config: Config
  env: Record<string, string>
}

/** Builds an app on its own database; closed when the test ends. */
export async function buildTestApp(t: Test, env: Record<string, string> = {}, options: BuildOptions & { dbEnv?: Record<string, string> } = {}): Promise<TestApp> {
  const dbEnv = options.dbEnv ?? await testDatabaseEnv(t)
  const config = testConfig({ ...dbEnv, ...env })
  const app = await buildApp(config, { validateResponses: true, ...options })
  t.teardown(() => app.close())
  return { app, config, env: dbEnv }
}

let agents = 0
const nextClientAddress = () => `10.0.${Math.floor(++agents / 250)}.${(agents % 250) + 1}`

/**
 * A cookie-keeping client over inject, which submits forms with their CSRF token like a browser.
 * Each agent has its own client address, so sign-in rate limits count per agent as per browser.
 */
export class Agent {
  private cookies = new Map<string, string>()
  private csrf: string | undefined
  constructor(readonly app: FastifyInstance, readonly ip = nextClientAddress()) {}

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === ''
      if (expired) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    const token = /"x-csrf-token":"([^"]+)"/.exec(res.body.replace(/&quot;/g, '"'))?.[1]
    if (token) this.csrf = token
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  has(cookie: string): boolean {
    return this.cookies.has(cookie)
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }

  /** Sets a cookie by hand, as a tampering client would. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value)
  }

  get csrfToken(): string | undefined {
    return this.csrf
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, remoteAddress: this.ip, headers: { cookie: this.cookieHeader, ...headers } })
    this.remember(res)
    return res
  }

  async post(url: string, form: Record<string, string | string[]> = {}, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    if (options.csrf !== false && !this.csrf) await this.get('/signin')
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item)
    if (options.csrf !== false && this.csrf) body.append('_csrf', this.csrf)
    const res = await this.app.inject({
      method: 'POST', url, payload: body.toString(), remoteAddress: this.ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader, ...options.headers }
    })
    this.remember(res)
    return res
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/signin')
    const res = await this.post('/signin', { email, password })
    if (res.statusCode !== 303) throw new Error(`sign-in as ${email} failed with ${res.statusCode}: ${res.body.slice(0, 300)}`)
    return res
  }
}

/** Creates an active user directly, for tests that need someone to sign in as. */
export async function createUser(app: FastifyInstance, user: { email: string; name?: string; kind?: 'staff' | 'partner'; role?: 'admin' | 'member'; password?: string; partnerId?: string; partnerStatus?: string }) {
  const { db, users } = app.diContainer.cradle
  return db.transaction().execute((trx) => users.createWithPassword(trx, { id: null, name: 'test' }, {
    email: user.email, name: user.name ?? user.email.split('@')[0]!, kind: user.kind ?? 'staff', role: user.role ?? 'member',
    password: user.password ?? 'correct-horse-battery', partnerId: user.partnerId, partnerStatus: user.partnerStatus
  }))
}
