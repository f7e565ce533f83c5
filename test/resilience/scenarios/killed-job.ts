import { secs, waitFor, type Context, type Scenario } from '../harness.ts'
import { locationOf, type Client } from '../http.ts'
import { query } from '../postgres.ts'
import { queryPglite } from '../writes.ts'
import { freshStorage, nora, runId, signedIn, startPortal } from './common.ts'

/** 80 chunks of 500: a few seconds of work, long enough to be killed in the middle. */
const rows = 40_000
/** Dead runner → import done by the other process. */
const maxTakeOverMs = 60_000

interface ImportState { status: string; imported: number }

/** The slowest import page seen while the import runs. */
let slowestPageMs = 0

/** What the import's page says: checking, preview, importing (with how many rows are in), done or failed. */
async function importState(client: Client, id: string): Promise<ImportState> {
  const answer = await client.get(`/portal/customers/imports/${id}`)
  slowestPageMs = Math.max(slowestPageMs, answer.ms)
  const page = answer.body
  const imported = Number(/<progress value="(\d+)" max="\d+" aria-label="Rows imported"/.exec(page)?.[1] ?? 0)
  const status = /aria-label="Rows checked"/.test(page) ? 'checking' : /aria-label="Rows imported"/.test(page) ? 'importing'
    : /<h2>Imported<\/h2>/.test(page) ? 'done' : /\/imports\/[0-9a-f-]+\/start"/.test(page) ? 'preview' : /The import failed/.test(page) ? 'failed' : 'unknown'
  return { status, imported }
}

/** PostgreSQL: waits for a moment A's connection holds the import job's row lock in a transaction that has written. */
async function heldOnPostgres(ctx: Context, database: string, importId: string): Promise<{ job?: string; how: string }> {
  let job: string | undefined
  const found = await waitFor(async () => {
    const [held] = await query<{ job: string | null; imported: number }>(database, `select
      (select j.id::text from jobs j where j.kind = 'customers.import' and j.done_at is null and exists (
        select 1 from pg_locks l join pg_stat_activity s on s.pid = l.pid
        where s.application_name = 'resil-a' and s.backend_xid is not null and l.locktype = 'relation' and l.relation = 'jobs'::regclass)
        limit 1) as job,
      (select imported_rows from customer_imports where id = $1) as imported`, [importId])
    if (held!.imported >= rows) return 'too late'
    if (held!.job && held!.imported >= rows / 4) job = held!.job
    return job !== undefined
  }, 60_000, 2, ctx.signal)
  return { job: found === true ? job : undefined, how: job ? `job ${job} locked by resil-a in a transaction with writes` : 'never seen held' }
}

/**
 * PGlite cannot be asked from outside. Its runner gives way to requests between chunks but is
 * otherwise inside a chunk's transaction, so once the page shows rows imported and more to come,
 * a kill lands in the middle of a chunk.
 */
async function heldOnPglite(ctx: Context, client: Client, importId: string): Promise<{ job?: string; how: string }> {
  const midway = await waitFor(async () => {
    const state = await importState(client, importId)
    return state.status === 'done' ? 'too late' : state.status === 'importing' && state.imported > 0
  }, 60_000, 20, ctx.signal)
  return midway === true ? { job: 'the chunk at hand', how: 'killed mid-import, between rows imported and rows to come' } : { how: 'the import was not seen midway' }
}

