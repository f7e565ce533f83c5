import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { send } from './http.ts'
import { sleep, waitFor } from './harness.ts'

const root = path.resolve(import.meta.dirname, '../..')

export const sessionSecret = 'resilience-suite-session-secret-0123456789abcdef'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** A pino line (or, for anything else the process printed, `{ msg: <the line> }`). */
export interface LogLine { time: number; msg: string; level?: number; [key: string]: unknown }

export interface PortalOptions {
  /** Also the PostgreSQL application_name of its connections. */
  name: string
  databaseUrl?: string
  dataDir?: string
  jobs?: boolean
  redis?: boolean
  drainSeconds?: number
  port?: number
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null; at: number }

/** `node --import tsx core/server.ts` as production runs it, its log lines kept. */
export class PortalProcess {
  /** Every portal still running, for the suite to kill should it be stopped itself. */
  static readonly running = new Set<PortalProcess>()
  readonly log: LogLine[] = []
  readonly exited: Promise<Exit>
  exit: Exit | undefined
  private constructor(readonly name: string, readonly origin: string, readonly port: number, readonly child: ChildProcess) {
    PortalProcess.running.add(this)
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      PortalProcess.running.delete(this)
      this.exit = { code, signal, at: Date.now() }
      resolve(this.exit)
    }))
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n')
        rest = lines.pop()!
        for (const line of lines) if (line.trim()) this.log.push(parse(line))
      })
    }
  }

  static async start(options: PortalOptions, readyTimeoutMs = 60_000): Promise<PortalProcess> {
    const port = options.port ?? await freePort()
    const origin = `http://127.0.0.1:${port}`
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin, DEMO_DATA: 'true', SESSION_SECRET: sessionSecret,
      JOBS: String(options.jobs ?? true), LOG_LEVEL: 'info', TRUST_PROXY: 'true',
      SHUTDOWN_DRAIN_SECONDS: String(options.drainSeconds ?? 1)
    }
    delete env.DATABASE_URL
    delete env.REDIS_URL
    delete env.DATA_DIR
    if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl
    if (options.dataDir) env.DATA_DIR = options.dataDir
    if (options.redis) env.REDIS_URL = process.env.RESILIENCE_REDIS_URL ?? 'redis://127.0.0.1:6379'
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'core/server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const portal = new PortalProcess(options.name, origin, port, child)
    const ready = await waitFor(async () => portal.exit ? 'exited' : (await send(origin, '/readyz', { timeoutMs: 2000 })).status === 200 && 'ready', readyTimeoutMs, 100)
    if (ready !== 'ready') {
      portal.kill()
      await portal.exited
      throw new Error(`${options.name} was not ready (${ready ?? 'timed out'}); its last output:\n${portal.tail(15)}`)
    }
    return portal
  }

  get pid(): number {
    return this.child.pid!
  }

  get alive(): boolean {
    return this.exit === undefined
  }

  /** Log lines whose message starts with `prefix`. */
  logged(prefix: string): LogLine[] {
    return this.log.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix))
  }

  tail(n: number): string {
    return this.log.slice(-n).map((l) => `    ${JSON.stringify(l).slice(0, 400)}`).join('\n')
  }

  signal(signal: NodeJS.Signals): number {
    const at = Date.now()
    if (this.alive) this.child.kill(signal)
    return at
  }

  kill(): void {
    this.signal('SIGKILL')
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 20_000): Promise<Exit> {
    if (this.exit) return this.exit
    this.signal('SIGTERM')
    const exit = await Promise.race([this.exited, sleep(timeoutMs).then(() => undefined)])
    if (exit) return exit
    this.kill()
    return this.exited
  }
}

function parse(line: string): LogLine {
  if (line.startsWith('{')) {
    try {
      return JSON.parse(line) as LogLine
    } catch {
      // not JSON after all
    }
  }
  return { time: Date.now(), msg: line }
}
