import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import t from 'tap'

const root = path.resolve(import.meta.dirname, '../..')
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number }
    s.close(() => resolve(port))
  })
})
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('SIGTERM: /readyz turns 503 at once, pages are served through the drain, then a clean exit', async (t) => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env = { ...process.env, DATABASE_URL: '', DATA_DIR: 'memory://', PORT: String(port), PUBLIC_URL: base, JOBS: 'true', SHUTDOWN_DRAIN_SECONDS: '2', LOG_LEVEL: 'info' }
  const server = spawn(process.execPath, ['--import', 'tsx', 'core/server.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  server.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()))
  server.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)))
  t.teardown(() => void server.kill('SIGKILL'))

  const status = (url: string) => fetch(`${base}${url}`).then((r) => r.status, () => 0)
  for (let i = 0; i < 600 && await status('/readyz') !== 200; i++) await pause(100)
  t.equal(await status('/readyz'), 200, 'ready before the stop')

  server.kill('SIGTERM')
  const signalled = Date.now()
  await pause(100)
  const ready = await fetch(`${base}/readyz`)
  t.equal(ready.status, 503, '/readyz answers 503 at once')
  t.same(await ready.json(), { status: 'draining' })
  const page = await fetch(`${base}/signin`)
  t.equal(page.status, 200, 'pages are still served during the drain')
  t.equal(page.headers.get('connection'), 'close', 'and ask the client to reconnect elsewhere')

  t.equal(await exited, 0, 'the process exits 0')
  t.ok(Date.now() - signalled >= 2000, `after the drain (${Date.now() - signalled} ms)`)
  t.match(log, /stopping: \/readyz answers 503 while requests drain/)
  t.match(log, /"msg":"stopped"/)
})
