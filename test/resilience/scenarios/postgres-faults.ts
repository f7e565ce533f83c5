import { secs, sleep, type Context, type Scenario } from '../harness.ts'
import { Load, statusText, tally } from '../load.ts'
import { pgctl, terminateBackends, waitReachable } from '../postgres.ts'
import { checkWrites, formHasSubmissionKey, resubmitUnacknowledged, storedOnPostgres } from '../writes.ts'
import { freshStorage, nora, ok, Probe, runId, signedIn, startPortal } from './common.ts'

type Fault = 'stop-start' | 'restart' | 'terminate'

/** How long PostgreSQL stays stopped in the stop/start case. */
const downMs = 4000
/** A request during the outage must be answered within this: a 503, quickly, rather than a hang. */
const maxOutageLatencyMs = 5000
/** PostgreSQL back → first page served. */
const maxRecoveryMs = 3000

/** Breaks the database under load; returns when it broke and when PostgreSQL took connections again. */
async function inflict(fault: Fault, database: string): Promise<{ from: number; to: number; killed?: number }> {
  const from = Date.now()
  if (fault === 'stop-start') {
    await pgctl('stop')
    await sleep(downMs)
    await pgctl('start')
  } else if (fault === 'restart') {
    await pgctl('restart')
  } else {
    // Three rounds, 700 ms apart, so queries in flight are hit as well as idle connections.
    let killed = 0
    for (let round = 0; round < 3; round++) {
      killed += await terminateBackends(database, 'resil-')
      await sleep(700)
    }
    return { from, to: Date.now(), killed }
  }
  if (!(await waitReachable(30_000))) throw new Error('PostgreSQL did not come back within 30 s')
  return { from, to: Date.now() }
}

async function run(ctx: Context, fault: Fault): Promise<void> {
  const storage = await freshStorage(ctx, 'postgres', fault)
  const portal = await startPortal(ctx, { name: 'resil-a', ...storage.for('resil-a') })
  const clients = await signedIn(portal.origin, 8, nora)
  const resendable = await formHasSubmissionKey(clients[0]!)
  const load = new Load({ clients, prefix: `${fault}-${runId()}`, thinkMs: 40 }).start()
  ctx.onCleanup(() => load.stop())
  const probe = new Probe(portal.origin)
  ctx.onCleanup(() => probe.stop())

  await sleep(2500)
  const outage = await inflict(fault, storage.database!)
  await sleep(3500)
  await load.stop()
  await probe.stop()

  const during = tally(load.during(outage.from, outage.to))
  const failures = load.during(outage.from, outage.to).filter((o) => !ok(o.answer))
  const not503 = failures.filter((o) => o.answer.status !== 503)
  const with503 = failures.filter((o) => o.answer.status === 503)
  const retryAfter = with503.filter((o) => o.answer.headers['retry-after'])
  const first = load.firstSuccessAfter(outage.to)
  const recoveryMs = first ? first.answer.ended - outage.to : undefined
  const readyAgain = probe.first(200, outage.to)
  const unreachable = portal.logged('database unreachable')
  const reachableAgain = portal.logged('database reachable again')
  const after = tally(load.outcomes.filter((o) => o.answer.started >= outage.to + 1500))
  ctx.figures('outage', {
    fault: fault === 'terminate' ? `pg_terminate_backend x3 (${outage.killed} backends)` : `pg_ctlcluster ${fault === 'restart' ? 'restart' : 'stop, 4 s, start'}`,
    'fault window': secs(outage.to - outage.from), requests: during.total, answers: statusText(during.byStatus),
    '503 with Retry-After': `${retryAfter.length}/${with503.length}`, 'max latency': `${during.maxMs} ms`,
    recovery: recoveryMs === undefined ? 'never' : `${recoveryMs} ms`, '/readyz 200 again after': readyAgain ? `${readyAgain.ended - outage.to} ms` : 'never',
    'logged failed requests': reachableAgain.map((l) => String(l.failedRequests)).join('+') || '-'
  })
  ctx.figures('whole run', { requests: load.outcomes.length, answers: statusText(tally(load.outcomes).byStatus), 'after recovery': statusText(after.byStatus) })

  ctx.check('the process survives', portal.alive, portal.alive ? '' : `exited ${JSON.stringify(portal.exit)}\n${portal.tail(10)}`)
  ctx.check('requests that fail while the database is away get 503 (no 500, no dropped or hung request)', not503.length === 0,
    not503.length ? `${statusText(tally(not503).byStatus)}, e.g. ${not503[0]!.op}` : `${with503.length} answered 503`)
  ctx.check(`no request waits longer than ${maxOutageLatencyMs / 1000} s while the database is away`, during.maxMs <= maxOutageLatencyMs, `max ${during.maxMs} ms`)
  if (with503.length) ctx.check('a 503 page says when to retry (Retry-After)', retryAfter.length === with503.length, `${retryAfter.length} of ${with503.length}`)
  if (fault === 'stop-start') {
    ctx.check('pages answer 503 while PostgreSQL is stopped', with503.length > 0, `${with503.length}`)
    ctx.check('/readyz answers 503 while PostgreSQL is stopped', probe.answers.some((a) => a.started > outage.from + 500 && a.started < outage.to - 500 && a.status === 503))
  }
  ctx.check(`the portal recovers by itself within ${maxRecoveryMs / 1000} s`, recoveryMs !== undefined && recoveryMs <= maxRecoveryMs, recoveryMs === undefined ? 'no success after the database was back' : `first success ${recoveryMs} ms after the database was back`)
  ctx.check('after recovery every request succeeds', after.total > 0 && Object.keys(after.byStatus).every((s) => /^[23]\d\d$/.test(s)), statusText(after.byStatus))
  if (fault === 'terminate') {
    // Each round of kills may make an outage of its own: each is logged once and closed once.
    if (with503.length) {
      ctx.check('each outage is logged once as "database unreachable" and once as "reachable again"',
        unreachable.length >= 1 && unreachable.length <= 3 && reachableAgain.length === unreachable.length, `${unreachable.length} / ${reachableAgain.length} times`)
    }
  } else {
    ctx.check('the log says "database unreachable" once', unreachable.length === 1, `${unreachable.length} times`)
    ctx.check('the log says "database reachable again" once', reachableAgain.length === 1, `${reachableAgain.length} times`)
  }

  const stored = storedOnPostgres(storage.database!)
  const storedBefore = new Set((await stored(load.prefix)).map((r) => r.name))
  const unacknowledged = load.writes.filter((w) => !w.id)
  if (resendable) await resubmitUnacknowledged(load)
  else ctx.note('the create form has no _submission key yet: unacknowledged creates are not sent again')
  checkWrites(ctx, load.writes, await stored(load.prefix), unacknowledged.filter((w) => storedBefore.has(w.key)).length)
}

const scenario = (name: string, fault: Fault): Scenario => ({
  name, databases: ['postgres'], timeoutMs: 90_000,
  skipReason: 'PGlite runs inside the portal process: there is no database server to stop, restart or cut connections of',
  run: (ctx) => run(ctx, fault)
})

export const postgresStopStart = scenario('PostgreSQL stopped and started under load', 'stop-start')
export const postgresRestart = scenario('PostgreSQL restarted under load', 'restart')
export const postgresTerminate = scenario('connections killed by pg_terminate_backend under load', 'terminate')