/** Uploads a file of `rows` new accounts and starts its import; returns the import's id. */
async function startImport(ctx: Context, client: Client, prefix: string): Promise<string> {
  const csv = ['account_name,industry', ...Array.from({ length: rows }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')},Resilience`)].join('\n')
  const upload = await client.postFile('/portal/customers/import', {}, { field: 'file', name: 'resilience.csv', type: 'text/csv', content: csv }, 60_000)
  const id = /\/portal\/customers\/imports\/([0-9a-f-]{36})/.exec(locationOf(upload))?.[1]
  if (upload.status !== 303 || !id) throw new Error(`the upload answered ${upload.status}: ${upload.body.slice(0, 300)}`)
  const preview = await waitFor(async () => (await importState(client, id)).status === 'preview', 60_000, 250, ctx.signal)
  if (!preview) throw new Error(`the import was not checked within a minute (${(await importState(client, id)).status})`)
  const started = await client.post(`/portal/customers/imports/${id}/start`, {})
  if (started.status !== 303) throw new Error(`starting the import answered ${started.status}`)
  return id
}

/**
 * SIGKILL while the process holds an import chunk's job (its transaction open, rows inserted but
 * not committed): the job is freed and another process finishes the import — every row once.
 */
async function run(ctx: Context, kind: 'postgres' | 'pglite'): Promise<void> {
  slowestPageMs = 0
  const storage = await freshStorage(ctx, kind, 'job')
  const a = await startPortal(ctx, { name: 'resil-a', ...storage.for('resil-a') })
  const client = (await signedIn(a.origin, 1, nora))[0]!
  const prefix = `job-${runId()}`
  const importId = await startImport(ctx, client, prefix)

  // Kill A at a moment it holds the chunk's job with writes of its own uncommitted.
  const holding = kind === 'postgres' ? await heldOnPostgres(ctx, storage.database!, importId) : await heldOnPglite(ctx, client, importId)
  const killedAt = a.signal('SIGKILL')
  await a.exited
  // What had committed when A died (PGlite: read from the folder before anyone reopens it).
  const [before] = await (kind === 'postgres'
    ? query<{ status: string; imported: number }>(storage.database!, 'select status, imported_rows as imported from customer_imports where id = $1', [importId])
    : queryPglite<{ status: string; imported: number }>(storage.dataDir!, 'select status, imported_rows as imported from customer_imports where id = $1', [importId]))
  ctx.check('the process is killed while it holds the import\'s job', !!holding.job && before!.status === 'importing' && before!.imported < rows,
    `${holding.how}; ${before!.imported} of ${rows} rows committed, import ${before!.status}`)
  const heldJob = kind === 'postgres' ? holding.job : undefined

  // Another process, started at once after the kill (on PGlite on the same folder). It is not
  // running before: a second runner on the queue would take chunks from A, and an import on a
  // fast machine could then end before A is seen holding one.
  const b = await startPortal(ctx, { name: 'resil-b', ...storage.for('resil-b') })
  const other = client.at(b.origin)
  if (!(await other.signedIn()).yes) await other.signIn(nora.email, nora.password)
  const done = await waitFor(async () => {
    const state = await importState(other, importId)
    return state.status === 'done' || state.status === 'failed' ? state : undefined
  }, maxTakeOverMs, 250, ctx.signal)
  const tookMs = Date.now() - killedAt

  if (kind === 'pglite') await b.stop()
  const ask = <T>(text: string, params: unknown[]) => kind === 'postgres' ? query(storage.database!, text, params) as Promise<T[]> : queryPglite<T>(storage.dataDir!, text, params)
  const [counts] = await ask<{ accounts: number; names: number; imported: number; status: string }>(`select
    (select count(*)::int from customer_accounts where name like $1) as accounts,
    (select count(distinct name)::int from customer_accounts where name like $1) as names,
    (select imported_rows from customer_imports where id = $2) as imported,
    (select status from customer_imports where id = $2) as status`, [`${prefix}-%`, importId])
  const [jobs] = await ask<{ total: number; done: number; twice: number; failed: number; held: string | null }>(`select count(*)::int as total,
    count(*) filter (where done_at is not null)::int as done, count(*) filter (where attempts > 1)::int as twice,
    count(*) filter (where failed_at is not null or last_error is not null)::int as failed,
    max(case when id::text = $2 then coalesce(done_at::text, 'not done') || ', attempts ' || attempts end) as held
    from jobs where kind = 'customers.import' and payload->>'importId' = $1`, [importId, heldJob ?? ''])
  ctx.figures('import', {
    rows, 'committed before the kill': before!.imported, 'finished by the other process after': secs(tookMs), status: counts!.status,
    'accounts stored': counts!.accounts, 'distinct names': counts!.names, 'chunk jobs': `${jobs!.done}/${jobs!.total} done`,
    'run twice': jobs!.twice, failed: jobs!.failed, 'the held job': heldJob ? jobs!.held ?? 'gone' : undefined,
    'slowest import page': `${slowestPageMs} ms`
  })
  ctx.check(`another process completes the import within ${maxTakeOverMs / 1000} s`, done?.status === 'done' && counts!.status === 'done', done ? done.status : 'not finished')
  ctx.check(`exactly ${rows} customers, none twice`, counts!.accounts === rows && counts!.names === rows && counts!.imported === rows,
    `${counts!.accounts} accounts, ${counts!.names} names, ${counts!.imported} rows counted`)
  ctx.check('every chunk job done once (the killed one redone once, by the other)', jobs!.done === jobs!.total && jobs!.twice === 0 && jobs!.failed === 0 &&
    (!heldJob || /, attempts 1$/.test(jobs!.held ?? '')), `held job: ${jobs!.held ?? '-'}`)
}

export const killedJob: Scenario = { name: 'process killed while it holds a job', databases: ['postgres', 'pglite'], timeoutMs: 150_000, run }
