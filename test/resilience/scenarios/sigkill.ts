import { sleep, waitFor, type Context, type Scenario } from '../harness.ts'
import { Load, statusText, tally, type Write } from '../load.ts'
import { checkWrites, formHasSubmissionKey, resubmitUnacknowledged, storedOnPglite, storedOnPostgres } from '../writes.ts'
import { freshStorage, nora, runId, signedIn, startPortal } from './common.ts'
import type { Client } from '../http.ts'

/** Killed → the new process ready. PGlite's folder lock must not make it wait for the dead one. */
const maxRestartMs = 20_000

/** Reads every acknowledged record back through the pages of `client`'s process, four at a time. */
async function readBack(client: Client, writes: Write[]): Promise<Write[]> {
  const missing: Write[] = []
  const queue = [...writes]
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      const page = await client.get(`/portal/customers/${w.id}`)
      if (page.status !== 200 || !page.body.includes(w.key)) missing.push(w)
    }
  }))
  return missing
}

/**
 * SIGKILL in the middle of writes, then at once a new process on the same data: it starts without
 * waiting (PGlite: the dead holder's folder lock is taken over) and every acknowledged write is there.
 */
async function run(ctx: Context, kind: 'postgres' | 'pglite'): Promise<void> {
  const storage = await freshStorage(ctx, kind, 'sigkill')
  const first = await startPortal(ctx, { name: 'resil-a', ...storage.for('resil-a') })
  const clients = await signedIn(first.origin, 8, nora)
  const load = new Load({ clients, prefix: `sigkill-${runId()}`, writeShare: 0.6, thinkMs: 30 }).start()
  ctx.onCleanup(() => load.stop())
  await sleep(3000)
  // In the middle of writes: wait for a moment when several requests are under way.
  await waitFor(() => load.inFlight >= 3, 2000, 1)
  const killedAt = first.signal('SIGKILL')
  await first.exited
  await load.stop()
  const inFlight = load.outcomes.filter((o) => o.answer.started < killedAt && o.answer.ended >= killedAt)
  let second
  try {
    second = await startPortal(ctx, { name: 'resil-b', ...storage.for('resil-b') }, maxRestartMs)
  } catch (err) {
    ctx.check(`a new process on the same data is ready within ${maxRestartMs / 1000} s of the kill`, false, err instanceof Error ? err.message.slice(0, 600) : String(err))
    return
  }
  const restartMs = Date.now() - killedAt
  const tookOver = second.logged('took over the data folder lock')
  const reader = (await signedIn(second.origin, 1, nora))[0]!
  const acknowledged = load.writes.filter((w) => w.id)
  const missing = await readBack(reader, acknowledged)
  ctx.figures('kill', {
    'requests in flight at the kill': `${inFlight.length} (${statusText(tally(inFlight).byStatus)})`,
    'ready again after': `${restartMs} ms`, 'lock taken over': kind === 'pglite' ? (tookOver.length ? 'yes, logged' : 'not logged') : undefined,
    'read back': `${acknowledged.length - missing.length} of ${acknowledged.length}`
  })
  ctx.check(`a new process on the same data is ready within ${maxRestartMs / 1000} s of the kill`, restartMs <= maxRestartMs, `${restartMs} ms`)
  ctx.check('every acknowledged write reads back through the new process', missing.length === 0,
    missing.length ? `missing: ${missing.slice(0, 5).map((w) => w.key).join(', ')}` : `${acknowledged.length} records`)

  // The creates the kill left unanswered, sent again to the new process with their keys: those that
  // had been stored must lead to their record, the others be stored now — each once.
  const stored = kind === 'postgres' ? storedOnPostgres(storage.database!) : undefined
  const storedBefore = stored ? new Set((await stored(load.prefix)).map((r) => r.name)) : undefined
  const unacknowledged = load.writes.filter((w) => !w.id)
  const resendable = await formHasSubmissionKey(reader)
  if (resendable) await resubmitUnacknowledged(load, second.origin)
  else ctx.note('the create form has no _submission key yet: unacknowledged creates are not sent again')

  if (kind === 'pglite') await second.stop()
  const rows = await (stored ?? storedOnPglite(storage.dataDir!))(load.prefix)
  checkWrites(ctx, load.writes, rows, storedBefore ? unacknowledged.filter((w) => storedBefore.has(w.key)).length : undefined)
}

export const sigkill: Scenario = { name: 'SIGKILL mid-write, immediate restart', databases: ['postgres', 'pglite'], timeoutMs: 90_000, run }
