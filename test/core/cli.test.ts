import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'

const root = path.resolve(import.meta.dirname, '../..')

/** `npm run portal -- …` as an operator runs it, on a PGlite folder of the test's own. */
function portal(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

t.test('migrate applies the migrations once, creates a staff admin, and refuses what it cannot start with, migrating nothing', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pp-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATA_DIR: dir, PUBLIC_URL: 'http://portal.example' }

  const refused = await portal(['migrate'], { ...env, PORTAL_ADDONS: 'no-such-addon' })
  t.equal(refused.code, 1)
  t.match(refused.out, /no-such-addon/, 'the add-on is named')
  const first = await portal(['migrate'], env)
  t.equal(first.code, 0, first.out)
  t.match(first.out, /^Applied \d+ migration\(s\):\n {2}\d{14}_/, 'nothing was migrated by the refused run, so all of them apply now')
  t.same(await portal(['migrate'], env), { code: 0, out: 'The database is up to date.\n' })

  const weak = await portal(['create-admin', '--email', 'ops@example.com', '--password', 'short'], env)
  t.equal(weak.code, 1)
  t.match(weak.out, /Password must be 12 to 128 characters long/)
  const common = await portal(['create-admin', '--email', 'ops@example.com', '--password', 'password1234'], env)
  t.equal(common.code, 1)
  t.match(common.out, /one of the most commonly used/, 'a common password is refused too')
  const admin = await portal(['create-admin', '--email', 'ops@example.com', '--password', 'ops-password-1'], env)
  t.same(admin, { code: 0, out: 'Staff admin ops@example.com created. Sign in at http://portal.example/signin\n' })
  t.equal((await portal(['frobnicate'], env)).code, 2, 'an unknown command shows the usage and fails')
})
