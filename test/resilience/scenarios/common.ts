import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Context } from '../harness.ts'
import { Client, send, type Answer } from '../http.ts'
import { PortalProcess, type PortalOptions } from '../portal-process.ts'
import { createDatabase, dropDatabase, urlOf } from '../postgres.ts'
import { sleep } from '../harness.ts'

export const nora = { email: 'nora@northwind.example', password: 'portal-partner-demo' }
export const sid = { email: 'sid@northwind.example', password: 'portal-partner-demo' }
export const colin = { email: 'colin@contoso.example', password: 'portal-partner-demo' }
export const admin = { email: 'admin@example.com', password: 'portal-admin-demo' }

export const runId = () => randomBytes(3).toString('hex')

/** Where a scenario's portals keep their data: a fresh PostgreSQL database, or a fresh PGlite folder. */
export interface Storage {
  kind: 'postgres' | 'pglite'
  database?: string
  dataDir?: string
  /** The options that point a portal named `name` at this storage. */
  for(name: string): Pick<PortalOptions, 'databaseUrl' | 'dataDir'>
}

export async function freshStorage(ctx: Context, kind: 'postgres' | 'pglite', label: string): Promise<Storage> {
  if (kind === 'postgres') {
    const database = await createDatabase(label)
    ctx.onCleanup(() => dropDatabase(database))
    return { kind, database, for: (name) => ({ databaseUrl: urlOf(database, name) }) }
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), `pp-resilience-${label}-`))
  ctx.onCleanup(() => rmSync(dataDir, { recursive: true, force: true }))
  return { kind, dataDir, for: () => ({ dataDir }) }
}

/** Starts a portal that the scenario's clean-up stops (or kills, when the scenario ran out of time). */
export async function startPortal(ctx: Context, options: PortalOptions, readyTimeoutMs?: number): Promise<PortalProcess> {
  const portal = await PortalProcess.start(options, readyTimeoutMs)
  ctx.onCleanup(async () => {
    if (ctx.signal.aborted) portal.kill()
    await portal.stop(10_000)
  })
  return portal
}

/** `n` browsers signed in as `who`, each from an address of its own. */
export async function signedIn(origin: string, n: number, who: { email: string; password: string }): Promise<Client[]> {
  const clients: Client[] = []
  for (let i = 0; i < n; i++) {
    const client = new Client(origin)
    await client.signIn(who.email, who.password)
    clients.push(client)
  }
  return clients
}

/** Polls a path (by default /readyz) every `everyMs`, keeping each answer. */
export class Probe {
  readonly answers: Answer[] = []
  private running = true
  private readonly loop: Promise<void>

  constructor(origin: string, path = '/readyz', everyMs = 100) {
    this.loop = (async () => {
      while (this.running) {
        this.answers.push(await send(origin, path, { timeoutMs: 10_000 }))
        await sleep(everyMs)
      }
    })()
  }

  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  /** The first answer with `status` to a probe sent at or after `from`. */
  first(status: number, from: number): Answer | undefined {
    return this.answers.find((a) => a.started >= from && a.status === status)
  }
}

export const ok = (a: Answer) => a.status >= 200 && a.status < 400
