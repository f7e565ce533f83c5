/**
 * Times a 10,000-row customer CSV import against a seeded database: parsing and checking the file,
 * storing the preview, and the job that inserts every account and contact in one transaction.
 *   npx tsx bench/csv-import.ts                 (embedded PGlite, in memory)
 *   DATABASE_URL=postgres://… npx tsx bench/csv-import.ts
 */
import { performance } from 'node:perf_hooks'
import { normalisePermissions, type PartnerViewer } from '../core/access.ts'
import { buildApp } from '../core/app.ts'
import { loadConfig } from '../core/config.ts'
import { seedDemo } from '../core/demo.ts'
import { findUserByEmail } from '../core/users/users.repository.ts'
import { checkImport } from '../modules/customers/customer-csv.ts'

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
  say(`${label.padEnd(38)} ${(performance.now() - start).toFixed(0).padStart(6)} ms`)
  return result
}

const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATABASE_URL ? './data' : 'memory://', JOBS: 'false', LOG_LEVEL: 'warn', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0123' })
const app = await buildApp(config)
try {
  await seedDemo(app)
  const { db, customers, jobs } = app.diContainer.cradle
  const user = (await findUserByEmail(db, 'nora@northwind.example'))!
  const viewer: PartnerViewer = {
    id: user.id, email: user.email, name: user.name, kind: 'partner', role: user.role, partnerId: user.partner_id!,
    partnerStatus: 'active', permissions: normalisePermissions(user.permissions), sessionVersion: user.session_version
  }
  say(`${config.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}: importing ${rows.toLocaleString('en-US')} rows (${rows / 2} accounts, ${rows} contacts)`)
  const csv = generate(rows)
  const total = performance.now()
  const checked = await time('parse and check the file', () => checkImport(csv))
  const id = await time('store the preview', () => customers.previewImport(viewer, 'bench.csv', checked))
  await time('queue the import', () => customers.startImport(viewer, id, false))
  await time('import job (one transaction)', () => jobs.runDue())
  say(`${'total'.padEnd(38)} ${(performance.now() - total).toFixed(0).padStart(6)} ms`)
  const record = await customers.importRecord(viewer, id)
  say(`created ${record.accounts_created} accounts and ${record.contacts_created} contacts`)
} finally {
  await app.close()
}
