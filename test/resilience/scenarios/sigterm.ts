import { sleep, type Context, type Scenario } from '../harness.ts'
import { Load, statusText, tally } from '../load.ts'
import { checkWrites, storedOnPglite, storedOnPostgres } from '../writes.ts'
import { freshStorage, nora, ok, Probe, runId, signedIn, startPortal } from './common.ts'

const drainSeconds = 3
/** SIGTERM → /readyz 503. */
const maxReadyzFlipMs = 500
/** A request sent this close to the end of the drain may be refused with 503 (it is read after the close). */
const closingMarginMs = 250

/**
 * SIGTERM while eight browsers read and write: /readyz turns 503 at once, the server keeps serving
 * through the drain, then stops taking connections, answers what is in flight and exits 0.
 */
async function run(ctx: Context, kind: 'postgres' | 'pglite'): Promise<void> {
  const storage = await freshStorage(ctx, kind, 'sigterm')
  const portal = await startPortal(ctx, { name: 'resil-a', ...storage.for('resil-a'), drainSeconds })
  const clients = await signedIn(portal.origin, 8, nora)
  for (const client of clients) client.tagRequests = true
  const load = new Load({ clients, prefix: `sigterm-${runId()}`, thinkMs: 40 }).start()
  ctx.onCleanup(() => load.stop())
  const probe = new Probe(portal.origin, '/readyz', 50)
  ctx.onCleanup(() => probe.stop())
  await sleep(2500)

  const termAt = portal.signal('SIGTERM')
  const exit = await Promise.race([portal.exited, sleep((drainSeconds + 15) * 1000).then(() => undefined)])
  await load.stop()
  await probe.stop()

  const flipped = probe.first(503, termAt)
  const drainEnd = termAt + drainSeconds * 1000
  const refused = load.outcomes.filter((o) => o.answer.error === 'ECONNREFUSED' && o.answer.started >= termAt).sort((a, b) => a.answer.started - b.answer.started)[0]
  const closedAt = refused?.answer.started ?? exit?.at
  // Sent while the server promised to serve: each must be served, but for the last moments, when a
  // busy server may read a request only after it closed and refuse it with 503.
  const inDrain = load.outcomes.filter((o) => o.answer.started >= termAt && o.answer.started < drainEnd)
  // In flight: the server read it (it logged "incoming request" from the request's own address).
  // A connection reset before that was queued at the listener when it closed.
  const read = new Set(portal.log.filter((l) => l.msg === 'incoming request').map((l) => (l.req as { remoteAddress?: string } | undefined)?.remoteAddress))
  // Sent before the drain ends: a request sent in the instant the listener closes can be read and
  // then reset as the server closes its connections (seen once in a CI run, 3,001 ms after SIGTERM
  // with a 3 s drain); that instant is the closing margin the check below leaves out as well.
  const afterTerm = load.outcomes.filter((o) => o.answer.ended >= termAt && o.answer.started < drainEnd)
  const unanswered = afterTerm.filter((o) => o.answer.status === 0 && read.has(o.answer.address))
  const resetUnread = inDrain.filter((o) => o.answer.status === 0 && !read.has(o.answer.address))
  const notServed = inDrain.filter((o) => o.answer.started < drainEnd - closingMarginMs && !ok(o.answer))
  const late = load.outcomes.filter((o) => o.answer.started >= drainEnd)
  ctx.figures('shutdown', {
    'readyz 503 after': flipped ? `${flipped.started - termAt} ms` : 'never',
    'sent during the drain': inDrain.length, 'answers to them': statusText(tally(inDrain).byStatus),
    'stopped taking connections after': closedAt ? `${closedAt - termAt} ms` : '-',
    'sent after the drain': `${late.length} (${statusText(tally(late).byStatus)})`,
    'read by the server and not answered': unanswered.length, 'sent during the drain, reset before the server read them': resetUnread.length,
    exit: exit ? `code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''} after ${exit.at - termAt} ms` : 'still running'
  })
  for (const o of [...unanswered, ...notServed, ...resetUnread].slice(0, 6)) {
    ctx.note(`${o.op} sent ${o.answer.started - termAt} ms after SIGTERM: ${o.answer.status || o.answer.error} after ${o.answer.ms} ms`)
  }

  ctx.check(`/readyz answers 503 within ${maxReadyzFlipMs} ms of SIGTERM`, !!flipped && flipped.started - termAt <= maxReadyzFlipMs,
    flipped ? `${flipped.started - termAt} ms` : 'it did not')
  ctx.check(`pages are still served through the ${drainSeconds} s drain`, inDrain.some((o) => ok(o.answer) && o.answer.started >= drainEnd - 500),
    `${inDrain.filter((o) => ok(o.answer)).length} served`)
  ctx.check('every request in flight is answered (none sent in the drain that the server read is dropped)', unanswered.length === 0,
    unanswered.length ? `${statusText(tally(unanswered).byStatus)}` : `${afterTerm.filter((o) => read.has(o.answer.address)).length} read after SIGTERM, all answered`)
  ctx.check(`every request sent during the drain (but its last ${closingMarginMs} ms) is served`, notServed.length === 0,
    notServed.length ? `${statusText(tally(notServed).byStatus)} of ${inDrain.length}` : '')
  ctx.check('the process exits 0', exit?.code === 0, exit ? `code ${exit.code}, signal ${exit.signal}` : 'did not exit')
  ctx.check(`it exits within ${drainSeconds + 10} s of SIGTERM`, !!exit && exit.at - termAt <= (drainSeconds + 10) * 1000, exit ? `${exit.at - termAt} ms` : '')

  if (!exit) portal.kill()
  await portal.exited
  const rows = await (kind === 'postgres' ? storedOnPostgres(storage.database!) : storedOnPglite(storage.dataDir!))(load.prefix)
  checkWrites(ctx, load.writes, rows)
}

export const sigterm: Scenario = { name: 'SIGTERM under load', databases: ['postgres', 'pglite'], timeoutMs: 90_000, run }
