import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

export interface RunningServer {
  origin: string
  /** Resolves once the requests still queued from a load run are done, so they do not slow the next. */
  settle(): Promise<void>
  /** CPU time the server process has used so far, all its threads (zlib's too), in µs; from Linux's /proc. */
  cpuMicros(): number
  stop(): Promise<void>
}

/** /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second for every program. */
const ticksPerSecond = 100

/**
 * The portal as it runs in production (core/server.ts), in its own process so the load
 * generator never shares the server's event loop.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/server.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin,
      SESSION_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent', JOBS: 'false', DEMO_DATA: 'false',
      // The load is one key's: its per-key limit (600 a minute by default) would answer 429s.
      API_RATE_LIMIT: '100000',
      ...env
    }
  })
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The server exited with code ${code} before it was ready`)))
  })
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.removeAllListeners('exit').once('exit', () => resolve())
    child.kill('SIGTERM')
  })
  try {
    await Promise.race([waitUntilReady(origin), exited])
  } catch (err) {
    await stop()
    throw err
  }
  const settle = async () => {
    // The pool serves waiting queries in order: this one returns after the backlog.
    await fetch(`${origin}/readyz`)
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  const cpuMicros = () => {
    // Fields after the command name, which is in brackets: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 1e6 / ticksPerSecond
  }
  return { origin, settle, cpuMicros, stop }
}

async function waitUntilReady(origin: string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const ready = await fetch(`${origin}/readyz`).then((r) => r.ok, () => false)
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`The server at ${origin} was not ready within a minute`)
}
