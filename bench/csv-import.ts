/**
 * Times a 10,000-row customer CSV import against a seeded database, the way the portal runs it:
 * the upload request (read the file, store it, queue the check), the check jobs (1,000 rows each)
 * and the import jobs (500 rows each), each job one transaction. The longest job is how long the
 * job runner holds a connection at a time; on PGlite, how long it blocks the event loop.
 *   npx tsx bench/csv-import.ts                 (embedded PGlite, in memory)
 *   DATABASE_URL=postgres://… npx tsx bench/csv-import.ts
 */
import { performance } from 'node:perf_hooks'
import type { PartnerViewer } from '../core/identity/access.ts'
import { buildApp } from '../core/app.ts'
import { loadConfig } from '../core/config.ts'
import { seedDemo } from '../core/features/demo.ts'
import { findUserByEmail } from '../core/identity/users/users.repository.ts'
import { readImport } from '../modules/customers/customer-csv.ts'

const rows = Number(process.env.ROWS ?? 10_000)
const say = (line: string) => process.stdout.write(`${line}\n`)

function generate(n: number): string {
  const lines = ['account_name,domain,website,phone,address,city,postal_code,country,industry,contact_first_name,contact_last_name,contact_email,contact_phone,contact_job_title']
  for (let i = 0; i < n; i++) {
    // Two contacts per account: every other row names the account of the row before.
    const account = Math.floor(i / 2)
    lines.push([`Bench Customer ${account}`, `bench${account}.example`, `https://bench${account}.example`, '+1 555 0100', `${i} Main Street`,
      'Springfield', '12345', 'US', 'Manufacturing', `First${i}`, `Last${i}`, `person${i}@bench${account}.example`, '', 'Buyer'].join(','))
  }
  return lines.join('\n')
}

const time = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
  const start = performance.now()
  const result = await work()
  say(`${label.padEnd(44)} ${(performance.now() - start).toFixed(0).padStart(6)} ms`)
  return result
}

/** Runs due jobs one at a time: how many, and the longest. */
async function runJobs(jobs: { runDue(limit?: number): Promise<number> }) {
  let count = 0
  let longest = 0
  for (;;) {
    const start = performance.now()
    if (await jobs.runDue(1) === 0) return { count, longest }
    longest = Math.max(longest, performance.now() - start)
    count++
  }
}

const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATABASE_URL ? './data' : 'memory://', JOBS: 'false', LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123' })
const app = await buildApp(config)
try {
  await seedDemo(app)
  const { db, customerImports, jobs, channelAreas } = app.diContainer.cradle
  const user = (await findUserByEmail(db, 'nora@northwind.example'))!
  const viewer: PartnerViewer = {
    id: user.id, email: user.email, name: user.name, kind: 'partner', role: user.role, partnerId: user.partner_id!,
    partnerStatus: 'active', permissions: channelAreas.normalise(user.permissions), sessionVersion: user.session_version
  }
  say(`${config.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}: importing ${rows.toLocaleString('en-US')} rows (${rows / 2} accounts, ${rows} contacts)`)
  const csv = generate(rows)
  await jobs.runDue()
  const total = performance.now()
  const records = await time('upload: read the file (csv-parse, header)', () => readImport(csv))
  const id = await time('upload: store it and queue the check', () => customerImports.create(viewer, 'bench.csv', records))
  const check = await time('check jobs', () => runJobs(jobs))
  say(`  ${check.count} jobs, the longest ${check.longest.toFixed(0)} ms`)
  await time('queue the import', () => customerImports.start(viewer, id, false))
  const save = await time('import jobs', () => runJobs(jobs))
  say(`  ${save.count} jobs, the longest ${save.longest.toFixed(0)} ms`)
  say(`${'total'.padEnd(44)} ${(performance.now() - total).toFixed(0).padStart(6)} ms`)
  const record = await customerImports.record(viewer, id)
  say(`${record.status}: created ${record.accounts_created} accounts and ${record.contacts_created} contacts`)
} finally {
  await app.close()
}
