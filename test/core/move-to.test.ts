import { execFile } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../core/data/database.ts'
import { tableFigures } from '../../core/data/table-figures.ts'
import { seedDemo } from '../../core/features/demo.ts'
import { Agent, buildTestApp, scratchDatabase, serverUrl } from '../helper.ts'
import { registrationForm } from '../fixtures/opportunities.ts'
import { pgliteTestDataDir } from '../pglite-template.ts'

const root = path.resolve(import.meta.dirname, '../..')

/** `npm run portal -- …` as an operator runs it, with the embedded database in DATA_DIR. */
function portal(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'core/cli.ts', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }))
  })
}

async function figuresOf(config: { DATABASE_URL?: string; DATA_DIR: string }) {
  const database = await openDatabase(config)
  try {
    const figures = await tableFigures(database.db)
    for (const table of [...figures.keys()]) if (table.startsWith('kysely_migration')) figures.delete(table)
    return Object.fromEntries(figures)
  } finally {
    await database.close()
  }
}

t.test('move-to copies the demo data from PGlite into an empty PostgreSQL database, and the portal runs on it', { skip: !serverUrl && 'needs PostgreSQL (TEST_DATABASE_URL)' }, async (t) => {
  const dataDir = await pgliteTestDataDir(t)
  const embedded = await buildTestApp(t, {}, { dbEnv: { DATA_DIR: dataDir } })
  await seedDemo(embedded.app)
  await embedded.app.close()
  const url = await scratchDatabase(t)

  const moved = await portal(['move-to', url], { DATA_DIR: dataDir })
  t.equal(moved.code, 0, moved.out)
  t.match(moved.out, /^Moving \d+ tables from .* to postgres:\/\/postgres@127\.0\.0\.1:5432\/pp_scratch_\w+ …\n/)
  t.match(moved.out, /\n {2}opportunities: \d+ rows\n {2}opportunity_events: \d+ rows\n/)
  t.match(moved.out, /\nDone: \d+ rows in \d+ tables; the row count and checksum of every table match\.\nTo run the portal on it, set DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:5432\/pp_scratch_\w+ /)

  const [source, target] = [await figuresOf({ DATA_DIR: dataDir }), await figuresOf({ DATABASE_URL: url, DATA_DIR: dataDir })]
  t.ok(source.opportunities!.rows > 0 && source.customer_accounts!.rows > 0 && source.opportunity_open_figures!.rows > 0, 'the demo data has rows to move')
  t.same(target, source, 'row counts and checksums equal, table by table')

  const { app } = await buildTestApp(t, {}, { dbEnv: { DATABASE_URL: url } })
  const partner = new Agent(app)
  await partner.signIn('nora@northwind.example', 'portal-partner-demo')
  const home = await partner.get('/portal')
  t.equal(home.statusCode, 200, 'a partner signs in on the moved database')
  t.match(home.body, /Northwind Traders/)
  const account = await app.diContainer.cradle.db.selectFrom('customer_accounts').innerJoin('partners', 'partners.id', 'customer_accounts.partner_id')
    .select('customer_accounts.id').where('partners.name', '=', 'Northwind Traders').executeTakeFirstOrThrow()
  const registered = await partner.post('/portal/opportunities', registrationForm(account.id, { name: 'After the move' }))
  t.equal(registered.statusCode, 303, 'a new deal takes the next opportunity number (the sequences were moved too)')
  await app.close()

  const settled = await figuresOf({ DATABASE_URL: url, DATA_DIR: dataDir })
  const again = await portal(['move-to', url], { DATA_DIR: dataDir })
  t.equal(again.code, 1)
  t.match(again.out, /^The database at postgres:\/\/postgres@127\.0\.0\.1:5432\/pp_scratch_\w+ is not empty \(it has \d+ table\(s\): [a-z_, …]+\)\. /)
  t.match(again.out, /move-to copies into an empty database only/)
  t.same(await figuresOf({ DATABASE_URL: url, DATA_DIR: dataDir }), settled, 'the refused move changed nothing')
})

t.test('move-to refuses what it cannot move, with a message', async (t) => {
  const [noUrl, notPostgres, noData] = await Promise.all([
    portal(['move-to'], { DATA_DIR: '/nonexistent/portal-data' }),
    portal(['move-to', 'mysql://db/portal'], { DATA_DIR: '/nonexistent/portal-data' }),
    portal(['move-to', 'postgres://127.0.0.1:5432/portal'], { DATA_DIR: '/nonexistent/portal-data' })
  ])
  t.equal(noUrl.code, 1)
  t.match(noUrl.out, /^Give one DATABASE_URL to move the embedded database to/)
  t.same(notPostgres, { code: 1, out: '"mysql://db/portal" is not a PostgreSQL connection string: postgres://user:password@host:5432/database\n' })
  t.same(noData, { code: 1, out: 'There is no embedded database in /nonexistent/portal-data: nothing to move (is DATA_DIR right?).\n' })
})
